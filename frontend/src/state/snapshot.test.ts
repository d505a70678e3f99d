import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { EmbeddingInfo, JobStatus } from "../api/types";
import { booted } from "./options.fixture";
import { restore } from "./snapshot";
import { store } from "./store";
import type { UrlState } from "./urlState";

const EMB: EmbeddingInfo = { id: "e0", run: "r0", name: "w", shape: [4, 8], label_column: null, columns: [], sprite: null };
const DONE = { id: "j", method: "tsne", state: "done", summary: null, version: 0 } as unknown as JobStatus;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("restore", () => {
  it("reads an older page's bookmark: t-SNE's perplexity and iterations in its projection, a learning rate of 0", async () => {
    store.set({ ...booted, runs: { source: null, runs: [{ id: "r0", name: ".", embeddings: [EMB] }] }, embedding: EMB });
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(DONE);
    vi.spyOn(api, "coords").mockResolvedValue({ n: 4, dims: 2, data: new Float32Array(8), iteration: -1, final: true });
    const old = {
      projection: { method: "tsne", dims: 2, axes: [0, 1, 2], perplexity: 12, iterations: 300 },
      params: { learningRate: 0, tsneSeed: 3 },
    } as unknown as UrlState;
    await restore(old);
    expect(store.get().projection).toEqual({ method: "tsne", dims: 2, axes: [0, 1, 2] });
    expect(store.get().params).toMatchObject({ perplexity: 12, iterations: 300, tsneSeed: 3 });
    expect(start.mock.calls[0][2]).toMatchObject({
      method: "tsne",
      params: { perplexity: 12, n_iter: 300, learning_rate: "auto" },
      random_state: 3,
    });
  });
});
