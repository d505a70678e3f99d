// The shapes of the HTTP API this page uses: aliases of the types generated from the server's OpenAPI schema
// (schema.d.ts, from openapi.json; `make api-types` writes both, `make lint` checks they are current).
import type { components } from "./schema";

type Schemas = components["schemas"];

/** The server's error: `{"error": ErrorBody}` on every 4xx / 5xx answer. */
export type ErrorBody = Schemas["ErrorDetail"];
export type ColumnInfo = Schemas["ColumnInfo"];
export type SpriteInfo = Schemas["SpriteInfo"];
export type EmbeddingInfo = Schemas["EmbeddingInfo"];
export type RunsInfo = Schemas["RunsInfo"];
export type SearchResponse = Schemas["SearchResponse"];
export type Neighbor = Schemas["NeighborOut"];
export type NeighborsResponse = Schemas["NeighborsResponse"];
export type CompareRequest = Schemas["CompareRequest"];
export type CompareResponse = Schemas["CompareResponse"];
export type StepNeighbor = Schemas["StepNeighbor"];
export type ProjectionRequest = Schemas["ProjectionRequest"];
export type JobStatus = Schemas["JobStatus"];
export type Method = ProjectionRequest["method"];
export type Metric = NonNullable<CompareRequest["metric"]>;
export type ExportRequest = Schemas["ExportRequest"];
export type ExportFormat = NonNullable<ExportRequest["format"]>;
export type BookmarkEntry = Schemas["Bookmark"];
export type MetadataJson = Schemas["MetadataJson"];

/** Coordinates of a projection: n rows of dims float32 numbers, row-major (the binary coords and stream frames). */
export interface Coords {
  n: number;
  dims: number;
  data: Float32Array;
  iteration: number;
  final: boolean;
}

// GET /api/options: the server's table of projection and neighbour limits and defaults, which the page reads instead
// of restating them. Written out here until the route is in openapi.json; then these become aliases too.

/** One parameter of a projection method, as the server validates it. */
export interface ParamOption {
  name: string;
  type: "number" | "integer" | "choice" | "string" | "boolean" | "number_or_auto" | "components";
  default: number | string | boolean | null;
  min?: number | null;
  max?: number | null;
  exclusive_min?: boolean | null; // min itself is not allowed
  choices?: string[] | null;
  help?: string | null;
}

/** A number's default and inclusive bounds. */
export interface RangeOption {
  default: number;
  min: number;
  max: number;
}

export interface Options {
  projection: {
    methods: Method[];
    n_components: { default: number; choices: number[] };
    random_state: RangeOption;
    pca_components: number; // PCA computes this many components (the axes offered)
    params: Record<Method, ParamOption[]>;
  };
  neighbors: { k: RangeOption };
}
