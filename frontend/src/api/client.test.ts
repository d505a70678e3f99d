import { DataType, Table, Utf8, tableFromArrays, tableToIPC, vectorFromArray } from "apache-arrow";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "./client";

const BASE = "http://127.0.0.1:6006/prefix/";

function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  vi.stubGlobal("document", { baseURI: BASE });
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const lastUrl = () => new URL(fetchMock.mock.calls.at(-1)![0] as string);
const lastInit = () => fetchMock.mock.calls.at(-1)![1] as RequestInit | undefined;

describe("api requests", () => {
  it("GETs the runs", async () => {
    fetchMock.mockResolvedValue(jsonResponse({ source: "x", runs: [] }));
    expect(await api.runs()).toEqual({ source: "x", runs: [] });
    expect(lastUrl().toString()).toBe(`${BASE}api/runs`);
  });

  it("GETs the server's options", async () => {
    fetchMock.mockResolvedValue(jsonResponse({ projection: {}, neighbors: {} }));
    expect(await api.loadOptions()).toEqual({ projection: {}, neighbors: {} });
    expect(lastUrl().toString()).toBe(`${BASE}api/options`);
  });

  it("steers a job and reads one row's metadata", async () => {
    fetchMock.mockImplementation(async () => jsonResponse({ id: "j 1", state: "paused" }));
    await api.pauseProjection("j 1");
    expect(lastUrl().pathname).toBe("/prefix/api/projections/j%201/pause");
    expect(lastInit()!.method).toBe("POST");
    fetchMock.mockImplementation(async () => jsonResponse({ rows: 9, offset: 3, columns: ["w"], data: { w: ["x"] } }));
    expect(await api.metadataRow("r", "t", 3)).toEqual({ w: "x" });
    expect(lastUrl().search).toBe("?format=json&offset=3&limit=1");
  });

  it("names an export file as the server does", async () => {
    const headers = { "Content-Disposition": 'attachment; filename="words.tsv"' };
    fetchMock.mockResolvedValue(new Response("a\tb\n", { headers }));
    const { filename, blob } = await api.exportFile("r", "t", { format: "tsv", indices: [1] });
    expect(filename).toBe("words.tsv");
    expect(await blob.text()).toBe("a\tb\n");
    expect(JSON.parse(lastInit()!.body as string)).toEqual({ format: "tsv", indices: [1] });
  });

  it("encodes run and tensor names in paths and sends the search mode", async () => {
    fetchMock.mockImplementation(async () => jsonResponse({ column: "w", count: 0, indices: [], first: [] }));
    await api.search("my run", "a/b", "^x", { column: "word", regex: true });
    const url = lastUrl();
    expect(url.pathname).toBe("/prefix/api/runs/my%20run/embeddings/a%2Fb/search");
    expect(url.searchParams.get("mode")).toBe("regex");
    expect(url.searchParams.get("column")).toBe("word");
    await api.search("r", "t", "x");
    expect(lastUrl().searchParams.get("mode")).toBe("substring");
    expect(lastUrl().searchParams.has("column")).toBe(false);
  });

  it("POSTs neighbours as JSON", async () => {
    fetchMock.mockResolvedValue(jsonResponse({ query: null, metric: "euclidean", neighbors: [] }));
    await api.neighbors("r", "t", 7, 30, "euclidean");
    const init = lastInit()!;
    expect(init.method).toBe("POST");
    expect((init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(JSON.parse(init.body as string)).toEqual({ query: 7, k: 30, metric: "euclidean" });
  });

  it("POSTs a projection request unchanged", async () => {
    fetchMock.mockResolvedValue(jsonResponse({ id: "j1" }));
    const body = { method: "pca" as const, n_components: 2 as const, spherize: false, params: { axes: [0, 1] } };
    await api.startProjection("r", "t", body);
    expect(lastUrl().pathname).toBe("/prefix/api/runs/r/embeddings/t/projections");
    expect(JSON.parse(lastInit()!.body as string)).toEqual(body);
  });
});

describe("api data", () => {
  it("decodes a metadata column from Arrow IPC, numbers, strings, nulls and int64 alike", async () => {
    const table = tableFromArrays({
      word: ["the", "of", "and"],
      count: new Float64Array([3, 2.5, NaN]),
      id: new BigInt64Array([1n, 2n, 3n]),
    });
    const ipc = tableToIPC(table, "stream");
    const bytes = ipc.buffer.slice(ipc.byteOffset, ipc.byteOffset + ipc.byteLength) as ArrayBuffer;
    fetchMock.mockImplementation(async () => new Response(bytes));
    expect(await api.column("r", "t", "word")).toEqual(["the", "of", "and"]);
    expect(lastUrl().searchParams.get("columns")).toBe("word");
    expect(lastUrl().searchParams.get("format")).toBe("arrow");
    const counts = await api.column("r", "t", "count");
    expect(counts.slice(0, 2)).toEqual([3, 2.5]);
    expect(Number.isNaN(counts[2])).toBe(true);
    expect(await api.column("r", "t", "id")).toEqual([1, 2, 3]);
    expect(await api.column("r", "t", "missing")).toEqual([]);
  });

  it("decodes string columns, ASCII or not, with nulls, as each value on its own would", async () => {
    const words = ["w0", null, "", "zebra", "w12345"];
    const accents = ["café", null, "naïve", "", "日本"];
    const utf8 = (v: (string | null)[]) => vectorFromArray(v, new Utf8()); // plain UTF-8, as the server sends
    const table = new Table({ a: utf8(words), b: utf8(accents) });
    expect(DataType.isUtf8(table.getChild("a")?.type)).toBe(true);
    const ipc = tableToIPC(table, "stream");
    const bytes = ipc.buffer.slice(ipc.byteOffset, ipc.byteOffset + ipc.byteLength) as ArrayBuffer;
    fetchMock.mockImplementation(async () => new Response(bytes));
    expect(await api.column("r", "t", "a")).toEqual(words);
    expect(await api.column("r", "t", "b")).toEqual(accents);
  });

  it("reads binary coordinates with their shape header", async () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    fetchMock.mockResolvedValue(new Response(data.buffer, { headers: { "X-Shape": "3,2" } }));
    const coords = await api.coords("job 1");
    expect(lastUrl().pathname).toBe("/prefix/api/projections/job%201/coords");
    expect(lastUrl().searchParams.get("format")).toBe("binary");
    expect(coords.n).toBe(3);
    expect(coords.dims).toBe(2);
    expect(coords.final).toBe(true);
    expect(Array.from(coords.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
