// The typed client of embedscope's HTTP API. Every failure becomes an ApiError carrying the server's error body.
import type {
  CompareRequest,
  CompareResponse,
  Coords,
  ErrorBody,
  JobStatus,
  NeighborsResponse,
  ProjectionRequest,
  RunsInfo,
  SearchResponse,
} from "./types";

/** The server's error as one readable line: its message (which often already names the file, line and fix), with
 * the fix appended only when the message lacks it; the kind when the message is empty. */
export function errorText(body: ErrorBody): string {
  const message = body.message.trim() || body.kind;
  return body.fix && !message.includes(body.fix) ? `${message}; ${body.fix}` : message;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(errorText(body));
  }
}

/** Who hears that the server stopped answering (a request could not be sent) or answers again (state/connection.ts). */
export interface ConnectionWatcher {
  lost(): void;
  alive(): void;
}

let watcher: ConnectionWatcher | null = null;

export const connection = {
  watch(w: ConnectionWatcher | null): void {
    watcher = w;
  },
  lost: () => watcher?.lost(),
  alive: () => watcher?.alive(),
};

export const CANNOT_REACH = "cannot reach the server";

/** A URL of the API, relative to the page (so the app works under a path prefix too). */
export function apiUrl(path: string, query?: Record<string, string | number | boolean | undefined>): string {
  const url = new URL(`api/${path}`, document.baseURI);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

async function request(path: string, init?: RequestInit, query?: Record<string, string | number | boolean | undefined>) {
  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), init);
  } catch (err) {
    connection.lost();
    throw new ApiError(0, { kind: "connection", message: `${CANNOT_REACH}: ${String(err)}` });
  }
  connection.alive();
  if (!response.ok) {
    let body: ErrorBody = { kind: "http", message: `${response.status} ${response.statusText}` };
    try {
      const json = await response.json();
      if (json && json.error) body = json.error as ErrorBody;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, body);
  }
  return response;
}

async function getJson<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
  return (await (await request(path, undefined, query)).json()) as T;
}

async function postJson<T>(path: string, body: unknown): Promise<T> {
  const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  return (await (await request(path, init)).json()) as T;
}

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

export const api = {
  runs: () => getJson<RunsInfo>("runs"),

  /** One metadata column's values for every row (Arrow IPC on the wire). */
  async column(run: string, tensor: string, name: string): Promise<(string | number | null)[]> {
    const response = await request(`${emb(run, tensor)}/metadata`, undefined, { columns: name, format: "arrow" });
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

  /** The k nearest points to row `index`, at training step `step` (null: the latest). */
  neighbors: (
    run: string,
    tensor: string,
    index: number,
    k: number,
    metric: "cosine" | "euclidean" = "cosine",
    step: number | null = null,
  ) =>
    postJson<NeighborsResponse>(`${emb(run, tensor)}/neighbors`, {
      query: index,
      k,
      metric,
      ...(step === null ? {} : { step }),
    }),

  /** How a point's k nearest neighbours changed between two training steps (stayed, appeared, left). */
  compareNeighbors: (run: string, tensor: string, body: CompareRequest) =>
    postJson<CompareResponse>(`${emb(run, tensor)}/neighbors/compare`, body),

  startProjection: (run: string, tensor: string, body: ProjectionRequest) =>
    postJson<JobStatus>(`${emb(run, tensor)}/projections`, body),

  cancelProjection: (id: string) => postJson<JobStatus>(`projections/${encodeURIComponent(id)}/cancel`, {}),

  /** The final coordinates of a finished job, as float32 rows. */
  async coords(id: string): Promise<Coords> {
    const response = await request(`projections/${encodeURIComponent(id)}/coords`, undefined, { format: "binary" });
    const [n, dims] = (response.headers.get("X-Shape") ?? "0,0").split(",").map(Number);
    const data = new Float32Array(await response.arrayBuffer());
    return { n, dims, data, iteration: -1, final: true };
  },
};
