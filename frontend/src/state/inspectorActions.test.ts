import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { ApiError } from "../api/http";
import type { EmbeddingInfo, JobStatus, NeighborsResponse } from "../api/types";
import { exportRows, refreshNeighbours, setK, setMetric } from "./inspectorActions";
import { booted } from "./options.fixture";
import { store } from "./store";

const EMB: EmbeddingInfo = {
  id: "e0",
  run: "r0",
  name: "words",
  shape: [10, 8],
  label_column: null,
  columns: [],
  sprite: null,
};

const near = (indices: number[], metric = "cosine"): NeighborsResponse => ({
  query: null,
  metric,
  neighbors: indices.map((index) => ({ index, label: `w${index}`, distance: 1 })),
});

beforeEach(() => {
  vi.stubGlobal("window", globalThis);
  store.set({ ...booted, embedding: EMB });
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("neighbours", () => {
  it("asks again for the focused point with the store's k and metric", async () => {
    store.set({ focus: 4, k: 2, metric: "euclidean" });
    const call = vi.spyOn(api, "neighbors").mockResolvedValue(near([5, 6], "euclidean"));
    await refreshNeighbours();
    expect(call).toHaveBeenCalledWith("r0", "e0", 4, 2, "euclidean", null);
    expect(store.get().selection).toEqual([4, 5, 6]);
    expect(store.get().neighbors?.map((n) => n.index)).toEqual([5, 6]);
  });

  it("lists the neighbours at the step on the plot, and asks again when the step changes", async () => {
    store.set({ focus: 4, k: 2, metric: "cosine", step: 5 });
    const call = vi.spyOn(api, "neighbors").mockResolvedValue(near([5, 6], "cosine"));
    await refreshNeighbours();
    expect(call).toHaveBeenLastCalledWith("r0", "e0", 4, 2, "cosine", 5);
    store.set({ step: 0 }); // the slider moved: the list follows
    await vi.waitFor(() => expect(call).toHaveBeenLastCalledWith("r0", "e0", 4, 2, "cosine", 0));
    const calls = call.mock.calls.length;
    store.set({ k: 2 }); // nothing that matters changed: no request
    expect(call.mock.calls.length).toBe(calls);
  });

  it("does nothing without a focused point", async () => {
    const call = vi.spyOn(api, "neighbors");
    await refreshNeighbours();
    expect(call).not.toHaveBeenCalled();
  });

  it("drops an answer for a point no longer focused", async () => {
    store.set({ focus: 4 });
    vi.spyOn(api, "neighbors").mockImplementation(async () => {
      store.set({ focus: 7 });
      return near([1]);
    });
    await refreshNeighbours();
    expect(store.get().neighbors).toBeNull();
  });

  it("refetches when the metric changes", async () => {
    store.set({ focus: 1, k: 3 });
    const call = vi.spyOn(api, "neighbors").mockResolvedValue(near([2, 3, 4], "euclidean"));
    setMetric("euclidean");
    await vi.waitFor(() => expect(store.get().neighbors).not.toBeNull());
    expect(call).toHaveBeenCalledWith("r0", "e0", 1, 3, "euclidean", null);
    expect(store.get().metric).toBe("euclidean");
  });

  it("clamps k to the server's bounds (1..1000 here) and asks once after the slider settles", async () => {
    vi.useFakeTimers();
    store.set({ focus: 0 });
    const call = vi.spyOn(api, "neighbors").mockResolvedValue(near([1]));
    setK(5000);
    expect(store.get().k).toBe(1000);
    setK(0);
    expect(store.get().k).toBe(1);
    setK(12.4);
    expect(store.get().k).toBe(12);
    expect(call).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(call).toHaveBeenCalledTimes(1);
    expect(call.mock.calls[0][3]).toBe(12);
  });

  it("follows the server's bounds of k", () => {
    const options = booted.options!;
    store.set({ options: { ...options, neighbors: { k: { default: 10, min: 5, max: 50 } } } });
    setK(500);
    expect(store.get().k).toBe(50);
    setK(1);
    expect(store.get().k).toBe(5);
  });

  it("shows the server's error", async () => {
    store.set({ focus: 0 });
    vi.spyOn(api, "neighbors").mockRejectedValue(new ApiError(400, { kind: "bad_input", message: "K is too large." }));
    await refreshNeighbours();
    expect(store.get().error).toBe("K is too large.");
  });
});

describe("exportRows", () => {
  const done = { id: "j9", state: "done" } as JobStatus;
  let clicked: { href: string; download: string }[];

  beforeEach(() => {
    clicked = [];
    vi.stubGlobal("document", {
      createElement: () => {
        const a = { href: "", download: "", click: () => clicked.push({ href: a.href, download: a.download }), remove() {} };
        return a;
      },
      body: { appendChild: () => undefined },
    });
    vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:x");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
  });

  it("sends the selection sorted, without repeats, and the finished job; names the file after what it holds", async () => {
    store.set({ selection: [5, 2, 5, 9], job: done });
    const call = vi
      .spyOn(api, "exportFile")
      .mockResolvedValue({ blob: new Blob(["x"]), filename: "digits.csv" });
    await exportRows("selection", "csv");
    expect(call).toHaveBeenCalledWith("r0", "e0", { job_id: "j9", indices: [2, 5, 9], format: "csv" });
    expect(clicked).toEqual([{ href: "blob:x", download: "digits-selection.csv" }]);
  });

  it("exports only the selected rows that an isolated projection holds", async () => {
    store.set({ selection: [1, 2, 3, 8], isolated: [2, 3, 4], job: done });
    const call = vi.spyOn(api, "exportFile").mockResolvedValue({ blob: new Blob([]), filename: "d.tsv" });
    await exportRows("selection", "tsv");
    expect(call.mock.calls[0][2].indices).toEqual([2, 3]);
  });

  it("exports every row's coordinates, but only of a finished projection", async () => {
    const call = vi.spyOn(api, "exportFile").mockResolvedValue({ blob: new Blob([]), filename: "d.parquet" });
    store.set({ job: { ...done, state: "running" } });
    await exportRows("coords", "parquet");
    expect(call).not.toHaveBeenCalled();
    expect(store.get().error).toMatch(/No projection has finished/);
    store.set({ job: done, error: null });
    await exportRows("coords", "parquet");
    expect(call).toHaveBeenCalledWith("r0", "e0", { job_id: "j9", indices: null, format: "parquet" });
    expect(clicked[0].download).toBe("d-coords.parquet");
  });

  it("exports the selection without coordinates while a projection runs", async () => {
    store.set({ selection: [1], job: { ...done, state: "running" } });
    const call = vi.spyOn(api, "exportFile").mockResolvedValue({ blob: new Blob([]), filename: "d.csv" });
    await exportRows("selection", "csv");
    expect(call.mock.calls[0][2].job_id).toBeNull();
  });
});
