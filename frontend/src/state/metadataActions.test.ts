import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { ApiError } from "../api/http";
import type { ColumnInfo, EmbeddingInfo, RunsInfo } from "../api/types";
import * as upload from "../api/upload";
import { afterNewMetadata, loadMetadata, loadedText } from "./metadataActions";
import { type State, initialState, store } from "./store";
import { col } from "./columns.fixture";


const OLD: EmbeddingInfo = {
  id: "e0",
  run: "r0",
  name: "digits",
  shape: [4, 64],
  label_column: "label",
  columns: [col("label", "numeric", [0, 1, 2])],
  sprite: null,
};
const OTHER: EmbeddingInfo = { ...OLD, id: "e1", name: "other" };
const RUNS: RunsInfo = { source: null, runs: [{ id: "r0", name: ".", embeddings: [OLD, OTHER] }] };

const withColumns = (columns: ColumnInfo[], label_column: string | null = null): EmbeddingInfo => ({
  ...OLD,
  label_column,
  columns,
});

const state = (patch: Partial<State> = {}): State => ({
  ...initialState,
  runs: RUNS,
  embedding: OLD,
  labelBy: "label",
  colorBy: "label",
  columns: { label: [0, 1, 2, 1] },
  ...patch,
});

describe("afterNewMetadata", () => {
  it("puts the new info in the store and in the runs list, and forgets the old columns' values", () => {
    const info = withColumns([col("label", "numeric", [0, 1]), col("word", "string")]);
    const patch = afterNewMetadata(state(), info);
    expect(patch.embedding).toBe(info);
    expect(patch.runs?.runs[0].embeddings).toEqual([info, OTHER]);
    expect(patch.columns).toEqual({});
  });

  it("keeps the label and colour columns the new file still has", () => {
    const info = withColumns([col("word", "string"), col("label", "numeric", [0, 1])], "word");
    const patch = afterNewMetadata(state(), info);
    expect(patch.labelBy).toBe("label");
    expect(patch.colorBy).toBe("label");
    expect(patch.colorMode).toBe("category");
  });

  it("falls back to the file's label column and first categorical column", () => {
    const info = withColumns([col("count", "numeric"), col("word", "string"), col("pos", "string", ["n", "v"])], "word");
    const patch = afterNewMetadata(state(), info);
    expect(patch.labelBy).toBe("word");
    expect(patch.colorBy).toBe("pos");
    expect(patch.colorMode).toBe("category");
  });

  it("falls back to the first column, and no colour when nothing is categorical", () => {
    const info = withColumns([col("count", "numeric"), col("word", "string")]);
    const patch = afterNewMetadata(state(), info);
    expect(patch.labelBy).toBe("count");
    expect(patch.colorBy).toBeNull();
  });

  it("keeps a continuous colour scale on a numeric column of the same name", () => {
    const info = withColumns([col("freq", "numeric")]);
    const patch = afterNewMetadata(state({ colorBy: "freq", colorMode: "numeric" }), info);
    expect(patch.colorBy).toBe("freq");
    expect(patch.colorMode).toBe("numeric");
    const gone = afterNewMetadata(state({ colorBy: "freq", colorMode: "numeric" }), withColumns([col("freq", "string")]));
    expect(gone.colorBy).toBeNull();
    expect(gone.colorMode).toBe("category");
  });
});

describe("loadedText", () => {
  it("names the file and its columns", () => {
    expect(loadedText("w.tsv", withColumns([col("word", "string")]))).toBe("Loaded w.tsv: 1 column (word)");
    expect(loadedText("w.tsv", withColumns([col("a", "string"), col("b", "string")]))).toBe(
      "Loaded w.tsv: 2 columns (a, b)",
    );
  });
});

describe("loadMetadata", () => {
  beforeEach(() => {
    store.set(state());
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const file = (name: string) => new File(["x"], name);

  it("uploads to the current embedding, shows the new columns and fetches the chosen ones", async () => {
    const info = withColumns([col("word", "string"), col("pos", "string", ["n", "v"])], "word");
    const send = vi.spyOn(upload, "uploadMetadata").mockResolvedValue(info);
    const column = vi.spyOn(api, "column").mockImplementation(async (_r, _t, name) =>
      name === "word" ? ["a", "b", "c", "d"] : ["n", "v", "n", "v"],
    );
    const result = await loadMetadata(file("words.tsv"));
    expect(result).toEqual({ ok: true, message: "Loaded words.tsv: 2 columns (word, pos)" });
    expect(send).toHaveBeenCalledWith("r0", "e0", expect.any(File), "words.tsv");
    expect(column).toHaveBeenCalledTimes(2);
    const s = store.get();
    expect(s.embedding).toBe(info);
    expect(s.labelBy).toBe("word");
    expect(s.colorBy).toBe("pos");
    expect(s.columns).toEqual({ word: ["a", "b", "c", "d"], pos: ["n", "v", "n", "v"] });
  });

  it("answers the server's error readably and changes nothing", async () => {
    const message = "short.tsv: 2 rows after the header row for 4 vectors; give one line per vector, in the same order";
    vi.spyOn(upload, "uploadMetadata").mockRejectedValue(
      new ApiError(400, { kind: "metadata", message, fix: "give one line per vector, in the same order" }),
    );
    const before = store.get();
    expect(await loadMetadata(file("short.tsv"))).toEqual({
      ok: false,
      message: "short.tsv: 2 rows after the header row for 4 vectors. Give one line per vector, in the same order.",
    });
    expect(store.get()).toBe(before);
  });

  it("needs an embedding", async () => {
    store.set({ embedding: null });
    const send = vi.spyOn(upload, "uploadMetadata");
    expect((await loadMetadata(file("a.tsv"))).ok).toBe(false);
    expect(send).not.toHaveBeenCalled();
  });

  it("drops the answer when another embedding was chosen meanwhile", async () => {
    vi.spyOn(upload, "uploadMetadata").mockImplementation(async () => {
      store.set({ embedding: OTHER });
      return withColumns([col("word", "string")]);
    });
    const result = await loadMetadata(file("a.tsv"));
    expect(result.ok).toBe(false);
    expect(store.get().embedding).toBe(OTHER);
  });
});
