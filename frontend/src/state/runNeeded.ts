// What the projections panel says while the plot shows another projection than the one chosen.
import type { State } from "./store";

const NAME: Record<string, string> = { pca: "PCA", tsne: "t-SNE", umap: "UMAP", custom: "custom axes", precomputed: "precomputed coordinates" };

/** t-SNE and UMAP run on Run (they take a while): while the plot shows another projection than the one chosen (another
 * method, or the same one in 2-D when 3-D is chosen), say so and what to press. */
export function runNeeded(state: Pick<State, "projection" | "job" | "coords">): string | null {
  const { method, dims } = state.projection;
  if (method !== "tsne" && method !== "umap") return null;
  const job = state.job;
  if (job && job.method === method && job.n_components === dims && job.state !== "failed" && job.state !== "cancelled") {
    return null; // shown, or on its way
  }
  const shown = job && state.coords ? ` The plot shows ${job.n_components}-D ${NAME[job.method] ?? job.method} until then.` : "";
  return `Press Run to compute the ${dims}-D ${NAME[method]}.${shown}`;
}

