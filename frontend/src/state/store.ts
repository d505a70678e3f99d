// One store for the page: the data set, the projection, the selection and the view choices.
import { useEffect, useState } from "preact/hooks";
import type { Filter } from "./filters";
import type { VersusNeighbors } from "./versusActions";
import type { ClustersResponse, CompareResponse, EditInfo, EmbeddingsComparison, EmbeddingInfo, MeaningResponse, JobStatus, Method, Metric, Neighbor, Options, RunsInfo, TilePyramid } from "../api/types";

export type Values = (string | number | null)[];

export interface ProjectionChoice {
  method: Method;
  dims: 2 | 3;
  axes: [number, number, number]; // PCA components shown on X, Y, Z
}

/** Parameters of t-SNE, UMAP and custom axes (projectionActions.ts sends them); their defaults and bounds are the
 * server's (state/options.ts). */
export type NeighborGraph = "auto" | "exact" | "approximate";

export interface ProjectionParams {
  perplexity: number; // t-SNE
  iterations: number;
  learningRate: number | "auto";
  tsneSeed: number;
  neighbors: number; // UMAP
  minDist: number;
  umapSeed: number;
  parallel: boolean; // UMAP on every core: faster, not reproducible
  graph: NeighborGraph; // t-SNE and UMAP: the k-NN graph, exact or approximate
  supervise: string | null; // t-SNE: the metadata column whose labels pull points together; null: unsupervised
  superviseStrength: number;
  superviseIgnore: string; // the label of unlabelled points

  column: string | null; // custom: the metadata column the patterns match
  left: string;
  right: string;
  up: string;
  down: string;
  regex: boolean;

  coords: string[]; // precomputed: the numeric columns on X, Y, Z ([]: the columns named x, y, z)
}

export interface State {
  options: Options | null; // the server's limits and defaults (state/options.ts), loaded at boot
  runs: RunsInfo | null;
  embedding: EmbeddingInfo | null;
  columns: Record<string, Values>; // metadata columns loaded so far
  labelBy: string | null;
  colorBy: string | null;
  projection: ProjectionChoice;
  job: JobStatus | null;
  variance: number[] | null; // PCA: explained variance ratio of each component computed (options: pca_components)
  coords: { n: number; dims: number; data: Float32Array; version: number; morph?: boolean } | null; // morph: glide there
  tiles: { job: string; pyramid: TilePyramid } | null; // a map too large to send whole, drawn from its tiles (coords null)
  rowLabels: Record<number, string | null>; // a large table's labels of the rows its lists show (tileActions.ts)
  selection: number[];
  selectionSource: "search" | "neighbors" | "legend" | "cluster" | "filter" | "meaning" | null;
  searchText: string;
  searchCount: number | null;
  searchRegex: boolean; // the search text is a regular expression (RE2), not a substring
  searchColumn: string | null; // the metadata column searched; null: the "label by" column
  searchError: string | null; // the server's answer to a pattern that does not compile, shown under the box
  focus: number | null; // the clicked point
  neighbors: Neighbor[] | null;
  k: number;
  error: string | null;
  busy: string | null;
  // scatter view choices (scatterActions.ts)
  showSprites: boolean;
  colorMode: "category" | "numeric"; // how colorBy colours: palette per value, or a continuous scale
  colorScale: "linear" | "log" | null; // the continuous scale chosen; null: log for a skewed positive column, else linear
  theme: "light" | "dark";
  density: boolean | null; // the density layer (2-D): on, off, or null: on from `densityFrom` points drawn
  densityFrom: number;
  axisLabels: { x: string; y: string } | null; // custom projections: what the axes mean
  // projections and inspector (projectionActions.ts, inspectorActions.ts)
  params: ProjectionParams;
  isolated: number[] | null; // rows the shown projection was made of ("Isolate"); the others' coords are NaN
  metric: Metric; // of the neighbours list
  spherize: boolean | null; // data panel "Spherize data": centre and scale each row first; null = server default (on for D >= 50)
  offline: { attempt: number; retryAt: number } | null; // the server stopped answering: the next try (connection.ts)
  notice: string | null; // a passing note (bookmarks loaded from a file)
  helpOpen: boolean; // the keyboard shortcuts' help
  // training steps (stepActions.ts): the step shown and the neighbour comparison between two steps
  step: number | null; // the step projected; null: the latest (or no steps)
  playing: boolean; // stepping through the steps
  compareWith: number | null; // the step the clicked point's neighbours are compared with; null: no comparison
  compare: CompareResponse | null; // the comparison's answer for the clicked point
  // clusters of the map shown (clusterActions.ts): found on the server once the projection is done, while on
  clustersOn: boolean; // "Label clusters"
  clusterColumn: string | null; // the column they are named from; null: the label column
  clusters: ClustersResponse | null; // of the job shown (its job_id), every level
  filters: Filter[]; // on metadata columns (filters.ts): the points that do not pass them all are greyed out
  searchMeaning: boolean; // the search box finds points by meaning (meaningActions.ts), not by their text
  meaning: (MeaningResponse & { text: string }) | null; // the last search by meaning, its points selected
  versus: EmbeddingsComparison | null; // the shown embedding compared with another (versusActions.ts)
  versusNeighbors: VersusNeighbors | null; // the clicked point's neighbours in both
  edits: EditInfo[] | null; // the shown embedding's tags, oldest first (editActions.ts); null: not listed yet
}

