import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { ApiError } from "../api/http";
import type { StreamHandlers } from "../api/stream";
import type { Coords, EmbeddingInfo, JobStatus } from "../api/types";
import {
  isolateSelection,
  pauseJob,
  project,
  requestFor,
  rerunTsne,
  setSpherize,
  showAllData,
  spherizeOn,
} from "./projectionActions";
import { booted } from "./options.fixture";
import { type ProjectionChoice, store } from "./store";

// The job's stream: each test drives it by hand through the handlers watchJob was given.
const streams: { id: string; on: StreamHandlers; close: ReturnType<typeof vi.fn> }[] = [];
vi.mock("../api/stream", () => ({
  watchJob: (id: string, on: StreamHandlers) => {
    const close = vi.fn();
    streams.push({ id, on, close });
    return close;
  },
}));

const EMB: EmbeddingInfo = {
  id: "e0",
  run: "r0",
  name: "digits",
  shape: [5, 64],
  label_column: "label",
  columns: [],
  sprite: null,
};

const choice = (patch: Partial<ProjectionChoice> = {}): ProjectionChoice => ({ ...booted.projection, ...patch });

function job(patch: Partial<JobStatus> = {}): JobStatus {
  return {
    id: "j1",
    run: "r0",
    tensor: "e0",
    method: "pca",
    n_components: 2,
    params: {},
    random_state: 0,
    spherize: true,
    subset_size: null,
    state: "done",
    stage: "done",
    fraction: 1,
    iteration: null,
    total: null,
    message: "",
    frame_iteration: null,
    version: 0,
    summary: null,
    error: null,
    created: 0,
    started: null,
    finished: null,
    ...patch,
  };
}

const coords = (n: number, dims: number, start = 0, final = true): Coords => ({
  n,
  dims,
  data: Float32Array.from({ length: n * dims }, (_, i) => start + i),
  iteration: final ? -1 : 10,
  final,
});

