// More of the API: steering projection jobs, export files, bookmarks. Failures become ApiErrors as in client.ts.
import { ApiError, CANNOT_REACH, apiUrl, connection } from "./client";
import type { ErrorBody, JobStatus } from "./types";

export type ExportFormat = "csv" | "tsv" | "parquet";

export interface BookmarkEntry {
  name: string;
  state: unknown;
  created: string;
  updated: string;
}

async function call(path: string, method = "GET", body?: unknown): Promise<Response> {
  let response: Response;
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  try {
    response = await fetch(apiUrl(path), init);
  } catch (err) {
    connection.lost();
    throw new ApiError(0, { kind: "connection", message: `${CANNOT_REACH}: ${String(err)}` });
  }
  connection.alive();
  if (!response.ok) {
    let error: ErrorBody = { kind: "http", message: `${response.status} ${response.statusText}` };
    try {
      const json = await response.json();
      if (json && json.error) error = json.error as ErrorBody;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, error);
  }
  return response;
}

const json = async <T>(path: string, method = "GET", body?: unknown) => (await (await call(path, method, body)).json()) as T;
const job = (id: string, action: string) => `projections/${encodeURIComponent(id)}/${action}`;
const emb = (run: string, tensor: string) => `runs/${encodeURIComponent(run)}/embeddings/${encodeURIComponent(tensor)}`;
const mark = (name: string) => `bookmarks/${encodeURIComponent(name)}`;

export const apiExtra = {
  pause: (id: string) => json<JobStatus>(job(id, "pause"), "POST", {}),
  resume: (id: string) => json<JobStatus>(job(id, "resume"), "POST", {}),
  cancel: (id: string) => json<JobStatus>(job(id, "cancel"), "POST", {}),

  /** An export file (the selection's rows or every row, with the job's coordinates when given) and its name. */
  async exportFile(
    run: string,
    tensor: string,
    body: { job_id?: string | null; indices?: number[] | null; format: ExportFormat },
  ): Promise<{ blob: Blob; filename: string }> {
    const response = await call(`${emb(run, tensor)}/export`, "POST", body);
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `export.${body.format}`;
    return { blob: await response.blob(), filename };
  },

  /** Every metadata column's value for one row (the hover tooltip's). */
  async metadataRow(run: string, tensor: string, index: number): Promise<Record<string, unknown>> {
    const path = `${emb(run, tensor)}/metadata?format=json&offset=${index}&limit=1`;
    const body = await json<{ columns: string[]; data: Record<string, unknown[]> }>(path);
    return Object.fromEntries(body.columns.map((c) => [c, body.data[c]?.[0] ?? null]));
  },

  bookmarks: async () => (await json<{ bookmarks: BookmarkEntry[] }>("bookmarks")).bookmarks,
  saveBookmark: (name: string, state: unknown) => json<BookmarkEntry>(mark(name), "PUT", { state }),
  renameBookmark: (name: string, newName: string) =>
    json<BookmarkEntry>(`${mark(name)}/rename`, "POST", { new_name: newName }),
  deleteBookmark: (name: string) => json<{ deleted: string }>(mark(name), "DELETE"),
};
