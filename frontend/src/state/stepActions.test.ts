import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { CompareResponse, EmbeddingInfo, JobStatus } from "../api/types";
import {
  compareRange,
  compareSteps,
  currentCompare,
  defaultCompareStep,
  pause,
  play,
  refreshSteps,
  setCompareWith,
  setStep,
  shownStep,
  stepBy,
  stepsOf,
} from "./stepActions";
import { booted } from "./options.fixture";
import { store } from "./store";

vi.mock("../api/stream", () => ({ watchJob: () => () => undefined }));

const EMB: EmbeddingInfo = {
  id: "e0",
  run: "r0",
  name: "words",
  shape: [4, 8],
  label_column: "word",
  columns: [],
  sprite: null,
  steps: [0, 10, 20],
};

const done = (step: number): JobStatus =>
  ({ id: `j${step}`, method: "pca", n_components: 2, params: {}, state: "done", step, summary: null }) as unknown as JobStatus;

/** The server: every projection is finished at once, its coordinates say which step they are (x = step). */
function serveSteps() {
  const start = vi
    .spyOn(api, "startProjection")
    .mockImplementation(async (_r, _t, body) => done((body.step ?? 20) as number));
  vi.spyOn(api, "coords").mockImplementation(async (id) => {
    const step = Number(id.slice(1));
    return { n: 4, dims: 2, data: new Float32Array(8).fill(step), iteration: -1, final: true };
  });
  return start;
}

const answer = (from: number, to: number, k = booted.k, metric = "cosine"): CompareResponse => ({
  query: { index: 1, label: "w1" },
  metric,
  k,
  from_step: from,
  to_step: to,
  stayed: [{ index: 2, label: "w2", rank_from: 1, rank_to: 2, distance_from: 0.1, distance_to: 0.2 }],
  appeared: [{ index: 3, label: "w3", rank_from: null, rank_to: 1, distance_from: 0.5, distance_to: 0.1 }],
  left: [],
});

beforeEach(() => {
  store.set({ ...booted, embedding: EMB });
});