beforeEach(() => {
  store.set({ ...booted, embedding: EMB });
  streams.length = 0;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("requestFor", () => {
  const p = booted.params;

  it("asks PCA for the chosen components of its dimensions", () => {
    expect(requestFor(choice({ axes: [2, 0, 1], dims: 2 }), p, null)).toEqual({
      method: "pca",
      n_components: 2,
      subset: null,
      params: { axes: [2, 0] },
    });
    expect(requestFor(choice({ axes: [2, 0, 1], dims: 3 }), p, null).params).toEqual({ axes: [2, 0, 1] });
  });

  it("leaves spherize to the server unless chosen", () => {
    expect("spherize" in requestFor(choice(), p, null)).toBe(false);
    expect(requestFor(choice(), p, null, null)).not.toHaveProperty("spherize");
    expect(requestFor(choice(), p, null, false).spherize).toBe(false);
    expect(requestFor(choice({ method: "tsne" }), p, null, true).spherize).toBe(true);
  });

  it("asks for a training step, aligned to the latest step's frame, only when one is chosen", () => {
    expect(requestFor(choice(), p, null, null, null)).not.toHaveProperty("step");
    expect(requestFor(choice({ method: "tsne" }), p, null, null, 0)).toMatchObject({ method: "tsne", step: 0, align: true });
    expect(requestFor(choice(), p, null, null, 7)).not.toHaveProperty("align_to"); // the server's default: the latest
  });

  it("sends t-SNE's parameters, 'auto' for a learning rate of 0 (an older bookmark's), and its seed", () => {
    const tsne = requestFor(choice({ method: "tsne" }), { ...p, perplexity: 12, iterations: 300, tsneSeed: 4 }, null);
    expect(tsne).toMatchObject({
      method: "tsne",
      params: { perplexity: 12, n_iter: 300, learning_rate: "auto" },
      random_state: 4,
    });
    expect(requestFor(choice({ method: "tsne" }), { ...p, learningRate: 200 }, null).params?.learning_rate).toBe(200);
    expect(requestFor(choice({ method: "tsne" }), { ...p, learningRate: 0 }, null).params?.learning_rate).toBe("auto");
  });

  it("sends UMAP's neighbours, minimum distance and seed", () => {
    const asked = { ...p, neighbors: 30, minDist: 0.5, umapSeed: 2, graph: "approximate" as const, parallel: true };
    const umap = requestFor(choice({ method: "umap", dims: 3 }), asked, null);
    expect(umap).toEqual({
      method: "umap",
      n_components: 3,
      subset: null,
      params: { n_neighbors: 30, min_dist: 0.5, neighbors: "approximate", parallel: true },
      random_state: 2,
    });
  });

  it("sends custom axes in 2-D with only the patterns given", () => {
    const custom = requestFor(
      choice({ method: "custom", dims: 3 }),
      { ...p, column: "word", left: "king", right: " ", up: "^a", regex: true },
      null,
    );
    expect(custom).toEqual({
      method: "custom",
      n_components: 2,
      subset: null,
      params: { column: "word", regex: true, left: "king", up: "^a" },
    });
  });

  it("sends the precomputed columns for every axis shown, or none for the server's x, y, z", () => {
    const three = { ...p, coords: ["u1", "u2", "u3"] };
    expect(requestFor(choice({ method: "precomputed", dims: 2 }), three, null).params).toEqual({ columns: "u1,u2" });
    expect(requestFor(choice({ method: "precomputed", dims: 3 }), three, null).params).toEqual({ columns: "u1,u2,u3" });
    expect(requestFor(choice({ method: "precomputed", dims: 3 }), { ...p, coords: ["u1", "u2"] }, null).params).toEqual({});
  });

  it("isolates a subset of at least 3 rows only", () => {
    expect(requestFor(choice(), p, [4, 5, 6]).subset).toEqual([4, 5, 6]);
    expect(requestFor(choice(), p, [4, 5]).subset).toBeNull();
  });
});

describe("spherizeOn", () => {
  const dims = (d: number) => ({ ...EMB, shape: [10, d] as [number, number] });
  it("follows the server's default (from 50 dimensions) until the user chooses", () => {
    expect(spherizeOn({ spherize: null, embedding: dims(49) })).toBe(false);
    expect(spherizeOn({ spherize: null, embedding: dims(50) })).toBe(true);
    expect(spherizeOn({ spherize: false, embedding: dims(300) })).toBe(false);
    expect(spherizeOn({ spherize: true, embedding: dims(3) })).toBe(true);
    expect(spherizeOn({ spherize: null, embedding: null })).toBe(false);
  });
});

describe("project", () => {
  it("shows a finished job's coordinates and PCA's variance", async () => {
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(
      job({ summary: { method: "pca", dims: 2, n: 5, params: {}, random_state: 0, spherize: true, explained_variance_ratio: [0.5, null, 0.1] } }),
    );
    vi.spyOn(api, "coords").mockResolvedValue(coords(5, 2));
    await project(null);
    expect(start).toHaveBeenCalledWith("r0", "e0", expect.objectContaining({ method: "pca" }));
    const s = store.get();
    expect(s.coords?.n).toBe(5);
    expect(Array.from(s.coords!.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.coords?.version).toBe(1);
    expect(s.variance).toEqual([0.5, 0, 0.1]);
    expect(s.busy).toBeNull();
    expect(streams).toHaveLength(0); // nothing to watch
  });

  it("keeps the latest call's answer when an earlier call's answer arrives after it", async () => {
    // PCA 2-D, then 3-D at once: the 3-D job is answered first, the 2-D one last; the 3-D view must stay
    let answer2d: (j: JobStatus) => void = () => {};
    const start = vi
      .spyOn(api, "startProjection")
      .mockImplementationOnce(() => new Promise<JobStatus>((resolve) => (answer2d = resolve)))
      .mockImplementationOnce(async () => job({ id: "j3", n_components: 3 }));
    vi.spyOn(api, "coords").mockImplementation(async (id) => (id === "j3" ? coords(5, 3) : coords(5, 2, 50)));
    store.set({ projection: choice({ dims: 2 }) });
    const first = project(null);
    store.set({ projection: choice({ dims: 3 }) });
    await project(null);
    answer2d(job({ id: "j2", n_components: 2 }));
    await first;
    expect(start).toHaveBeenCalledTimes(2);
    const s = store.get();
    expect(s.job?.id).toBe("j3");
    expect(s.coords?.dims).toBe(3);
    expect(s.coords?.data[0]).toBe(0); // not the 2-D answer's (50, ...)
    expect(s.projection.dims).toBe(3);
    expect(s.busy).toBeNull();
  });

  it("drops an earlier call's coordinates that arrive after a later call's, and its late error", async () => {
    let coords2d: (c: Coords) => void = () => {};
    let fail2d: (e: unknown) => void = () => {};
    vi.spyOn(api, "startProjection")
      .mockResolvedValueOnce(job({ id: "j2" }))
      .mockResolvedValueOnce(job({ id: "j3", n_components: 3 }))
      .mockImplementationOnce(() => new Promise<JobStatus>((_, reject) => (fail2d = reject)))
      .mockResolvedValueOnce(job({ id: "j4" }));
    vi.spyOn(api, "coords").mockImplementation((id) =>
      id === "j2" ? new Promise<Coords>((resolve) => (coords2d = resolve)) : Promise.resolve(coords(5, 3)),
    );
    const first = project(null);
    await Promise.resolve();
    await project(null);
    coords2d(coords(5, 2, 50));
    await first;
    expect(store.get().coords?.dims).toBe(3);
    expect(store.get().job?.id).toBe("j3");
    // a call that fails after a newer one started says nothing
    const failing = project(null);
    await project(null);
    fail2d(new ApiError(500, { kind: "internal", message: "too late" }));
    await failing;
    expect(store.get().error).toBeNull();
    expect(store.get().job?.id).toBe("j4");
  });

  it("sends the store's spherize choice, and setSpherize re-runs the projection with it", async () => {
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(job());
    vi.spyOn(api, "coords").mockResolvedValue(coords(5, 2));
    await project(null);
    expect(start.mock.calls[0][2]).not.toHaveProperty("spherize");
    await setSpherize(false);
    expect(store.get().spherize).toBe(false);
    expect(start).toHaveBeenCalledTimes(2);
    expect(start.mock.calls[1][2].spherize).toBe(false);
    await setSpherize(true);
    expect(start.mock.calls[2][2].spherize).toBe(true);
  });

  it("spreads an isolated subset's coordinates over every row, NaN for the others", async () => {
    store.set({ selection: [3, 1, 4, 1] });
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(job());
    vi.spyOn(api, "coords").mockResolvedValue(coords(3, 2, 100));
    await isolateSelection();
    expect(start.mock.calls[0][2].subset).toEqual([1, 3, 4]); // sorted, without repeats
    const s = store.get();
    expect(s.isolated).toEqual([1, 3, 4]);
    const data = Array.from(s.coords!.data);
    expect(s.coords?.n).toBe(5);
    expect(data.slice(2, 4)).toEqual([100, 101]); // row 1
    expect(data.slice(6, 8)).toEqual([102, 103]); // row 3
    expect(data.slice(8, 10)).toEqual([104, 105]); // row 4
    expect(data.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(data.slice(4, 6).every(Number.isNaN)).toBe(true);

    await showAllData();
    expect(start.mock.calls[1][2].subset).toBeNull();
    expect(store.get().isolated).toBeNull();
  });

  it("refuses to isolate fewer than 3 points", async () => {
    const start = vi.spyOn(api, "startProjection");
    store.set({ selection: [1, 2] });
    await isolateSelection();
    expect(start).not.toHaveBeenCalled();
    expect(store.get().error).toMatch(/at least 3/);
  });

  it("shows streamed frames as they come and ignores a job no longer watched", async () => {
    store.set({ projection: choice({ method: "tsne" }) });
    vi.spyOn(api, "startProjection").mockResolvedValueOnce(job({ id: "a", method: "tsne", state: "running" }));
    await project(null);
    expect(store.get().busy).toBe("Running t-SNE…");
    const [first] = streams;
    expect(first.id).toBe("a");
    first.on.frame(coords(5, 2, 0, false));
    first.on.frame(coords(5, 2, 50, false));
    expect(store.get().coords?.version).toBe(2);
    expect(store.get().coords?.data[0]).toBe(50);
    first.on.status(job({ id: "a", method: "tsne", state: "running", iteration: 20 }));
    expect(store.get().job?.iteration).toBe(20);

    // a new run: the old stream is closed and its late messages change nothing
    vi.spyOn(api, "startProjection").mockResolvedValueOnce(job({ id: "b", method: "tsne", state: "running" }));
    await project(null);
    expect(first.close).toHaveBeenCalled();
    first.on.frame(coords(5, 2, 900));
    first.on.status(job({ id: "a", method: "tsne", state: "done" }));
    expect(store.get().coords?.data[0]).toBe(50);
    expect(store.get().job?.id).toBe("b");
  });

  it("fetches the final coordinates when the stream closes on a done job without a final frame", async () => {
    vi.spyOn(api, "startProjection").mockResolvedValue(job({ state: "running" }));
    const final = vi.spyOn(api, "coords").mockResolvedValue(coords(5, 2, 7));
    await project(null);
    const [stream] = streams;
    stream.on.status(job({ state: "done" }));
    expect(store.get().busy).toBeNull();
    stream.on.closed();
    await vi.waitFor(() => expect(store.get().coords?.data[0]).toBe(7));
    expect(final).toHaveBeenCalledWith("j1");
  });

  it("ignores a stale status of the same job (an older version)", async () => {
    vi.spyOn(api, "startProjection").mockResolvedValue({ ...job({ state: "running", iteration: 30 }), version: 5 } as JobStatus);
    await project(null);
    streams[0].on.status({ ...job({ state: "running", iteration: 10 }), version: 3 } as JobStatus);
    expect(store.get().job?.iteration).toBe(30);
  });

  it("shows a failed job's error and the server's error when it cannot start", async () => {
    vi.spyOn(api, "startProjection").mockResolvedValueOnce(job({ state: "running" }));
    await project(null);
    streams[0].on.status(job({ state: "failed", error: { kind: "compute", message: "t-SNE diverged" } }));
    expect(store.get().error).toBe("t-SNE diverged.");
    expect(store.get().busy).toBeNull();

    vi.spyOn(api, "startProjection").mockRejectedValueOnce(
      new ApiError(422, { kind: "bad_input", message: "perplexity must be < n" }),
    );
    await project(null);
    expect(store.get().error).toBe("Perplexity must be < n.");
    expect(store.get().busy).toBeNull();
  });

  it("does nothing without an embedding", async () => {
    store.set({ embedding: null });
    const start = vi.spyOn(api, "startProjection");
    await project(null);
    expect(start).not.toHaveBeenCalled();
  });
});

describe("steering", () => {
  it("pauses a running job and leaves a finished one alone", async () => {
    const pause = vi.spyOn(api, "pauseProjection").mockResolvedValue(job({ state: "paused" }));
    store.set({ job: job({ state: "running" }), busy: "Running t-SNE…" });
    await pauseJob();
    expect(pause).toHaveBeenCalledWith("j1");
    expect(store.get().job?.state).toBe("paused");
    expect(store.get().busy).toBeNull();
    store.set({ job: job({ state: "done" }) });
    await pauseJob();
    expect(pause).toHaveBeenCalledTimes(1);
  });

  it("re-runs t-SNE with the next seed (the same seed would answer the cached result)", async () => {
    store.set({ projection: choice({ method: "tsne" }), job: job({ state: "done", method: "tsne" }) });
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(job({ method: "tsne" }));
    vi.spyOn(api, "coords").mockResolvedValue(coords(5, 2));
    await rerunTsne();
    expect(store.get().params.tsneSeed).toBe(1);
    expect(start.mock.calls[0][2].random_state).toBe(1);
  });
});
