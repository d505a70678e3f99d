import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { EmbeddingInfo, JobStatus, Options, RunsInfo } from "../api/types";
import type { ScatterView } from "../render/scatter";
import { init } from "./boot";
import { OPTIONS } from "./options.fixture";
import { initialState, store } from "./store";
import { markViewReady } from "./viewReady";

const EMB: EmbeddingInfo = {
  id: "e0",
  run: "r0",
  name: "words",
  shape: [4, 8],
  label_column: null,
  columns: [],
  sprite: null,
};
const RUNS: RunsInfo = { source: null, runs: [{ id: "r0", name: ".", embeddings: [EMB] }] };
const DONE = { id: "j", method: "pca", state: "done", summary: null, version: 0 } as unknown as JobStatus;

const location = { hash: "", href: "http://127.0.0.1:6006/" };

beforeEach(() => {
  location.hash = "";
  vi.stubGlobal("window", {
    location,
    history: { state: null, replaceState: () => {} },
    addEventListener: () => {},
    setTimeout: () => 0, // the URL's update waits for no test
    clearTimeout: () => {},
    setInterval: () => 0, // nor does the connection's heartbeat
    clearInterval: () => {},
  });
  vi.stubGlobal("document", { visibilityState: "visible" });
  store.set({ ...initialState });
  markViewReady({} as ScatterView);
  vi.spyOn(api, "runs").mockResolvedValue(RUNS);
  vi.spyOn(api, "column").mockResolvedValue([]);
  vi.spyOn(api, "coords").mockResolvedValue({ n: 4, dims: 2, data: new Float32Array(8), iteration: -1, final: true });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("init", () => {
  it("loads the server's options before the first projection, and starts from their defaults", async () => {
    let answer!: (o: Options) => void;
    vi.spyOn(api, "loadOptions").mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const seen: (Options | null)[] = [];
    vi.spyOn(api, "startProjection").mockImplementation(async () => {
      seen.push(store.get().options);
      return DONE;
    });
    const done = init();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(api.startProjection).not.toHaveBeenCalled(); // the options are not there yet
    answer(OPTIONS);
    await done;
    expect(seen).toEqual([OPTIONS]);
    const s = store.get();
    expect(s.params).toMatchObject({ perplexity: 30, iterations: 750, learningRate: "auto", neighbors: 15 });
    expect(s.k).toBe(100);
    expect(s.embedding).toBe(EMB);
  });

  it("opens on the embedding the server marks as the loader's default", async () => {
    vi.spyOn(api, "loadOptions").mockResolvedValue(OPTIONS);
    vi.spyOn(api, "startProjection").mockResolvedValue(DONE);
    const words = { ...EMB, id: "e2", name: "embeddings.word_embeddings.weight", default: true };
    vi.spyOn(api, "runs").mockResolvedValue({ source: null, runs: [{ id: "r0", name: ".", embeddings: [EMB, words] }] });
    await init();
    expect(store.get().embedding).toBe(words);
  });

  it("reads the URL's view within the server's bounds", async () => {
    vi.spyOn(api, "loadOptions").mockResolvedValue(OPTIONS);
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(DONE);
    location.hash = "#run=r0&tensor=e0&method=tsne&dims=2&perplexity=12&iter=100000&k=1001";
    await init();
    expect(store.get().params).toMatchObject({ perplexity: 12, iterations: 750 }); // 100000: beyond the server's max
    expect(store.get().k).toBe(100);
    expect(start.mock.calls[0][2]).toMatchObject({ method: "tsne", params: { perplexity: 12, n_iter: 750 } });
  });

  it("keeps the options and the choices made when it runs again (after a lost connection)", async () => {
    const load = vi.spyOn(api, "loadOptions").mockResolvedValue(OPTIONS);
    vi.spyOn(api, "startProjection").mockResolvedValue(DONE);
    await init();
    store.set({ params: { ...store.get().params, perplexity: 5 }, embedding: null });
    await init();
    expect(load).toHaveBeenCalledTimes(1);
    expect(store.get().params.perplexity).toBe(5);
  });

  it("says so when the options cannot be loaded", async () => {
    vi.spyOn(api, "loadOptions").mockRejectedValue(new Error("no route /api/options"));
    const start = vi.spyOn(api, "startProjection").mockResolvedValue(DONE);
    await init();
    expect(store.get().error).toBe("no route /api/options");
    expect(start).not.toHaveBeenCalled();
  });
});