/** The density layer is on by default from this many points drawn. */
export const DENSITY_FROM = 100_000;

/** Not known before the server's options arrive (boot.ts sets them, and the defaults, before anything is projected). */
const UNSET = Number.NaN;

export const initialState: State = {
  options: null,
  runs: null,
  embedding: null,
  columns: {},
  labelBy: null,
  colorBy: null,
  projection: { method: "pca", dims: 2, axes: [0, 1, 2] },
  job: null,
  variance: null,
  coords: null,
  tiles: null,
  rowLabels: {},
  selection: [],
  selectionSource: null,
  searchText: "",
  searchCount: null,
  searchRegex: false,
  searchColumn: null,
  searchError: null,
  focus: null,
  neighbors: null,
  k: UNSET,
  error: null,
  busy: null,
  showSprites: false,
  colorMode: "category",
  colorScale: null,
  theme: typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light",
  density: null,
  densityFrom: DENSITY_FROM,
  axisLabels: null,
  params: {
    perplexity: UNSET,
    iterations: UNSET,
    learningRate: "auto",
    tsneSeed: UNSET,
    neighbors: UNSET,
    minDist: UNSET,
    umapSeed: UNSET,
    parallel: false,
    graph: "auto",
    supervise: null,
    superviseStrength: UNSET,
    superviseIgnore: "",
    column: null,
    left: "",
    right: "",
    up: "",
    down: "",
    regex: false,
    coords: [],
  },
  isolated: null,
  metric: "cosine",
  spherize: null,
  offline: null,
  notice: null,
  helpOpen: false,
  step: null,
  playing: false,
  compareWith: null,
  compare: null,
  clustersOn: false,
  clusterColumn: null,
  clusters: null,
  filters: [],
  searchMeaning: false,
  meaning: null,
  versus: null,
  versusNeighbors: null,
  edits: null,
};

type Listener = (state: State) => void;

export class Store {
  private listeners = new Set<Listener>();
  constructor(private state: State) {}

  get(): State {
    return this.state;
  }

  set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const store = new Store(initialState);

/** The store's state in a component, re-rendered on every change. */
export function useStore(): State {
  const [state, setState] = useState(store.get());
  useEffect(() => store.subscribe(setState), []);
  return state;
}

/** How many points the map draws: the isolated ones, else every row. */
export function drawnPoints(state: State): number {
  return state.isolated?.length ?? state.embedding?.shape[0] ?? 0;
}

/** Whether the density layer is on: the user's choice, else from `densityFrom` points drawn, and always for a map
 * drawn from tiles (its density shows what is not loaded). */
export function densityOn(state: State): boolean {
  return state.density ?? (state.tiles !== null || drawnPoints(state) >= state.densityFrom);
}

/** Whether the embedding has more rows than the page takes whole (the server's `tiles_from`): its columns are not
 * loaded, its map's tiles bring the label column's values and the server the rest (a row on hover, search). */
export function largeTable(state: Pick<State, "options" | "embedding">): boolean {
  const from = state.options?.map?.tiles_from;
  return from !== undefined && (state.embedding?.shape[0] ?? 0) > from;
}

/** The label of point i: the "label by" column's value, else its row number. */
export function labelOf(state: State, i: number): string {
  const values = state.labelBy ? state.columns[state.labelBy] : undefined;
  const v = values?.[i];
  return v === null || v === undefined ? `#${i}` : String(v);
}

/** Whether the "label by" column holds numbers (a digit, a class number: many rows share each). */
export function numericLabels(state: State): boolean {
  return state.embedding?.columns.find((c) => c.name === state.labelBy)?.type === "numeric";
}

/** A point as the inspector lists it: its label; with numeric labels its row first, as `#123 (0)`. */
export function listLabel(state: State, i: number): string {
  const values = state.labelBy ? state.columns[state.labelBy] : undefined;
  const v = values?.[i] ?? state.rowLabels[i];
  if (v === null || v === undefined) return `#${i}`;
  return numericLabels(state) || typeof v === "number" ? `#${i} (${String(v)})` : String(v);
}
