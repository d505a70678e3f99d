// A page state as one JSON document: what bookmarks save and the URL encodes (projection and parameters, camera,
// selection, colour and label choices), and restoring one.
import type { Metric } from "../api/types";
import { parseCamera } from "../render/camera";
import { chooseEmbedding, focusPoint, setLabelBy } from "./actions";
import { type Camera, cameraView } from "./camera";
import { restoreFilters } from "./filterActions";
import { type Filter, readFilters } from "./filters";
import { distinctAxes } from "./pcaAxes";
import { project } from "./projectionActions";
import { setColorChoice } from "./scatterActions";
import { type ProjectionChoice, type ProjectionParams, type State, store } from "./store";
import type { UrlState } from "./urlState";

export interface Snapshot {
  version: 1;
  embedding: { run: string; id: string } | null;
  projection: ProjectionChoice;
  params: ProjectionParams;
  isolated: number[] | null;
  selection: number[];
  focus: number | null;
  labelBy: string | null;
  colorBy: string | null;
  colorMode?: "category" | "numeric";
  colorScale?: "linear" | "log" | null; // the continuous scale chosen (null: the column's default)
  k: number;
  metric: Metric;
  spherize?: boolean | null;
  step?: number | null; // the training step shown (null: the latest)
  camera?: Camera | null;
  filters?: Filter[]; // filters.ts; left out by older pages (none)
  clusters?: { on: boolean; column: string | null }; // "Label clusters" and the column they are named from
  density?: { on: boolean | null; from: number }; // the density layer: on, off or by size (null), from that size
}

export function snapshot(state: State): Snapshot {
  return {
    version: 1,
    embedding: state.embedding ? { run: state.embedding.run, id: state.embedding.id } : null,
    projection: state.projection,
    params: state.params,
    isolated: state.isolated,
    selection: state.selection,
    focus: state.focus,
    labelBy: state.labelBy,
    colorBy: state.colorBy,
    colorMode: state.colorMode,
    colorScale: state.colorScale,
    k: state.k,
    metric: state.metric,
    spherize: state.spherize,
    step: state.step,
    camera: cameraView.get(),
    filters: state.filters,
    clusters: { on: state.clustersOn, column: state.clusterColumn },
    density: { on: state.density, from: state.densityFrom },
  };
}

/** A document's projection choice and parameters; one saved by an older page (t-SNE's perplexity and iterations in
 * `projection`) gives them as parameters. */
function projectionOf(doc: UrlState): Pick<UrlState, "projection" | "params"> {
  const { perplexity, iterations, ...projection } = (doc.projection ?? {}) as UrlState["projection"] &
    Partial<Pick<ProjectionParams, "perplexity" | "iterations">>;
  const params: Partial<ProjectionParams> = { ...doc.params };
  if (typeof perplexity === "number" && params.perplexity === undefined) params.perplexity = perplexity;
  if (typeof iterations === "number" && params.iterations === undefined) params.iterations = iterations;
  return { projection, params };
}

const indices = (v: unknown): number[] | null =>
  Array.isArray(v) && v.every((i) => Number.isInteger(i) && i >= 0) ? (v as number[]) : null;

/** Bring a saved state back: the embedding, projection (run again, cached on the server), choices, camera, selection. */
export async function restore(doc: UrlState): Promise<void> {
  const now = store.get();
  const emb = doc.embedding;
  if (emb && (now.embedding?.run !== emb.run || now.embedding?.id !== emb.id)) {
    await chooseEmbedding(emb.run, emb.id, { project: false });
  }
  const known = (name: string | null | undefined) =>
    name !== null && name !== undefined && store.get().embedding?.columns.some((c) => c.name === name);
  const { projection, params } = projectionOf(doc);
  const patch: Partial<State> = {
    projection: { ...store.get().projection, ...projection, axes: distinctAxes(projection?.axes ?? store.get().projection.axes) },
    params: { ...store.get().params, ...params },
    k: doc.k ?? store.get().k,
    metric: doc.metric ?? store.get().metric,
  };
  if (doc.spherize !== undefined) patch.spherize = doc.spherize;
  if (doc.clusters !== undefined) {
    patch.clustersOn = doc.clusters.on === true;
    patch.clusterColumn = typeof doc.clusters.column === "string" ? doc.clusters.column : null;
  }
  if (doc.density !== undefined) {
    patch.density = typeof doc.density.on === "boolean" ? doc.density.on : null;
    if (Number.isFinite(doc.density.from) && doc.density.from >= 0) patch.densityFrom = doc.density.from;
  }
  if (doc.step !== undefined) {
    // a step this embedding does not have (any more) shows the latest
    const steps = store.get().embedding?.steps ?? [];
    patch.step = typeof doc.step === "number" && steps.includes(doc.step) ? doc.step : null;
  }
  store.set(patch);
  const colorBy = doc.colorBy === undefined ? store.get().colorBy : known(doc.colorBy) ? doc.colorBy : null;
  await Promise.all([
    known(doc.labelBy) ? setLabelBy(doc.labelBy as string) : Promise.resolve(),
    setColorChoice(
      colorBy,
      doc.colorMode ?? (colorBy === store.get().colorBy ? store.get().colorMode : "category"),
      doc.colorScale === "linear" || doc.colorScale === "log" ? doc.colorScale : null,
    ),
  ]);
  if (doc.filters !== undefined) await restoreFilters(readFilters(doc.filters));
  const camera = parseCamera(doc.camera);
  if (camera) cameraView.set(camera); // waits for the projection's points when their kind (2-D / 3-D) differs
  await project(indices(doc.isolated));
  const n = store.get().embedding?.shape[0] ?? 0;
  const focus = typeof doc.focus === "number" && doc.focus >= 0 && doc.focus < n ? doc.focus : null;
  if (focus !== null) {
    await focusPoint(focus);
    return;
  }
  const selection = (indices(doc.selection) ?? []).filter((i) => i < n);
  store.set({
    selection,
    selectionSource: selection.length ? "search" : null,
    focus: null,
    neighbors: null,
    searchCount: null,
  });
}
