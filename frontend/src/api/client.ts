// The typed client of embedscope's HTTP API (bookmarks.ts: the bookmarks; upload.ts: metadata files; stream.ts: a
// job's live frames). Failures follow http.ts: ApiError with the server's error body, or ConnectionLost.
import { apiUrl, getJson, request, sendJson } from "./http";
import type {
  ClustersResponse,
  CompareEmbeddingsRequest,
  CompareRequest,
  CompareResponse,
  Coords,
  EditRequest,
  EditsResponse,
  EmbeddingsComparison,
  ExportRequest,
  JobStatus,
  MeaningResponse,
  MetadataJson,
  Metric,
  NeighborsResponse,
  Options,
  ProjectionRequest,
  RunsInfo,
  SearchResponse,
  TilePyramid,
} from "./types";

interface Utf8Data {
  offset: number;
  length: number;
  nullCount: number;
  nullBitmap: Uint8Array | undefined;
  valueOffsets: Int32Array;
  values: Uint8Array;
}

const ascii = new TextDecoder();

/** A UTF-8 column's strings by one decode per chunk and slices at the offsets (decoding each value on its own costs
 * ~1 s a million rows); only where every character is one byte (ASCII), else false and the caller decodes each. */
function asciiStrings(chunks: Utf8Data[], out: (string | number | null)[]): boolean {
  let row = 0;
  for (const d of chunks) {
    if (d.offset !== 0) return false;
    const o = d.valueOffsets;
    const text = ascii.decode(d.values.subarray(o[0], o[d.length]));
    if (text.length !== o[d.length] - o[0]) return false; // a character of more than one byte
    for (let i = 0; i < d.length; i++) {
      const valid = d.nullCount === 0 || !d.nullBitmap || (d.nullBitmap[i >> 3] >> (i & 7)) & 1;
      out[row++] = valid ? text.slice(o[i] - o[0], o[i + 1] - o[0]) : null;
    }
  }
  return true;
}

const emb = (run: string, tensor: string) => `runs/${encodeURIComponent(run)}/embeddings/${encodeURIComponent(tensor)}`;
const job = (id: string, action: string) => `projections/${encodeURIComponent(id)}/${action}`;

