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
}

export interface ProjectionSummary {
  method: string;
  dims: number;
  n: number;
  explained_variance_ratio?: (number | null)[] | null;
  quality?: number | null;
  cached?: boolean;
}

export interface JobStatus {
  id: string;
  method: Method;
  n_components: number;
  params: Record<string, unknown>;
  spherize?: boolean; // whether the rows were centred and scaled first (the server's choice when the request left it out)
  subset_size?: number | null;
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
