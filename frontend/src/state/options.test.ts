import { describe, expect, it } from "vitest";
import type { Options } from "../api/types";
import { boundsOf, clampTo, defaultParams, paramOf, withOptions, within } from "./options";
import { OPTIONS } from "./options.fixture";
import { initialState } from "./store";

describe("the server's options", () => {
  it("give each parameter's bounds, open where the server sets none", () => {
    expect(boundsOf(paramOf(OPTIONS, "tsne", "perplexity"))).toEqual({ min: 1, max: 1000, exclusiveMin: false });
    expect(boundsOf(paramOf(OPTIONS, "tsne", "learning_rate"))).toEqual({ min: 0, max: Infinity, exclusiveMin: true });
    expect(boundsOf(OPTIONS.neighbors.k)).toEqual({ min: 1, max: 1000, exclusiveMin: false });
  });

  it("say which values the server takes", () => {
    const rate = boundsOf(paramOf(OPTIONS, "tsne", "learning_rate"));
    expect(within(0, rate)).toBe(false); // an exclusive minimum
    expect(within(0.01, rate)).toBe(true);
    expect(within(1e9, rate)).toBe(true);
    const iterations = boundsOf(paramOf(OPTIONS, "tsne", "n_iter"));
    expect([249, 250, 10000, 10001, Number.NaN].map((v) => within(v, iterations))).toEqual([false, true, true, false, false]);
    expect(clampTo(5000, boundsOf(OPTIONS.neighbors.k))).toBe(1000);
    expect(clampTo(0, boundsOf(OPTIONS.neighbors.k))).toBe(1);
  });

  it("name a parameter the server does not have", () => {
    expect(() => paramOf(OPTIONS, "umap", "perplexity")).toThrow(/no umap parameter `perplexity` \(it has: n_neighbors, min_dist, metric, neighbors, parallel\)/);
  });

  it("give the page its starting parameters, dimensions and k", () => {
    expect(defaultParams(OPTIONS)).toEqual({
      perplexity: 30,
      iterations: 750,
      learningRate: "auto",
      tsneSeed: 0,
      neighbors: 15,
      minDist: 0.1,
      umapSeed: 0,
      column: null,
      left: "",
      right: "",
      up: "",
      down: "",
      regex: false,
      parallel: false,
      graph: "auto",
      supervise: null,
      superviseStrength: 0.5,
      superviseIgnore: "",
      coords: [],
    });
    const state = withOptions(OPTIONS, initialState);
    expect(state.options).toBe(OPTIONS);
    expect(state.k).toBe(100);
    expect(state.projection).toEqual({ ...initialState.projection, dims: 2 });
  });

  it("are data: other numbers give other defaults", () => {
    const tsne = OPTIONS.projection.params.tsne.map((p) =>
      p.name === "n_iter" ? { ...p, default: 1000 } : p.name === "learning_rate" ? { ...p, default: 200 } : p,
    );
    const other: Options = {
      ...OPTIONS,
      projection: {
        ...OPTIONS.projection,
        n_components: { default: 3, choices: [2, 3] },
        random_state: { default: 7, min: 0, max: 10 },
        params: { ...OPTIONS.projection.params, tsne },
      },
      neighbors: { k: { default: 25, min: 1, max: 50 } },
    };
    expect(defaultParams(other)).toMatchObject({ iterations: 1000, learningRate: 200, tsneSeed: 7, umapSeed: 7 });
    expect(withOptions(other, initialState)).toMatchObject({ k: 25, projection: { dims: 3 } });
  });

  it("refuse a default of the wrong kind", () => {
    const tsne = OPTIONS.projection.params.tsne.map((p) => (p.name === "perplexity" ? { ...p, default: "30" } : p));
    const bad: Options = { ...OPTIONS, projection: { ...OPTIONS.projection, params: { ...OPTIONS.projection.params, tsne } } };
    expect(() => defaultParams(bad)).toThrow(/default tsne `perplexity` is "30": expected a number/);
  });
});
