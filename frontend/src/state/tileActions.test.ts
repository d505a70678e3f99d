import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { StreamHandlers } from "../api/stream";
import type { EmbeddingInfo, JobStatus, TilePyramid } from "../api/types";
import { loadColumn } from "./actions";
import { booted } from "./options.fixture";
import { project } from "./projectionActions";
import { largeTable, listLabel, store } from "./store";
import { missingLabels, selectWithin, tiledMap, watchRowLabels } from "./tileActions";

const streams: { id: string; on: StreamHandlers; frames: boolean }[] = [];
vi.mock("../api/stream", () => ({
  watchJob: (id: string, on: StreamHandlers, opts: { frames?: boolean } = {}) => {
    streams.push({ id, on, frames: opts.frames ?? true });
    return () => undefined;
  },
}));

// the fixture's server draws maps of more than 2,000,000 points from tiles
const BIG: EmbeddingInfo = { id: "e0", run: "r0", name: "big", shape: [3_000_000, 8], label_column: "label", columns: [], sprite: null };
const SMALL: EmbeddingInfo = { ...BIG, name: "small", shape: [1000, 8] };
const PYRAMID: TilePyramid = { rows: 3_000_000, origin: [0, 0], size: 1, bounds: [0, 0, 1, 1], capacity: 16384, grid: 64, levels: 9, tiles: {} };

const status = (state: JobStatus["state"]): JobStatus =>
  ({ id: "j1", run: "r0", tensor: "e0", method: "pca", n_components: 2, state, version: state === "done" ? 2 : 1 }) as JobStatus;

beforeEach(() => {
  store.set({ ...booted, embedding: BIG, coords: null, tiles: null, rowLabels: {}, selection: [], focus: null, neighbors: null });
  streams.length = 0;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("when a map is drawn from tiles", () => {
  it("is a 2-D map of more points than the server's tiles_from", () => {
    const s = store.get();
    expect(tiledMap(s, 2_000_001, 2)).toBe(true);
    expect(tiledMap(s, 2_000_000, 2)).toBe(false);
    expect(tiledMap(s, 3_000_000, 3)).toBe(false); // 3-D maps come whole
    expect(tiledMap({ options: null }, 3_000_000, 2)).toBe(false);
    expect(largeTable(s)).toBe(true);
    expect(largeTable({ ...s, embedding: SMALL })).toBe(false);
  });

  it("takes no column of a large table whole", async () => {
    const column = vi.spyOn(api, "column");
    await loadColumn("label");
    expect(column).not.toHaveBeenCalled();
  });

  it("follows the job's status only, then shows its pyramid, never its coordinates", async () => {
    vi.spyOn(api, "startProjection").mockResolvedValue(status("running"));
    const coords = vi.spyOn(api, "coords");
    const pyramid = vi.spyOn(api, "tilePyramid").mockResolvedValue(PYRAMID);
    await project(null);
    expect(streams).toHaveLength(1);
    expect(streams[0].frames).toBe(false);
    streams[0].on.status(status("done"));
    await vi.waitFor(() => expect(store.get().tiles).toEqual({ job: "j1", pyramid: PYRAMID }));
    expect(pyramid).toHaveBeenCalledWith("j1");
    expect(coords).not.toHaveBeenCalled();
    expect(store.get().coords).toBeNull();
    expect(store.get().busy).toBeNull();
  });

  it("draws a small table's map whole", async () => {
    store.set({ embedding: SMALL });
    vi.spyOn(api, "startProjection").mockResolvedValue(status("done"));
    vi.spyOn(api, "coords").mockResolvedValue({ n: 1000, dims: 2, data: new Float32Array(2000), iteration: -1, final: true });
    const pyramid = vi.spyOn(api, "tilePyramid");
    store.set({ tiles: { job: "old", pyramid: PYRAMID } });
    await project(null);
    expect(pyramid).not.toHaveBeenCalled();
    expect(store.get().coords?.n).toBe(1000);
    expect(store.get().tiles).toBeNull();
  });
});

describe("what needs every point", () => {
  it("box selection asks the server for the rectangle's rows", async () => {
    store.set({ tiles: { job: "j1", pyramid: PYRAMID }, selection: [1, 2] });
    const within = vi.spyOn(api, "within").mockResolvedValue([2, 5, 9]);
    await selectWithin([0.1, 0.2, 0.3, 0.4], "add");
    expect(within).toHaveBeenCalledWith("j1", [0.1, 0.2, 0.3, 0.4]);
    expect(store.get().selection).toEqual([1, 2, 5, 9]);
    await selectWithin([0, 0, 1, 1], "remove");
    expect(store.get().selection).toEqual([1]);
  });

  it("labels the listed rows from the server, the neighbours from their answer", async () => {
    const labels = vi.spyOn(api, "labels").mockResolvedValue({ column: "label", labels: ["seven", "three"] });
    const stop = watchRowLabels();
    store.set({ labelBy: "label" }); // seen: the label column
    store.set({ selection: [7, 3] });
    expect(missingLabels(store.get())).toEqual([7, 3]);
    await vi.waitFor(() => expect(store.get().rowLabels).toEqual({ 7: "seven", 3: "three" }));
    expect(labels).toHaveBeenCalledWith("r0", "e0", [7, 3], "label");
    expect(listLabel(store.get(), 7)).toBe("seven");
    store.set({ neighbors: [{ index: 11, label: "eleven", distance: 0.1, angle: 5 }] });
    expect(store.get().rowLabels[11]).toBe("eleven");
    expect(labels).toHaveBeenCalledTimes(1);
    store.set({ labelBy: "other" }); // another column: asked anew
    expect(store.get().rowLabels).toEqual({});
    stop();
  });
});