export const api = {
  runs: () => getJson<RunsInfo>("runs"),

  /** The server's projection and neighbour limits and defaults (the page asks once, at boot: state/boot.ts). */
  loadOptions: () => getJson<Options>("options"),

  /** One metadata column's values for every row (Arrow IPC on the wire). */
  async column(run: string, tensor: string, name: string): Promise<(string | number | null)[]> {
    const response = await request(`${emb(run, tensor)}/metadata`, { query: { columns: name, format: "arrow" } });
    if (response.headers.get("Content-Type")?.startsWith("application/json")) {
      return (((await response.json()) as MetadataJson).data[name] ?? []) as (string | number | null)[]; // a saved page: JSON
    }
    const { tableFromIPC, DataType } = await import("apache-arrow"); // loaded on first use: the panels draw without it
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    const vector = table.getChild(name);
    if (vector === null) return [];
    const values: (string | number | null)[] = new Array(table.numRows);
    if (vector.data.every((d) => DataType.isUtf8(d.type)) && asciiStrings(vector.data as unknown as Utf8Data[], values)) {
      return values;
    }
    for (let i = 0; i < table.numRows; i++) {
      const v = vector.get(i);
      values[i] = v === null || v === undefined ? null : typeof v === "bigint" ? Number(v) : (v as string | number);
    }
    return values;
  },

  search: (run: string, tensor: string, q: string, opts: { column?: string; regex?: boolean } = {}) =>
    getJson<SearchResponse>(`${emb(run, tensor)}/search`, {
      q,
      column: opts.column,
      mode: opts.regex ? "regex" : "substring",
    }),

  /** The k nearest points to row `index` (or the point labelled so), at training step `step` (null: the latest). */
  neighbors: (
    run: string,
    tensor: string,
    index: number | string,
    k: number,
    metric: Metric = "cosine",
    step: number | null = null,
  ) =>
    sendJson<NeighborsResponse>(`${emb(run, tensor)}/neighbors`, {
      query: index,
      k,
      metric,
      ...(step === null ? {} : { step }),
    }),

  /** The k points nearest in meaning to a free text (embedded by the model that made the vectors, or the mean of
   * its words' vectors for a word table). */
  meaning: (run: string, tensor: string, text: string, k: number, metric: Metric = "cosine") =>
    sendJson<MeaningResponse>(`${emb(run, tensor)}/meaning`, { text, k, metric }),

  /** This embedding compared with another of the same items: neighbour overlap per item, as new columns of this one. */
  compareEmbeddings: (run: string, tensor: string, body: CompareEmbeddingsRequest) =>
    sendJson<EmbeddingsComparison>(`${emb(run, tensor)}/compare`, body),

  /** How a point's k nearest neighbours changed between two training steps (stayed, appeared, left). */
  compareNeighbors: (run: string, tensor: string, body: CompareRequest) =>
    sendJson<CompareResponse>(`${emb(run, tensor)}/neighbors/compare`, body),

  /** Some rows' labels (the column's values as text), in the order asked: a large table's lists (tileActions.ts). */
  labels: (run: string, tensor: string, rows: number[], column: string | null) =>
    getJson<{ column: string | null; labels: (string | null)[] }>(`${emb(run, tensor)}/labels`, {
      rows: rows.join(","),
      column: column ?? undefined,
    }),

  /** Every metadata column's value for one row (the hover tooltip's). */
  async metadataRow(run: string, tensor: string, index: number): Promise<Record<string, unknown>> {
    const query = { format: "json", offset: index, limit: 1 };
    const body = await getJson<MetadataJson>(`${emb(run, tensor)}/metadata`, query);
    return Object.fromEntries(body.columns.map((c) => [c, body.data[c]?.[0] ?? null]));
  },

  /** An export file (the selection's rows or every row, with the job's coordinates when given) and its name. */
  async exportFile(run: string, tensor: string, body: ExportRequest): Promise<{ blob: Blob; filename: string }> {
    const response = await request(`${emb(run, tensor)}/export`, { method: "POST", json: body });
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `export.${body.format ?? "csv"}`;
    return { blob: await response.blob(), filename };
  },

  /** The view as one HTML file that works from disk (its name and how many points it holds). */
  async exportHtml(
    run: string,
    tensor: string,
    body: { job_id: string; columns: string[]; title: string; view: string; clusters: boolean },
  ): Promise<{ blob: Blob; filename: string; points: number }> {
    const response = await request(`${emb(run, tensor)}/export/html`, { method: "POST", json: body });
    const filename = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "map.html";
    return { blob: await response.blob(), filename, points: Number(response.headers.get("X-Points") ?? 0) };
  },

  startProjection: (run: string, tensor: string, body: ProjectionRequest) =>
    sendJson<JobStatus>(`${emb(run, tensor)}/projections`, body),

  pauseProjection: (id: string) => sendJson<JobStatus>(job(id, "pause"), {}),
  resumeProjection: (id: string) => sendJson<JobStatus>(job(id, "resume"), {}),
  cancelProjection: (id: string) => sendJson<JobStatus>(job(id, "cancel"), {}),
  /** Nudge a running t-SNE's layout with small noise (TensorBoard's Perturb). */
  perturbProjection: (id: string) => sendJson<JobStatus>(job(id, "perturb"), {}),

  /** The clusters of a finished job's map, named from `column` (null: the label column); they become the embedding's
   * `cluster` and `cluster_label` columns. */
  findClusters: (id: string, column: string | null) =>
    sendJson<ClustersResponse>(job(id, "clusters"), column === null ? {} : { column }),

  /** Name a cluster of the job's map (null: back to the name made from its terms). */
  nameCluster: (id: string, cluster: number, name: string | null) =>
    sendJson<ClustersResponse>(job(id, `clusters/${cluster}`), { name }, "PUT"),

  /** The embedding's tags ("Tag selection as"), oldest first, with its description. */
  edits: (run: string, tensor: string) => getJson<EditsResponse>(`${emb(run, tensor)}/edits`),

  /** Tag rows with a value in a column (a new one, or an existing one); the server keeps it. */
  tag: (run: string, tensor: string, body: EditRequest) => sendJson<EditsResponse>(`${emb(run, tensor)}/edits`, body),

  /** Undo the embedding's last tag. */
  async undoTag(run: string, tensor: string): Promise<EditsResponse> {
    return (await (await request(`${emb(run, tensor)}/edits/last`, { method: "DELETE" })).json()) as EditsResponse;
  },

  /** Where the metadata (tags included) downloads from, as a TSV (the projector's rules) or a Parquet file. */
  metadataFileUrl: (run: string, tensor: string, format: "tsv" | "parquet") =>
    apiUrl(`${emb(run, tensor)}/metadata`, { format }),

  /** A finished 2-D map's tile pyramid (built by the server on the first call). */
  tilePyramid: (id: string) => getJson<TilePyramid>(job(id, "tiles")),

  /** One tile of a map as Arrow IPC bytes (row, x, y; `label` and `color`: those columns' values, when given). */
  async tileBytes(id: string, key: string, label: string | null, color: string | null = null): Promise<ArrayBuffer> {
    const query = { label: label ?? undefined, color: color ?? undefined };
    const response = await request(job(id, `tiles/${key}`), { query });
    return response.arrayBuffer();
  },

  /** The rows of the whole map whose points lie in the rectangle (map coordinates), ascending. */
  async within(id: string, box: [number, number, number, number]): Promise<number[]> {
    const [x0, y0, x1, y1] = box;
    const response = await request(job(id, "within"), { query: { x0, y0, x1, y1, format: "int32" } });
    return Array.from(new Int32Array(await response.arrayBuffer()));
  },

  /** The final coordinates of a finished job, as float32 rows. */
  async coords(id: string): Promise<Coords> {
    const response = await request(job(id, "coords"), { query: { format: "binary" } });
    const [n, dims] = (response.headers.get("X-Shape") ?? "0,0").split(",").map(Number);
    const data = new Float32Array(await response.arrayBuffer());
    return { n, dims, data, iteration: -1, final: true };
  },
};
