import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { ApiError } from "../api/http";
import type { EditInfo, EmbeddingInfo, RunsInfo } from "../api/types";
import { afterEdit, tagBlocked, tagSelection, undoTag } from "./editActions";
import { type State, initialState, store } from "./store";
import { col } from "./columns.fixture";


const OLD: EmbeddingInfo = {
  id: "e0",
  run: "r0",
  name: "words",
  shape: [4, 3],
  label_column: "label",
  columns: [col("label", "string"), col("kind", "string", ["a", "b"])],
  sprite: null,
};
const RUNS: RunsInfo = { source: null, runs: [{ id: "r0", name: ".", embeddings: [OLD] }] };
const TAGGED: EmbeddingInfo = { ...OLD, columns: [...OLD.columns, col("tag", "string", ["", "x"])] };
const EDIT: EditInfo = { column: "tag", value: "x", rows: 2, created: "2024-01-01T00:00:00Z" };

const state = (patch: Partial<State> = {}): State => ({
  ...initialState,
  runs: RUNS,
  embedding: OLD,
  labelBy: "label",
  colorBy: "kind",
  columns: { label: ["w", "x", "y", "z"], kind: ["a", "a", "b", "b"] },
  selection: [3, 1, 1],
  ...patch,
});

describe("tagBlocked", () => {
  it("says why the selection cannot be tagged yet", () => {
    expect(tagBlocked(state({ selection: [] }), "tag", "x")).toBe("Select points to tag them.");
    expect(tagBlocked(state(), " ", "x")).toBe("Name the new column, or choose one.");
    expect(tagBlocked(state(), "tag", "")).toBe("Type the value to give them.");
    expect(tagBlocked(state(), "tag", "x")).toBeNull();
  });
});

describe("afterEdit", () => {
  it("puts the new description everywhere and forgets the edited column's values only", () => {
    const patch = afterEdit(state({ columns: { label: ["w"], tag: ["old"] } }), { edits: [EDIT], embedding: TAGGED }, "tag");
    expect(patch.embedding).toBe(TAGGED);
    expect(patch.runs?.runs[0].embeddings).toEqual([TAGGED]);
    expect(patch.columns).toEqual({ label: ["w"] });
    expect(patch.edits).toEqual([EDIT]);
    expect(patch.colorBy).toBeUndefined();
  });

  it("moves the choices off a column that went (its last tag undone)", () => {
    const filters = [{ column: "tag", kind: "text" as const, text: "x" }];
    const before = state({ embedding: TAGGED, labelBy: "tag", colorBy: "tag", searchColumn: "tag", filters });
    const patch = afterEdit(before, { edits: [], embedding: OLD }, "tag");
    expect(patch.labelBy).toBe("label");
    expect(patch.colorBy).toBe("kind");
    expect(patch.searchColumn).toBeNull();
    expect(patch.filters).toEqual([]);
  });
});

describe("tagSelection and undoTag", () => {
  beforeEach(() => store.set(state({ colorBy: "tag", columns: { label: ["w", "x", "y", "z"], tag: ["", "", "", ""] } })));
  afterEach(() => vi.restoreAllMocks());

  it("sends the selection's rows once each, sorted, and fetches the column shown again", async () => {
    const tag = vi.spyOn(api, "tag").mockResolvedValue({ edits: [EDIT], embedding: TAGGED });
    const column = vi.spyOn(api, "column").mockResolvedValue(["", "x", "", "x"]);
    const result = await tagSelection(" tag ", "x");
    expect(result).toEqual({ ok: true, message: "Tagged 2 points “x” in tag." });
    expect(tag).toHaveBeenCalledWith("r0", "e0", { column: "tag", value: "x", rows: [1, 3] });
    expect(column).toHaveBeenCalledWith("r0", "e0", "tag");
    expect(store.get().columns.tag).toEqual(["", "x", "", "x"]);
    expect(store.get().edits).toEqual([EDIT]);
  });

  it("says the server's refusal in the page's words", async () => {
    const error = new ApiError(422, { kind: "parameter", message: "column `n` holds numbers, and 'x' is not a number" });
    vi.spyOn(api, "tag").mockRejectedValue(error);
    const result = await tagSelection("n", "x");
    expect(result.ok).toBe(false);
    expect(result.message).toContain("is not a number");
  });

  it("undoes the last tag, and says there is none when there is none", async () => {
    expect(await undoTag()).toEqual({ ok: false, message: "There is no tag to undo." });
    store.set({ edits: [EDIT], embedding: TAGGED });
    vi.spyOn(api, "undoTag").mockResolvedValue({ edits: [], embedding: OLD });
    vi.spyOn(api, "column").mockResolvedValue(["w", "x", "y", "z"]);
    expect(await undoTag()).toEqual({ ok: true, message: "Undid “x” in tag (2 points)." });
    expect(store.get().colorBy).toBe("kind");
    expect(store.get().edits).toEqual([]);
  });
});
