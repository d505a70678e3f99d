// Every request of the page goes through `request`, with one rule for failures: when no answer comes (the server is
// down, the network dropped) the connection watcher hears of it (the page's lost-connection banner, which tries again)
// and ConnectionLost is thrown; an HTTP error answer throws ApiError carrying the server's JSON error body.
import { NotInFile, staticAnswer, staticData } from "./staticFile";
import type { ErrorBody } from "./types";

/** The server's error as one readable line: its message (which often already names the file, line and fix), with
 * the fix appended only when the message lacks it; the kind when the message is empty. */
export function errorText(body: ErrorBody): string {
  const message = body.message.trim() || body.kind;
  return body.fix && !message.includes(body.fix) ? `${message}; ${body.fix}` : message;
}

/** The server answered with an error: its status and its error body (`{"error": {kind, message, …}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(errorText(body));
  }
}

/** No answer: the request could not be sent, or the connection dropped before the answer. */
export class ConnectionLost extends Error {
  constructor(cause: unknown) {
    super(`cannot reach the server: ${String(cause)}`);
  }
}

/** Who hears that the server stopped answering or answers again (state/connection.ts). */
interface ConnectionWatcher {
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

type Query = Record<string, string | number | boolean | undefined>;

/** A URL of the API, relative to the page (so the app works under a path prefix too). */
export function apiUrl(path: string, query?: Query): string {
  const url = new URL(`api/${path}`, document.baseURI);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  query?: Query;
  json?: unknown; // sent as JSON
  body?: FormData; // sent as is (the browser sets the multipart boundary)
}

/** The error an HTTP error answer means: the server's error body, else its status line. */
async function answerError(response: Response): Promise<ApiError> {
  let body: ErrorBody =
    response.status === 413
      ? { kind: "too_large", message: "the request is larger than the server accepts" }
      : { kind: "http", message: `${response.status} ${response.statusText}`.trim() };
  try {
    const json = await response.json();
    if (json && typeof json.error === "object" && json.error !== null) body = json.error as ErrorBody;
  } catch {
    // not JSON (a proxy's page, an empty body): keep the status line
  }
  return new ApiError(response.status, body);
}

/** One request of the API: the answer when it is a success; ApiError or ConnectionLost when not. */
export async function request(path: string, { method = "GET", query, json, body }: RequestOptions = {}): Promise<Response> {
  const init: RequestInit = { method };
  if (json !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const file = staticData();
  if (file !== null) {
    try {
      return staticAnswer(file, path, method, new URLSearchParams(Object.entries(query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])));
    } catch (err) {
      const message = err instanceof NotInFile ? err.message : String(err);
      throw new ApiError(404, { kind: "not_in_file", message });
    }
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), init);
  } catch (err) {
    connection.lost();
    throw new ConnectionLost(err);
  }
  connection.alive();
  if (!response.ok) throw await answerError(response);
  return response;
}

/** GET a JSON answer. */
export async function getJson<T>(path: string, query?: Query): Promise<T> {
  return (await (await request(path, { query })).json()) as T;
}

/** Send JSON (POST unless told otherwise) and read the JSON answer. */
export async function sendJson<T>(path: string, json: unknown, method: RequestOptions["method"] = "POST"): Promise<T> {
  return (await (await request(path, { method, json })).json()) as T;
}