afterEach(() => {
  pause();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("steps", () => {
  it("are the embedding's steps when it has two or more", () => {
    expect(stepsOf(EMB)).toEqual([0, 10, 20]);
    expect(stepsOf({ ...EMB, steps: [5] })).toEqual([]);
    expect(stepsOf({ ...EMB, steps: null })).toEqual([]);
    expect(stepsOf(null)).toEqual([]);
  });

  it("show the latest unless another is chosen", () => {
    expect(shownStep(store.get())).toBe(20);
    expect(shownStep({ embedding: EMB, step: 10 })).toBe(10);
    expect(shownStep({ embedding: EMB, step: 7 })).toBe(20); // not a step of this embedding
    expect(shownStep({ embedding: { ...EMB, steps: null }, step: 10 })).toBeNull();
  });

  it("compare by default with the step before the shown one, else the one after, in training order", () => {
    expect(defaultCompareStep([0, 10, 20], 20)).toBe(10);
    expect(defaultCompareStep([0, 10, 20], 0)).toBe(10);
    expect(defaultCompareStep([0], 0)).toBeNull();
    expect(compareSteps(20, 0)).toEqual([0, 20]);
    expect(compareSteps(0, 10)).toEqual([0, 10]);
  });
});

describe("setStep", () => {
  it("projects the step, aligned, with the current method, and glides the points there", async () => {
    const start = serveSteps();
    store.set({ projection: { ...booted.projection, method: "pca", dims: 3 } });
    await setStep(10, { now: true });
    expect(start.mock.calls[0][2]).toMatchObject({ method: "pca", n_components: 3, step: 10, align: true });
    expect(store.get().step).toBe(10);
    expect(store.get().coords?.data[0]).toBe(10);
    expect(store.get().coords?.morph).toBe(true);
  });

  it("stores the latest as null (a link follows new steps) and ignores steps the embedding lacks", async () => {
    const start = serveSteps();
    store.set({ step: 0 });
    await setStep(20, { now: true });
    expect(store.get().step).toBeNull();
    expect(start.mock.calls[0][2]).not.toHaveProperty("step");
    await setStep(15, { now: true });
    expect(start).toHaveBeenCalledTimes(1);
  });

  it("waits for the slider to rest: one projection for several quick moves", async () => {
    vi.useFakeTimers();
    const start = serveSteps();
    void setStep(0);
    void setStep(10);
    expect(store.get().step).toBe(10); // the number follows the slider at once
    await vi.advanceTimersByTimeAsync(500);
    expect(start).toHaveBeenCalledTimes(1);
    expect(start.mock.calls[0][2]).toMatchObject({ step: 10 });
  });
});

describe("stepBy", () => {
  it("moves one step back or forward, within the steps, stopping play", async () => {
    vi.useFakeTimers();
    serveSteps();
    store.set({ playing: true });
    stepBy(-1);
    expect(store.get()).toMatchObject({ step: 10, playing: false });
    stepBy(-5);
    expect(store.get().step).toBe(0);
    stepBy(-1);
    expect(store.get().step).toBe(0);
    stepBy(2);
    expect(store.get().step).toBeNull(); // the latest
  });
});

describe("refreshSteps", () => {
  const runsWith = (steps: number[]) => ({ source: null, runs: [{ id: "r0", name: ".", embeddings: [{ ...EMB, steps }] }] });

  it("grows the slider with steps logged since, and a page on the latest step glides to the new one", async () => {
    const start = serveSteps();
    vi.spyOn(api, "runs").mockResolvedValue(runsWith([0, 10, 20, 30]));
    await refreshSteps();
    expect(store.get().embedding?.steps).toEqual([0, 10, 20, 30]);
    expect(shownStep(store.get())).toBe(30);
    expect(start).toHaveBeenCalledTimes(1);
    expect(store.get().coords?.morph).toBe(true);
  });

  it("keeps a chosen step, and does nothing when no step was added", async () => {
    const start = serveSteps();
    vi.spyOn(api, "runs").mockResolvedValue(runsWith([0, 10, 20]));
    await refreshSteps();
    expect(store.get().embedding).toBe(EMB);
    store.set({ step: 10 });
    vi.spyOn(api, "runs").mockResolvedValue(runsWith([0, 10, 20, 30]));
    await refreshSteps();
    expect(shownStep(store.get())).toBe(10);
    expect(start).not.toHaveBeenCalled();
  });
});

describe("play", () => {
  it("steps from the first to the last, each drawn, then stops", async () => {
    vi.useFakeTimers();
    const start = serveSteps();
    const playing = play(); // at the last step: starts over from the first
    expect(store.get().playing).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    await playing;
    expect(start.mock.calls.map((c) => c[2].step ?? "latest")).toEqual([0, 10, "latest"]);
    expect(store.get()).toMatchObject({ playing: false, step: null });
  });

  it("stops when paused", async () => {
    vi.useFakeTimers();
    const start = serveSteps();
    store.set({ step: 0 });
    const playing = play();
    await vi.advanceTimersByTimeAsync(10);
    pause();
    await vi.advanceTimersByTimeAsync(5_000);
    await playing;
    expect(start.mock.calls.map((c) => c[2].step)).toEqual([10]);
    expect(store.get()).toMatchObject({ playing: false, step: 10 });
  });
});

describe("comparing neighbours between steps", () => {
  it("asks for the clicked point between the other step and the shown one, in training order", async () => {
    store.set({ focus: 1 });
    const call = vi.spyOn(api, "compareNeighbors").mockResolvedValue(answer(10, 20));
    await setCompareWith(10);
    expect(call).toHaveBeenCalledWith("r0", "e0", { query: 1, k: booted.k, metric: "cosine", from_step: 10, to_step: 20 });
    expect(currentCompare(store.get())?.appeared.map((n) => n.index)).toEqual([3]);
  });

  it("asks again when the point, the shown step, k or the metric change; never twice for one question", async () => {
    store.set({ focus: 1, step: 0 });
    const call = vi.spyOn(api, "compareNeighbors").mockImplementation(async (_r, _t, b) => ({
      ...answer(b.from_step as number, b.to_step as number, b.k, b.metric),
      query: { index: b.query as number, label: "" },
    }));
    await setCompareWith(20);
    expect(call.mock.calls[0][2]).toMatchObject({ from_step: 0, to_step: 20 });
    store.set({ step: 10 });
    store.set({ k: 5 });
    store.set({ focus: 2 });
    store.set({ focus: 2 });
    await vi.waitFor(() => expect(currentCompare(store.get())?.query.index).toBe(2));
    expect(call.mock.calls.map((c) => [c[2].query, c[2].from_step, c[2].to_step, c[2].k])).toEqual([
      [1, 0, 20, booted.k],
      [1, 10, 20, booted.k],
      [1, 10, 20, 5],
      [2, 10, 20, 5],
    ]);
  });

  it("has nothing to compare without a clicked point, or with the shown step itself", () => {
    expect(compareRange({ embedding: EMB, step: null, focus: null, compareWith: 10 })).toBeNull();
    expect(compareRange({ embedding: EMB, step: 10, focus: 1, compareWith: 10 })).toBeNull();
    expect(compareRange({ embedding: EMB, step: 10, focus: 1, compareWith: 0 })).toEqual([0, 10]);
  });

  it("shows an answer only for the question asked now", () => {
    store.set({ focus: 1, compareWith: 10, compare: answer(10, 20) });
    expect(currentCompare(store.get())).not.toBeNull();
    store.set({ metric: "euclidean" });
    expect(currentCompare(store.get())).toBeNull();
  });
});
