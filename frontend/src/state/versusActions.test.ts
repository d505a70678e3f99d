import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { EmbeddingInfo, EmbeddingsComparison, NeighborsResponse } from "../api/types";
import { col } from "./columns.fixture";
import { initialState, store } from "./store";
import { compareWith, queryThere, stopComparing } from "./versusActions";

const EMB: EmbeddingInfo = {
  id: "e0",
  run: "r0",
  name: "words",
  shape: [4, 3],
  label_column: "label",
  columns: [col("label")],
  sprite: null,
};
const COMPARED: EmbeddingInfo = { ...EMB, columns: [...EMB.columns, col("neighbour_overlap", "numeric")] };
const ANSWER: EmbeddingsComparison = {
  other: { run: "r0", tensor: "e1", name: "other" },
  k: 2,
  by: "label",
  metric: "cosine",
  shared: 4,
  mean_overlap: 0.5,
  chance: 2 / 3,
  mean_rank_correlation: 1,
  percentiles: { p50: 0.5 },
  histogram: [1, 2, 1],
  histogram_bins: ["0 of 2", "1 of 2", "2 of 2"],
  only_here: 0,
  only_there: 0,
  only_here_labels: [],
  only_there_labels: [],
  columns: ["neighbour_overlap", "neighbour_rank_correlation"],
  embedding: COMPARED,
};
const near = (label: string, ...ix: number[]): NeighborsResponse => ({
  query: { index: 0, label },
  metric: "cosine",
  neighbors: ix.map((index) => ({ index, label: `w${index}`, distance: 0.1, similarity: 0.9, angle: 25 })),
});

describe("comparing with another embedding", () => {
  beforeEach(() => {
    store.set({
      ...initialState,
      embedding: EMB,
      runs: { runs: [{ id: "r0", name: ".", embeddings: [EMB] }] } as never,
      labelBy: "label",
      columns: { label: ["w0", "w1", "w2", "w3"] },
    });
    vi.spyOn(api, "column").mockResolvedValue([0.5, 1, 0, 0.5]);
  });
  afterEach(() => {
    stopComparing();
    vi.restoreAllMocks();
  });

  it("colours by the overlap at once and lists a clicked point's neighbours in both", async () => {
    const compare = vi.spyOn(api, "compareEmbeddings").mockResolvedValue(ANSWER);
    const neighbors = vi
      .spyOn(api, "neighbors")
      .mockImplementation(async (_run, tensor) => (tensor === "e0" ? near("w0", 1, 2) : near("w0", 1, 3)));
    store.set({ focus: 0 });
    await compareWith("r0", "e1", 2);
    expect(compare).toHaveBeenCalledWith("r0", "e0", { run: "r0", tensor: "e1", k: 2, by: "label", metric: "cosine" });
    const s = store.get();
    expect(s.versus).toBe(ANSWER);
    expect(s.embedding).toBe(COMPARED);
    expect(s.colorBy).toBe("neighbour_overlap");
    expect(s.colorMode).toBe("numeric");
    expect(s.busy).toBeNull();
    await vi.waitFor(() => expect(store.get().versusNeighbors?.there.map((n) => n.index)).toEqual([1, 3]));
    expect(neighbors).toHaveBeenCalledWith("r0", "e1", "w0", 2, "cosine"); // the other one is asked by label
    stopComparing();
    expect(store.get().versus).toBeNull();
  });

  it("asks the other embedding by row when items match by row", () => {
    expect(queryThere("row", "w0", 7)).toBe(7);
    expect(queryThere("label", "w0", 7)).toBe("w0");
  });

  it("says what went wrong and stays as it was", async () => {
    vi.spyOn(api, "compareEmbeddings").mockRejectedValue(new Error("the label 'x' more than once"));
    await compareWith("r0", "e1", 2);
    expect(store.get().versus).toBeNull();
    expect(store.get().error).toContain("more than once");
    expect(store.get().busy).toBeNull();
  });
});
