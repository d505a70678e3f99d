// A page saved as one HTML file (POST .../export/html) has no server: its data sits in `window.EMBEDSCOPE_STATIC`
// and this module answers the page's requests from it (http.ts routes them here), so the map opens from disk and
// hover, search, select and the filters work as they do served. What needs the server (another projection,
// neighbours in the original space, bookmarks, uploads) answers that it is not in the file.
import type { ClustersResponse, EmbeddingInfo, JobStatus, Options, RunsInfo } from "./types";

export interface StaticData {
  version: 1;
  title: string;
  view: string; // the page's URL hash when it was saved: what the file opens on
  runs: RunsInfo;
  options: Options;
  job: JobStatus;
  coords: { n: number; dims: number; data: string }; // base64 of little-endian float32 rows
  columns: Record<string, (string | number | null)[]>;
  clusters: ClustersResponse | null;
}

declare global {
  interface Window {
    EMBEDSCOPE_STATIC?: StaticData;
  }
}

/** The file's data, when the page is a saved file. */
export function staticData(): StaticData | null {
  return typeof window !== "undefined" ? (window.EMBEDSCOPE_STATIC ?? null) : null;
}

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });

/** What the server would answer 404 with: a request this file cannot answer. */
export class NotInFile extends Error {
  constructor(what: string) {
    super(`${what} needs the embedscope server: this page is a saved file with one map`);
  }
}

function decodeCoords(data: StaticData): ArrayBuffer {
  const text = atob(data.coords.data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes.buffer;
}

function embeddingOf(data: StaticData): EmbeddingInfo {
  return data.runs.runs[0].embeddings[0];
}

/** The rows whose `column` value holds `q` (case-insensitive), or matches it as a regular expression. */
function search(data: StaticData, query: URLSearchParams): unknown {
  const emb = embeddingOf(data);
  const column = query.get("column") || emb.label_column || Object.keys(data.columns)[0] || null;
  const values = column === null ? [] : (data.columns[column] ?? []);
  const q = query.get("q") ?? "";
  let test: (s: string) => boolean;
  if (query.get("mode") === "regex") {
    const re = new RegExp(q, "i");
    test = (s) => re.test(s);
  } else {
    const lower = q.toLowerCase();
    test = (s) => s.toLowerCase().includes(lower);
  }
  const indices: number[] = [];
  values.forEach((v, i) => {
    if (q !== "" && v !== null && test(String(v))) indices.push(i);
  });
  const labels = emb.label_column ? (data.columns[emb.label_column] ?? []) : [];
  const first = indices.slice(0, 100).map((i) => ({ index: i, label: String(labels[i] ?? `#${i}`) }));
  return { column, count: indices.length, indices, first };
}

/** One row's values (the tooltip), or one column's (as JSON: the file holds no Arrow). */
function metadata(data: StaticData, query: URLSearchParams): unknown {
  const names = (query.get("columns") ?? "").split(",").filter((c) => c !== "");
  const columns = names.length ? names.filter((c) => c in data.columns) : Object.keys(data.columns);
  const offset = Number(query.get("offset") ?? 0);
  const limit = query.get("limit") === null ? data.coords.n : Number(query.get("limit"));
  const out: Record<string, unknown[]> = {};
  for (const c of columns) out[c] = data.columns[c].slice(offset, offset + limit);
  return { rows: embeddingOf(data).shape[0], offset, columns, data: out };
}

/** The answer to one request of the page, from the file's data. */
export function staticAnswer(data: StaticData, path: string, method: string, query: URLSearchParams): Response {
  const parts = path.split("/");
  if (path === "runs") return json(data.runs);
  if (path === "options") return json(data.options);
  if (path === "bookmarks" && method === "GET") return json({ bookmarks: [], skipped: [] });
  if (parts[0] === "runs" && parts[4] === "metadata" && method === "GET") return json(metadata(data, query));
  if (parts[0] === "runs" && parts[4] === "search") return json(search(data, query));
  if (parts[0] === "runs" && parts[4] === "neighbors" && parts.length === 5) {
    return json({ query: null, metric: "cosine", neighbors: [] }); // the vectors are not in the file
  }
  if (parts[0] === "runs" && parts[4] === "projections" && method === "POST") return json(data.job);
  if (parts[0] === "projections" && parts[1] === data.job.id) {
    if (parts[2] === "coords") {
      return new Response(decodeCoords(data), {
        headers: { "Content-Type": "application/octet-stream", "X-Shape": `${data.coords.n},${data.coords.dims}` },
      });
    }
    if (parts[2] === "clusters" && data.clusters && parts.length === 3) return json(data.clusters);
    if (parts.length === 2 || ["pause", "resume", "cancel"].includes(parts[2])) return json(data.job);
  }
  throw new NotInFile(method === "GET" ? "This" : "Changing this");
}
