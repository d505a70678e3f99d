// The shapes of the HTTP API this page uses: aliases of the types generated from the server's OpenAPI schema
// (schema.d.ts: generated at build time by the Makefile from `python -m embedscope.server.openapi`, git-ignored).
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
export type MeaningResponse = Schemas["MeaningResponse"];
export type CompareRequest = Schemas["CompareRequest"];
export type CompareResponse = Schemas["CompareResponse"];
export type StepNeighbor = Schemas["StepNeighbor"];
export type EmbeddingsComparison = Schemas["EmbeddingsComparison"];
export type CompareEmbeddingsRequest = Schemas["CompareEmbeddingsRequest"];
export type ProjectionRequest = Schemas["ProjectionRequest"];
export type JobStatus = Schemas["JobStatus"];
export type Method = ProjectionRequest["method"];
export type Metric = NonNullable<CompareRequest["metric"]>;
export type ExportRequest = Schemas["ExportRequest"];
export type ExportFormat = NonNullable<ExportRequest["format"]>;
export type BookmarkEntry = Schemas["Bookmark"];
export type MetadataJson = Schemas["MetadataJson"];
export type ClustersResponse = Schemas["ClustersResponse"];
export type ClusterInfo = Schemas["ClusterInfo"];
export type EditInfo = Schemas["EditInfo"];
export type EditRequest = Schemas["EditRequest"];
export type EditsResponse = Schemas["EditsResponse"];
export type TilePyramid = Schemas["PyramidResponse"];

/** Coordinates of a projection: n rows of dims float32 numbers, row-major (the binary coords and stream frames). */
export interface Coords {
  n: number;
  dims: number;
  data: Float32Array;
  iteration: number;
  final: boolean;
}

// GET /api/options: the server's table of projection and neighbour limits and defaults, which the page reads instead
// of restating them (state/options.ts).
export type Options = Schemas["Options"];
/** One parameter of a projection method, as the server validates it (min / max; exclusive_min: min is not allowed). */
export type ParamOption = Schemas["ParamOut"];
/** A number's default and inclusive bounds. */
export type RangeOption = Schemas["RangeOut"];
