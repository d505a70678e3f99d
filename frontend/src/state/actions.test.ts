import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { ApiError, ConnectionLost } from "../api/http";
import type { EmbeddingInfo, JobStatus, NeighborsResponse, SearchResponse } from "../api/types";
import {
  categorical,
  chooseEmbedding,
  clearSelection,
  focusPoint,
  loadColumn,
  search,
  selectCategory,
  setLabelBy,
  setSearchOptions,
} from "./actions";
import { booted } from "./options.fixture";
import { store } from "./store";
import { col } from "./columns.fixture";


const EMB: EmbeddingInfo = {
  id: "e0",
  run: "r0",
  name: "words",
  shape: [4, 8],
  label_column: "word",
  columns: [col("word"), col("single", "string", ["x"]), col("pos", "string", ["n", "v"]), col("tag", "string", ["a", "b", "c"])],
  sprite: null,
};

/** A promise the test settles by hand, to order answers as a slow network would. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const found = (indices: number[]): SearchResponse => ({ column: "word", count: indices.length, indices, first: [] });
const near = (indices: number[]): NeighborsResponse => ({
  query: null,
  metric: "cosine",
  neighbors: indices.map((index) => ({ index, label: `w${index}`, distance: 0.1 })),
});

beforeEach(() => {
  store.set({ ...booted, runs: { source: null, runs: [{ id: "r0", name: ".", embeddings: [EMB] }] }, embedding: EMB });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("categorical", () => {
  it("lists the columns with at least two distinct values the server counted", () => {
    expect(categorical(EMB)).toEqual(["pos", "tag"]);
  });
});

describe("chooseEmbedding", () => {
  it("picks its label column and first categorical column, loads both, and runs PCA on every row", async () => {
    store.set({ embedding: null, selection: [1], isolated: [0, 1, 2], error: "old" });
    const column = vi.spyOn(api, "column").mockImplementation(async (_r, _t, name) => [`${name}0`, `${name}1`]);
    const done = { id: "j", method: "pca", state: "done", summary: null } as unknown as JobStatus;
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(done);
    vi.spyOn(api, "coords").mockResolvedValue({ n: 4, dims: 2, data: new Float32Array(8), iteration: -1, final: true });
    await chooseEmbedding("r0", "e0");
    const s = store.get();
    expect(s.embedding).toBe(EMB);
    expect(s.labelBy).toBe("word");
    expect(s.colorBy).toBe("pos");
    expect(s.selection).toEqual([]);
    expect(s.error).toBeNull();
    expect(column.mock.calls.map((c) => c[2]).sort()).toEqual(["pos", "word"]);
    expect(s.columns.word).toEqual(["word0", "word1"]);
    expect(start).toHaveBeenCalledTimes(1);
    expect(start.mock.calls[0][2]).toMatchObject({ method: "pca", subset: null });
    expect(s.isolated).toBeNull();
  });

  it("opens another embedding on PCA when custom axes were shown (their patterns name the other data's labels)", async () => {
    store.set({ projection: { method: "custom", dims: 2, axes: [0, 1, 2] }, params: { ...booted.params, column: "x", left: "a" } });
    vi.spyOn(api, "column").mockResolvedValue([]);
    const done = { id: "j", method: "pca", state: "done", summary: null } as unknown as JobStatus;
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(done);
    vi.spyOn(api, "coords").mockResolvedValue({ n: 4, dims: 2, data: new Float32Array(8), iteration: -1, final: true });
    await chooseEmbedding("r0", "e0");
    expect(start.mock.calls[0][2]).toMatchObject({ method: "pca" });
    expect(store.get().params).toMatchObject({ column: null, left: "a" });
  });

  it("opens another embedding on its own precomputed columns, or on PCA when it has none to draw", async () => {
    const withXy: EmbeddingInfo = { ...EMB, id: "e1", columns: [...EMB.columns, col("x", "numeric"), col("y", "numeric")] };
    store.set({ runs: { source: null, runs: [{ id: "r0", name: ".", embeddings: [EMB, withXy] }] } });
    store.set({ projection: { method: "precomputed", dims: 3, axes: [0, 1, 2] }, params: { ...booted.params, coords: ["u1", "u2", "u3"] } });
    vi.spyOn(api, "column").mockResolvedValue([]);
    const done = { id: "j", method: "pca", state: "done", summary: null } as unknown as JobStatus;
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(done);
    vi.spyOn(api, "coords").mockResolvedValue({ n: 4, dims: 2, data: new Float32Array(8), iteration: -1, final: true });
    await chooseEmbedding("r0", "e1"); // the other data's u1, u2, u3 are not here: its own x, y in 2-D
    expect(start.mock.calls[0][2]).toMatchObject({ method: "precomputed", n_components: 2, params: { columns: "x,y" } });
    await chooseEmbedding("r0", "e0"); // no numeric column at all
    expect(start.mock.calls[1][2]).toMatchObject({ method: "pca" });
    expect(store.get().params.coords).toEqual([]);
  });

  it("opens a map made on a cluster on its own coordinates, whatever was shown", async () => {
    const map: EmbeddingInfo = {
      ...EMB,
      id: "e2",
      columns: [...EMB.columns, col("x", "numeric"), col("y", "numeric")],
      map_columns: ["x", "y"],
    };
    store.set({ runs: { source: null, runs: [{ id: "r0", name: ".", embeddings: [EMB, map] }] } });
    store.set({ projection: { method: "umap", dims: 3, axes: [0, 1, 2] } });
    vi.spyOn(api, "column").mockResolvedValue([]);
    const done = { id: "j", method: "precomputed", state: "done", summary: null } as unknown as JobStatus;
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(done);
    vi.spyOn(api, "coords").mockResolvedValue({ n: 4, dims: 2, data: new Float32Array(8), iteration: -1, final: true });
    await chooseEmbedding("r0", "e2");
    expect(start.mock.calls[0][2]).toMatchObject({ method: "precomputed", n_components: 2, params: { columns: "x,y" } });
  });

  it("asks for the projection without waiting for the columns", async () => {
    store.set({ embedding: null });
    const pending: ((v: string[]) => void)[] = [];
    vi.spyOn(api, "column").mockImplementation(() => new Promise((resolve) => pending.push(resolve)));
    const done = { id: "j", method: "pca", state: "done", summary: null } as unknown as JobStatus;
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(done);
    vi.spyOn(api, "coords").mockResolvedValue({ n: 4, dims: 2, data: new Float32Array(8), iteration: -1, final: true });
    const chosen = chooseEmbedding("r0", "e0");
    await vi.waitFor(() => expect(store.get().coords?.n).toBe(4)); // drawn while the columns are on their way
    expect(start).toHaveBeenCalledTimes(1);
    expect(store.get().columns).toEqual({});
    expect(pending).toHaveLength(2);
    pending.forEach((resolve) => resolve(["a", "b"]));
    await chosen;
    expect(Object.keys(store.get().columns).sort()).toEqual(["pos", "word"]);
  });

  it("starts each embedding on the server's spherize default, its latest step, no comparison", async () => {
    store.set({ embedding: null, spherize: false, step: 3, compareWith: 1, searchColumn: "pos", searchError: "bad" });
    vi.spyOn(api, "column").mockResolvedValue([]);
    const done = { id: "j", method: "pca", state: "done", summary: null } as unknown as JobStatus;
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(done);
    vi.spyOn(api, "coords").mockResolvedValue({ n: 4, dims: 2, data: new Float32Array(8), iteration: -1, final: true });
    await chooseEmbedding("r0", "e0");
    expect(store.get()).toMatchObject({ spherize: null, step: null, compareWith: null, searchColumn: null, searchError: null });
    expect(start.mock.calls[0][2]).not.toHaveProperty("spherize");
    expect(start.mock.calls[0][2]).not.toHaveProperty("step");
  });

  it("ignores an embedding the server does not have", async () => {
    const start = vi.spyOn(api, "startProjection");
    await chooseEmbedding("r0", "nope");
    expect(start).not.toHaveBeenCalled();
  });
});

describe("loadColumn", () => {
  it("fetches a column once", async () => {
    const column = vi.spyOn(api, "column").mockResolvedValue(["a", "b", "c", "d"]);
    await loadColumn("word");
    await loadColumn("word");
    await loadColumn(null);
    expect(column).toHaveBeenCalledTimes(1);
    expect(store.get().columns.word).toEqual(["a", "b", "c", "d"]);
  });

  it("drops values that arrive after another embedding was chosen", async () => {
    const answer = deferred<(string | number | null)[]>();
    vi.spyOn(api, "column").mockReturnValue(answer.promise);
    const pending = loadColumn("word");
    store.set({ embedding: { ...EMB, id: "e1" } });
    answer.resolve(["late"]);
    await pending;
    expect(store.get().columns.word).toBeUndefined();
  });

  it("shows the server's error", async () => {
    vi.spyOn(api, "column").mockRejectedValue(new ApiError(404, { kind: "not_found", message: "No column 'x'." }));
    await setLabelBy("x");
    expect(store.get().labelBy).toBe("x");
    expect(store.get().error).toBe("No column 'x'.");
  });

  it("leaves a lost connection to the connection banner", async () => {
    vi.spyOn(api, "column").mockRejectedValue(new ConnectionLost(new TypeError("Failed to fetch")));
    await loadColumn("word");
    expect(store.get().error).toBeNull();
  });
});

describe("search", () => {
  it("selects the matches in the label column", async () => {
    store.set({ labelBy: "word" });
    const call = vi.spyOn(api, "search").mockResolvedValue(found([3, 1]));
    await search("ki");
    expect(call).toHaveBeenCalledWith("r0", "e0", "ki", { column: "word", regex: false });
    expect(store.get()).toMatchObject({ selection: [3, 1], selectionSource: "search", searchCount: 2, searchText: "ki" });
  });

  it("searches the chosen column, as a regular expression when asked", async () => {
    store.set({ labelBy: "word", searchText: "^[ab]$" });
    const call = vi.spyOn(api, "search").mockResolvedValue(found([0, 2]));
    const column = vi.spyOn(api, "column").mockResolvedValue(["a", "x", "b", "y"]);
    await setSearchOptions({ searchRegex: true, searchColumn: "tag" });
    expect(call).toHaveBeenCalledWith("r0", "e0", "^[ab]$", { column: "tag", regex: true });
    expect(column).toHaveBeenCalledWith("r0", "e0", "tag"); // its values are listed beside the labels
    expect(store.get()).toMatchObject({ selection: [0, 2], selectionSource: "search", searchCount: 2 });
    await setSearchOptions({ searchColumn: null });
    expect(call).toHaveBeenLastCalledWith("r0", "e0", "^[ab]$", { column: "word", regex: true });
  });

  it("says a pattern that does not compile by the search box, selecting nothing", async () => {
    store.set({ selection: [1], selectionSource: "search", searchCount: 1, searchRegex: true });
    const body = { kind: "parameter", message: "invalid regular expression '[': missing ]", fix: "use RE2 syntax" };
    vi.spyOn(api, "search").mockRejectedValue(new ApiError(400, body));
    await search("[");
    expect(store.get()).toMatchObject({ selection: [], searchCount: null, error: null });
    expect(store.get().searchError).toBe("Invalid regular expression '[': missing ]. Use RE2 syntax.");
    vi.spyOn(api, "search").mockResolvedValue(found([1]));
    await search("[a]");
    expect(store.get().searchError).toBeNull();
  });

  it("changes options without searching when there is no text", async () => {
    const call = vi.spyOn(api, "search");
    await setSearchOptions({ searchRegex: true });
    expect(call).not.toHaveBeenCalled();
    expect(store.get().searchRegex).toBe(true);
  });

  it("clears the selection for an empty text without asking the server", async () => {
    store.set({ selection: [1, 2], selectionSource: "search", searchCount: 2 });
    const call = vi.spyOn(api, "search");
    await search("  ");
    expect(call).not.toHaveBeenCalled();
    expect(store.get()).toMatchObject({ selection: [], selectionSource: null, searchCount: null });
  });

  it("keeps the answer of the last search when answers come back out of order", async () => {
    const first = deferred<SearchResponse>();
    const second = deferred<SearchResponse>();
    vi.spyOn(api, "search").mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const a = search("k");
    const b = search("ki");
    second.resolve(found([2]));
    await b;
    first.resolve(found([0, 1, 2, 3]));
    await a;
    expect(store.get().selection).toEqual([2]);
    expect(store.get().searchText).toBe("ki");
  });

  it("drops an answer that comes after the selection was cleared", async () => {
    const answer = deferred<SearchResponse>();
    vi.spyOn(api, "search").mockReturnValue(answer.promise);
    const pending = search("ki");
    clearSelection();
    answer.resolve(found([1]));
    await pending;
    expect(store.get()).toMatchObject({ selection: [], searchText: "", searchCount: null });
  });
});

describe("focusPoint", () => {
  it("selects the point and its neighbours from the server, with the store's k", async () => {
    store.set({ k: 3 });
    const call = vi.spyOn(api, "neighbors").mockResolvedValue(near([2, 0, 3]));
    await focusPoint(1);
    expect(call).toHaveBeenCalledWith("r0", "e0", 1, 3, "cosine", null); // null: the latest step
    const s = store.get();
    expect(s.focus).toBe(1);
    expect(s.selection).toEqual([1, 2, 0, 3]);
    expect(s.selectionSource).toBe("neighbors");
    expect(s.neighbors?.map((n) => n.label)).toEqual(["w2", "w0", "w3"]);
  });

  it("keeps the last clicked point's neighbours", async () => {
    const first = deferred<NeighborsResponse>();
    vi.spyOn(api, "neighbors").mockReturnValueOnce(first.promise).mockResolvedValueOnce(near([0]));
    const a = focusPoint(1);
    await focusPoint(2);
    first.resolve(near([3]));
    await a;
    expect(store.get().selection).toEqual([2, 0]);
  });
});

describe("selectCategory and clearSelection", () => {
  it("selects every row with the legend entry's value, comparing as text", () => {
    store.set({ columns: { pos: ["n", "v", null, "n"], num: [1, 2, 1, null] } });
    selectCategory("pos", "n");
    expect(store.get().selection).toEqual([0, 3]);
    expect(store.get().selectionSource).toBe("legend");
    selectCategory("num", "1");
    expect(store.get().selection).toEqual([0, 2]);
    selectCategory("missing", "x");
    expect(store.get().selection).toEqual([]);
  });

  it("clears the selection, the focus and the search", () => {
    store.set({ selection: [1], focus: 1, neighbors: [], searchText: "x", searchCount: 1, selectionSource: "search" });
    clearSelection();
    expect(store.get()).toMatchObject({
      selection: [],
      focus: null,
      neighbors: null,
      searchText: "",
      searchCount: null,
      selectionSource: null,
    });
  });
});
