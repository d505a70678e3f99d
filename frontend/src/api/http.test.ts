import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, ConnectionLost, apiUrl, connection, errorText, getJson, sendJson } from "./http";

const BASE = "http://127.0.0.1:6006/prefix/";

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  vi.stubGlobal("document", { baseURI: BASE });
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
  connection.watch(null);
});

const lastInit = () => fetchMock.mock.calls.at(-1)![1] as RequestInit;

describe("errorText", () => {
  it("shows the server's message, which already holds the fix, once", () => {
    const body = {
      kind: "metadata",
      message: "words.tsv: 2 rows after the header row for 1,797 vectors; give one line per vector, in the same order",
      fix: "give one line per vector, in the same order",
    };
    expect(errorText(body)).toBe(body.message);
  });

  it("adds the fix when the message lacks it, and names the kind of an empty message", () => {
    expect(errorText({ kind: "x", message: "bad", fix: "do this" })).toBe("bad; do this");
    expect(errorText({ kind: "too_large", message: " " })).toBe("too_large");
  });
});

describe("apiUrl", () => {
  it("is relative to the page, so the app works under a path prefix", () => {
    expect(apiUrl("runs")).toBe(`${BASE}api/runs`);
  });

  it("adds the query, skipping undefined values and encoding the rest", () => {
    const url = new URL(apiUrl("search", { q: "a b&c", column: undefined, regex: true, k: 5 }));
    expect(url.pathname).toBe("/prefix/api/search");
    expect(url.searchParams.get("q")).toBe("a b&c");
    expect(url.searchParams.has("column")).toBe(false);
    expect(url.searchParams.get("regex")).toBe("true");
    expect(url.searchParams.get("k")).toBe("5");
  });
});

describe("ApiError", () => {
  it("shows the message, with the fix when the server gives one", () => {
    expect(new ApiError(400, { kind: "bad_input", message: "bad row" }).message).toBe("bad row");
    const err = new ApiError(400, { kind: "bad_input", message: "bad row", fix: "give 10 rows" });
    expect(err.message).toBe("bad row; give 10 rows");
    expect(err.status).toBe(400);
    expect(err.body.kind).toBe("bad_input");
  });

  it("shows a fix the message already holds once", () => {
    const body = { kind: "not_found", message: "no column 'x': choose among ['a']", fix: "choose among ['a']" };
    expect(new ApiError(404, body).message).toBe(body.message);
  });
});

describe("request errors", () => {
  it("carry the server's error body", async () => {
    const error = { kind: "not_found", message: "no run 'x'", fix: "choose among ['r0']", field: "run" };
    fetchMock.mockResolvedValue(jsonResponse({ error }, 404));
    const err = (await getJson("runs").catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(err.body).toEqual(error);
    expect(err.message).toBe("no run 'x'; choose among ['r0']");
  });

  it("keep the status line when the body is not JSON", async () => {
    fetchMock.mockResolvedValue(new Response("<html>oops</html>", { status: 502, statusText: "Bad Gateway" }));
    const err = (await getJson("runs").catch((e) => e)) as ApiError;
    expect(err.status).toBe(502);
    expect(err.body.kind).toBe("http");
    expect(err.message).toBe("502 Bad Gateway");
  });

  it("keep the status line when the JSON has no error field", async () => {
    fetchMock.mockResolvedValue(jsonResponse({ detail: "x" }, 500));
    const err = (await getJson("runs").catch((e) => e)) as ApiError;
    expect(err.message).toMatch(/^500/);
  });

  it("say the server cannot be reached when no answer comes, and tell the connection watcher", async () => {
    const watcher = { lost: vi.fn(), alive: vi.fn() };
    connection.watch(watcher);
    fetchMock.mockRejectedValueOnce(new TypeError("Failed to fetch"));
    const err = (await getJson("runs").catch((e) => e)) as ConnectionLost;
    expect(err).toBeInstanceOf(ConnectionLost);
    expect(err).not.toBeInstanceOf(ApiError);
    expect(err.message).toContain("cannot reach the server");
    expect(err.message).toContain("Failed to fetch");
    expect(watcher.lost).toHaveBeenCalledTimes(1);
    expect(watcher.alive).not.toHaveBeenCalled();
  });

  it("tell the connection watcher the server answers, even with an error", async () => {
    const watcher = { lost: vi.fn(), alive: vi.fn() };
    connection.watch(watcher);
    fetchMock.mockResolvedValueOnce(jsonResponse({ error: { kind: "not_found", message: "no" } }, 404));
    await getJson("runs").catch(() => null);
    expect(watcher.alive).toHaveBeenCalledTimes(1);
    expect(watcher.lost).not.toHaveBeenCalled();
  });

  it("say a bare 413 is larger than the server accepts", async () => {
    fetchMock.mockResolvedValue(new Response("", { status: 413, statusText: "Payload Too Large" }));
    const err = (await getJson("runs").catch((e) => e)) as ApiError;
    expect(err.status).toBe(413);
    expect(err.body.kind).toBe("too_large");
    expect(err.message).toMatch(/larger than the server accepts/);
  });
});

describe("sendJson", () => {
  it("sends JSON with its content type, POST unless told otherwise", async () => {
    fetchMock.mockImplementation(async () => jsonResponse({ ok: true }));
    expect(await sendJson("things", { a: 1 })).toEqual({ ok: true });
    expect(lastInit().method).toBe("POST");
    expect((lastInit().headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(JSON.parse(lastInit().body as string)).toEqual({ a: 1 });
    await sendJson("things/x", { b: 2 }, "PUT");
    expect(lastInit().method).toBe("PUT");
  });
});
