// What the page does: each action talks to the API and puts the answer in the store.
import { ApiError, api } from "../api/client";
import { watchConnection } from "./connection";
import { project } from "./projectionActions";
import { openFromUrl } from "./urlSync";
import { exposeStore, viewReady } from "./viewReady";
import type { EmbeddingInfo, JobStatus } from "../api/types";
import { type ProjectionChoice, store } from "./store";

let stopWatching: (() => void) | null = null;
let searchSeq = 0;
let neighborsSeq = 0;

function fail(err: unknown): void {
  if (err instanceof ApiError && err.body.kind === "connection") {
    store.set({ busy: null }); // the lost-connection banner says so, and the page tries again
    return;
  }
  const message = err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
  store.set({ error: message, busy: null });
}

function current(): EmbeddingInfo {
  const emb = store.get().embedding;
  if (emb === null) throw new Error("no embedding chosen");
  return emb;
}

/** Open the page: the runs, then (once the plot's renderer is loaded) the view the URL names (a shared link) or the
 * first embedding's PCA. */
export async function init(): Promise<void> {
  watchConnection(recover);
  exposeStore();
  try {
    const runs = await api.runs();
    store.set({ runs });
    await viewReady;
    const first = runs.runs.find((r) => r.embeddings.length > 0)?.embeddings[0];
    if (!first) {
      store.set({ error: "the server has no embeddings to show" });
      return;
    }
    if (!(await openFromUrl())) await chooseEmbedding(first.run, first.id);
  } catch (err) {
    fail(err);
  }
}

/** After a lost connection: fetch again what the page is missing (the runs, the columns, an unfinished projection). */
async function recover(): Promise<void> {
  const s = store.get();
  if (s.runs === null || s.embedding === null) {
    await init();
    return;
  }
  await Promise.all([loadColumn(s.labelBy), loadColumn(s.colorBy)]);
  const job = store.get().job;
  if (store.get().coords === null || (job !== null && job.state !== "done" && job.state !== "failed" && job.state !== "cancelled")) {
    await runProjection();
  }
}

/** A column worth colouring by: a few distinct values. */
export function categorical(emb: EmbeddingInfo): string[] {
  return emb.columns.filter((c) => c.distinct && c.distinct.length > 1).map((c) => c.name);
}

/** Show another embedding: its default label and colour columns, then (unless told not to) its PCA. */
export async function chooseEmbedding(run: string, tensor: string, opts: { project?: boolean } = {}): Promise<void> {
  const emb = store.get().runs?.runs.find((r) => r.id === run)?.embeddings.find((e) => e.id === tensor);
  if (!emb) return;
  stopWatching?.();
  const labelBy = emb.label_column ?? emb.columns[0]?.name ?? null;
  const colorBy = categorical(emb)[0] ?? null;
  store.set({
    embedding: emb,
    columns: {},
    labelBy,
    colorBy,
    job: null,
    variance: null,
    coords: null,
    selection: [],
    selectionSource: null,
    searchCount: null,
    focus: null,
    neighbors: null,
    error: null,
    spherize: null, // each embedding starts on the server's default (on from 50 dimensions)
    step: null, // its latest step
    compareWith: null,
    compare: null,
    searchColumn: null,
    searchError: null,
  });
  // the projection is asked for at once, beside the columns (the points draw in the default colour until the colour
  // column is there): the first draw does not wait for the columns' download and decoding
  await Promise.all([
    loadColumn(labelBy),
    loadColumn(colorBy),
    opts.project !== false ? runProjection(null) : null, // a new embedding: nothing isolated
  ]);
}

export async function loadColumn(name: string | null): Promise<void> {
  if (name === null || store.get().columns[name]) return;
  const emb = current();
  try {
    const values = await api.column(emb.run, emb.id, name);
    if (store.get().embedding !== emb) return;
    store.set({ columns: { ...store.get().columns, [name]: values } });
  } catch (err) {
    fail(err);
  }
}

export async function setLabelBy(name: string): Promise<void> {
  store.set({ labelBy: name });
  await loadColumn(name);
}

export async function setColorBy(name: string | null): Promise<void> {
  store.set({ colorBy: name });
  await loadColumn(name);
}

