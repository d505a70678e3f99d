// The shapes of the HTTP API's answers this page uses (see /openapi.json).

export interface ErrorBody {
  kind: string;
  message: string;
  path?: string | null;
  line?: number | null;
  column?: number | null;
  field?: string | null;
  fix?: string | null;
}

export interface ValueCount {
  value: string | number;
  count: number;
}

export interface ColumnInfo {
  name: string;
  type: string; // "numeric", "string" or an Arrow type name
  distinct?: ValueCount[] | null;
  min?: number | null;
  max?: number | null;
}

export interface SpriteInfo {
  single_image_dim: [number, number];
  grid: [number, number];
  image_size: [number, number];
}

export interface EmbeddingInfo {
  id: string;
  run: string;
  name: string;
  shape: [number, number];
  label_column: string | null;
  columns: ColumnInfo[];
  sprite: SpriteInfo | null;
  config_bookmarks?: unknown;
  /** Training steps logged (oldest first; the embedding itself is the latest), null if none. */
  steps?: number[] | null;
}

export interface RunInfo {
  id: string;
  name: string;
  embeddings: EmbeddingInfo[];
}

export interface RunsInfo {
  source: string | null;
  runs: RunInfo[];
}

export interface SearchResponse {
  column: string | null;
  count: number;
  indices: number[];
  first: { index: number; label: string }[];
}

export interface Neighbor {
  index: number;
  label: string;
  distance: number | null;
  similarity?: number | null;
  angle?: number | null;
}

export interface NeighborsResponse {
  query: { index: number; label: string } | null;
  metric: string;
  neighbors: Neighbor[];
}

export type Method = "pca" | "tsne" | "umap" | "custom";
export type JobState = "queued" | "running" | "paused" | "done" | "failed" | "cancelled";

export interface ProjectionRequest {
  method: Method;
  n_components: 2 | 3;
  params?: Record<string, unknown>;
  random_state?: number;
  spherize?: boolean | null;
  subset?: number[] | null;
  step?: number | null; // training step to project (default: the latest)
  align_to?: number | null; // step whose frame it is drawn in (default: the latest)
  align?: boolean; // false: each step in its own frame (default true)
}

export interface ProjectionSummary {
  method: string;
  dims: number;
  n: number;
  explained_variance_ratio?: (number | null)[] | null;
  quality?: number | null;
  cached?: boolean;
  aligned_to?: number | null; // the step whose frame the coordinates are in
}

export interface JobStatus {
  id: string;
  method: Method;
  n_components: number;
  params: Record<string, unknown>;
  spherize?: boolean; // whether the rows were centred and scaled first (the server's choice when the request left it out)
  subset_size?: number | null;
  step?: number | null; // training step projected (null: no steps)
  align_to?: number | null; // step whose frame it is drawn in (null: its own)
  state: JobState;
  stage: string;
  fraction: number | null;
  iteration: number | null;
  total: number | null;
  message: string;
  summary: ProjectionSummary | null;
  error: ErrorBody | null;
}

/** Coordinates of a projection: n rows of dims float32 numbers, row-major. */
export interface Coords {
  n: number;
  dims: number;
  data: Float32Array;
  iteration: number;
  final: boolean;
}

/** POST .../neighbors/compare: a point's k nearest neighbours at two training steps. */
export interface CompareRequest {
  query: number | string;
  k: number;
  metric: "cosine" | "euclidean";
  from_step?: number | null; // default: the step before to_step
  to_step?: number | null; // default: the latest
}

export interface StepNeighbor {
  index: number;
  label: string;
  rank_from: number | null; // 1-based rank among the k nearest at from_step (null: not among them)
  rank_to: number | null;
  distance_from: number | null; // 1 - cos, or L2
  distance_to: number | null;
}

export interface CompareResponse {
  query: { index: number; label: string };
  metric: string;
  k: number;
  from_step: number;
  to_step: number;
  stayed: StepNeighbor[]; // among the k nearest at both steps, by rank at to_step
  appeared: StepNeighbor[]; // at to_step only, by rank at to_step
  left: StepNeighbor[]; // at from_step only, by rank at from_step
}
