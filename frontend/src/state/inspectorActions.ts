// The inspector's own actions: neighbours with a chosen k and metric, exports of the selection or coordinates.
import { api } from "../api/client";
import type { ExportFormat, Metric } from "../api/types";
import { fail } from "./failure";
import { clampTo } from "./options";
import { store } from "./store";

let seq = 0;
let fetched = ""; // focus:k:metric of the neighbours in the store, when this module asked for them

/** The focused point's neighbours again, with the store's k and metric. */
export async function refreshNeighbours(): Promise<void> {
  const { embedding: emb, focus, k, metric, step } = store.get();
  if (emb === null || focus === null) return;
  const mine = ++seq;
  fetched = `${focus}:${k}:${metric}`;
  try {
    const result = await api.neighbors(emb.run, emb.id, focus, k, metric, step);
    if (mine !== seq || store.get().focus !== focus) return;
    store.set({
      neighbors: result.neighbors,
      selection: [focus, ...result.neighbors.map((n) => n.index)],
      selectionSource: "neighbors",
      searchCount: null,
    });
  } catch (err) {
    if (mine === seq) fail(err);
  }
}

// A click on the plot asks for cosine neighbours (actions.focusPoint): ask again when another metric is chosen,
// and when another training step is shown (the neighbours are those of the step on the plot).
let listedStep: number | null = null;
store.subscribe((state) => {
  if (state.step !== listedStep) {
    listedStep = state.step;
    if (state.focus !== null && state.neighbors !== null) void refreshNeighbours();
    return;
  }
  if (state.focus === null || state.neighbors === null || state.metric === "cosine") return;
  const key = `${state.focus}:${state.k}:${state.metric}`;
  if (key !== fetched) void refreshNeighbours();
});

let kTimer: number | undefined;

/** The neighbour count, rounded into the server's bounds; the list follows when the slider rests. */
export function setK(k: number): void {
  const range = store.get().options?.neighbors.k;
  store.set({ k: range ? clampTo(Math.round(k), range) : Math.round(k) });
  window.clearTimeout(kTimer);
  kTimer = window.setTimeout(() => void refreshNeighbours(), 150);
}

export function setMetric(metric: Metric): void {
  store.set({ metric });
  void refreshNeighbours();
}

function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Download the selection's rows (with coordinates when a projection is done) or every projected row's coordinates. */
export async function exportRows(what: "selection" | "coords", format: ExportFormat): Promise<void> {
  const { embedding: emb, job, selection, isolated } = store.get();
  if (emb === null) return;
  const jobId = job && job.state === "done" ? job.id : null;
  if (what === "coords" && jobId === null) {
    store.set({ error: "No projection has finished yet: wait for it, then export its coordinates." });
    return;
  }
  let indices: number[] | null = null;
  if (what === "selection") {
    indices = [...new Set(selection)].sort((a, b) => a - b);
    if (isolated) {
      const inside = new Set(isolated);
      indices = indices.filter((i) => inside.has(i));
    }
  }
  try {
    const { blob, filename } = await api.exportFile(emb.run, emb.id, { job_id: jobId, indices, format });
    const stem = filename.replace(/\.[^.]+$/, "");
    download(blob, `${stem}-${what}.${format}`);
  } catch (err) {
    fail(err);
  }
}