export async function setProjection(patch: Partial<ProjectionChoice>, run = true): Promise<void> {
  store.set({ projection: { ...store.get().projection, ...patch } });
  if (run) await runProjection();
}

function showStatus(job: JobStatus): void {
  const patch: Parameters<typeof store.set>[0] = { job };
  const ratio = job.summary?.explained_variance_ratio;
  if (job.method === "pca" && ratio) patch.variance = ratio.map((v) => v ?? 0);
  if (job.state === "failed" && job.error) patch.error = job.error.message;
  if (job.state === "done" || job.state === "failed" || job.state === "cancelled") patch.busy = null;
  store.set(patch);
}

/** Start (or attach to) the chosen projection, whatever its method; one code path for the whole page. */
export async function runProjection(subset: number[] | null = store.get().isolated): Promise<void> {
  stopWatching?.();
  stopWatching = null;
  await project(subset);
}

export async function stopProjection(): Promise<void> {
  const job = store.get().job;
  if (!job || job.state === "done") return;
  try {
    showStatus(await api.cancelProjection(job.id));
  } catch (err) {
    fail(err);
  }
}

/** Select the rows whose value (in the search column, else the "label by" one) contains the text, or matches it as a
 * regular expression; a pattern that does not compile is said under the search box. */
export async function search(text: string): Promise<void> {
  const seq = ++searchSeq;
  store.set({ searchText: text });
  if (text.trim() === "") {
    store.set({ selection: [], selectionSource: null, searchCount: null, searchError: null });
    return;
  }
  const emb = current();
  try {
    const { searchColumn, labelBy, searchRegex } = store.get();
    const column = searchColumn ?? labelBy ?? undefined;
    const result = await api.search(emb.run, emb.id, text, { column, regex: searchRegex });
    if (seq !== searchSeq) return;
    store.set({
      selection: result.indices,
      selectionSource: "search",
      searchCount: result.count,
      searchError: null,
      focus: null,
      neighbors: null,
    });
  } catch (err) {
    if (seq !== searchSeq) return;
    if (err instanceof ApiError && err.status === 400) {
      // a pattern that does not compile (yet, while it is typed): say so by the box, select nothing
      store.set({ searchError: err.message, selection: [], selectionSource: null, searchCount: null });
      return;
    }
    fail(err);
  }
}

/** The search's options: regular expression or substring, and the column searched (null: the "label by" one).
 * The current text is searched again with them. */
export async function setSearchOptions(patch: { searchRegex?: boolean; searchColumn?: string | null }): Promise<void> {
  store.set({ ...patch, searchError: null });
  const { searchColumn, labelBy, searchText } = store.get();
  if (searchColumn !== null && searchColumn !== labelBy) void loadColumn(searchColumn); // its values, in the list
  if (searchText.trim() !== "") await search(searchText);
}

/** Click on a point: it and its nearest neighbours (original space, from the server) are selected. */
export async function focusPoint(index: number): Promise<void> {
  const seq = ++neighborsSeq;
  const emb = current();
  store.set({ focus: index, neighbors: null });
  try {
    const result = await api.neighbors(emb.run, emb.id, index, store.get().k, "cosine", store.get().step);
    if (seq !== neighborsSeq) return;
    store.set({
      neighbors: result.neighbors,
      selection: [index, ...result.neighbors.map((n) => n.index)],
      selectionSource: "neighbors",
      searchCount: null,
    });
  } catch (err) {
    if (seq === neighborsSeq) fail(err);
  }
}

export function selectCategory(column: string, value: string | number): void {
  const values = store.get().columns[column] ?? [];
  const selection: number[] = [];
  values.forEach((v, i) => {
    if (v !== null && String(v) === String(value)) selection.push(i);
  });
  store.set({ selection, selectionSource: "legend", focus: null, neighbors: null, searchCount: null });
}

export function clearSelection(): void {
  searchSeq += 1;
  neighborsSeq += 1;
  store.set({
    selection: [],
    selectionSource: null,
    focus: null,
    neighbors: null,
    searchCount: null,
    searchText: "",
    searchError: null,
  });
}

export function dismissError(): void {
  store.set({ error: null });
}
