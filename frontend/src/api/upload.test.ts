import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, ConnectionLost, connection } from "./http";
import { uploadMetadata } from "./upload";

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  vi.stubGlobal("document", { baseURI: "http://127.0.0.1:6006/" });
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
  connection.watch(null);
});

const INFO = { id: "e0", run: "r 0", name: "x", shape: [3, 2], label_column: "word", columns: [], sprite: null };

describe("uploadMetadata", () => {
  it("POSTs the file as multipart field `file` and answers the new embedding info", async () => {
    fetchMock.mockResolvedValue(new Response(JSON.stringify(INFO), { headers: { "Content-Type": "application/json" } }));
    const file = new Blob(["word\n"], { type: "text/tab-separated-values" });
    expect(await uploadMetadata("r 0", "e/0", file, "words.tsv")).toEqual(INFO);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("http://127.0.0.1:6006/api/runs/r%200/embeddings/e%2F0/metadata");
    expect(init.method).toBe("POST");
    const form = init.body as FormData;
    const sent = form.get("file") as File;
    expect(sent.name).toBe("words.tsv");
    expect(await sent.text()).toBe("word\n");
    expect(init.headers).toBeUndefined(); // the browser sets the multipart boundary itself
  });

  it("turns the server's error answer into an ApiError with its body", async () => {
    const error = { kind: "metadata", message: "short.tsv: 2 rows for 5 vectors; fix it", fix: "fix it", path: "short.tsv" };
    fetchMock.mockResolvedValue(new Response(JSON.stringify({ error }), { status: 400 }));
    const err = (await uploadMetadata("r", "t", new Blob(["a"]), "short.tsv").catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.body).toEqual(error);
  });

  it("says the file is too large on a bare 413", async () => {
    fetchMock.mockResolvedValue(new Response("", { status: 413, statusText: "Payload Too Large" }));
    const err = (await uploadMetadata("r", "t", new Blob(["a"]), "big.tsv").catch((e) => e)) as ApiError;
    expect(err.status).toBe(413);
    expect(err.message).toMatch(/larger than the server accepts/);
  });

  it("reports a lost connection to the page's connection watcher", async () => {
    const watcher = { lost: vi.fn(), alive: vi.fn() };
    connection.watch(watcher);
    fetchMock.mockRejectedValueOnce(new TypeError("Failed to fetch"));
    const err = await uploadMetadata("r", "t", new Blob(["a"]), "a.tsv").catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionLost);
    expect(watcher.lost).toHaveBeenCalledTimes(1);
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify(INFO)));
    await uploadMetadata("r", "t", new Blob(["a"]), "a.tsv");
    expect(watcher.alive).toHaveBeenCalledTimes(1);
  });
});
