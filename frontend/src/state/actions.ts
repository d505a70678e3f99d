// What the page does: each action talks to the API and puts the answer in the store (boot.ts opens the page).
import { api } from "../api/client";
import { ApiError } from "../api/http";
import { errorMessage, fail } from "./failure";
import { coordsFor, project } from "./projectionActions";
import type { EmbeddingInfo } from "../api/types";
import { largeTable, store } from "./store";

let searchSeq = 0;
let neighborsSeq = 0;

function current(): EmbeddingInfo {
  const emb = store.get().embedding;
  if (emb === null) throw new Error("no embedding chosen");
  return emb;
}

/** A column worth colouring by: a few distinct values. */
export function categorical(emb: EmbeddingInfo): string[] {
  return emb.columns.filter((c) => c.distinct && c.distinct.length > 1).map((c) => c.name);
}

/** Show another embedding: its default label and colour columns, then (unless told not to) its PCA. */
export async function chooseEmbedding(run: string, tensor: string, opts: { project?: boolean } = {}): Promise<void> {
  const emb = store.get().runs?.runs.find((r) => r.id === run)?.embeddings.find((e) => e.id === tensor);
  if (!emb) return;
  const labelBy = emb.label_column ?? emb.columns[0]?.name ?? null;
  const colorBy = categorical(emb)[0] ?? null;
  const { projection, params } = store.get();
  // custom axes name the other data's labels, precomputed coordinates its columns: another embedding opens on PCA
  // unless it has columns to draw (t-SNE and UMAP wait for Run); a map made on a cluster opens on its own coordinates
  const mapped = emb.map_columns && emb.map_columns.length >= 2 ? emb.map_columns : null;
  const coords = mapped ?? (projection.method === "precomputed" ? coordsFor(emb, params.coords) : null);
  const method = mapped
    ? "precomputed"
    : projection.method === "custom" || (projection.method === "precomputed" && coords === null)
      ? "pca"
      : projection.method;
  const dims = coords !== null && coords.length < projection.dims ? 2 : projection.dims;
  store.set({
    projection: { ...projection, method, dims },
    params: { ...params, column: null, coords: coords ?? [] },
    embedding: emb,
    columns: {},
    labelBy,
    colorBy,
    job: null,
    variance: null,
    coords: null,
    tiles: null,
    rowLabels: {},
    selection: [],
    selectionSource: null,
    searchCount: null,
    focus: null,
    neighbors: null,
    error: null,
    spherize: null, // each embedding starts on the server's default (on from 50 dimensions)
    showSprites: !!emb.sprite, // thumbnails where there are some
    step: null, // its latest step
    compareWith: null,
    compare: null,
    versus: null,
    versusNeighbors: null,
    meaning: null,
    searchColumn: null,
    searchError: null,
  });
  // the projection is asked for at once, beside the columns (the points draw in the default colour until the colour
  // column is there): the first draw does not wait for the columns' download and decoding
  await Promise.all([
    loadColumn(labelBy),
    loadColumn(colorBy),
    opts.project !== false ? project(null) : null, // a new embedding: nothing isolated
  ]);
}

export async function loadColumn(name: string | null): Promise<void> {
  if (name === null || store.get().columns[name] || largeTable(store.get())) return; // a large table's: by tile
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
      store.set({ searchError: errorMessage(err), selection: [], selectionSource: null, searchCount: null });
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
