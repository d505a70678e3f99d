import { describe, expect, it } from "vitest";
import type { JobStatus } from "../api/types";
import { runNeeded } from "./runNeeded";
import type { State } from "./store";

const job = (method: string, n_components: number, state = "done") => ({ method, n_components, state }) as JobStatus;
const coords = { n: 1, dims: 2, data: new Float32Array(2), version: 1 };
const at = (method: "pca" | "tsne" | "umap" | "custom", dims: 2 | 3, shown: JobStatus | null): Pick<State, "projection" | "job" | "coords"> => ({
  projection: { method, dims, axes: [0, 1, 2] },
  job: shown,
  coords: shown ? coords : null,
});

describe("runNeeded", () => {
  it("says Run is needed for 3-D while the 2-D t-SNE is shown", () => {
    expect(runNeeded(at("tsne", 3, job("tsne", 2)))).toBe(
      "Press Run to compute the 3-D t-SNE. The plot shows 2-D t-SNE until then.",
    );
    expect(runNeeded(at("umap", 2, job("pca", 2)))).toBe("Press Run to compute the 2-D UMAP. The plot shows 2-D PCA until then.");
  });

  it("says nothing once it is shown or on its way, nor for PCA and custom axes", () => {
    expect(runNeeded(at("tsne", 3, job("tsne", 3, "running")))).toBeNull();
    expect(runNeeded(at("tsne", 2, job("tsne", 2)))).toBeNull();
    expect(runNeeded(at("pca", 3, job("pca", 2)))).toBeNull();
    expect(runNeeded(at("custom", 2, job("pca", 2)))).toBeNull();
    expect(runNeeded(at("tsne", 2, job("tsne", 2, "cancelled")))).not.toBeNull();
  });
});
