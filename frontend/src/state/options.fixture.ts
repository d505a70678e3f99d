// For the unit tests: an answer of GET /api/options, as the server gives it (the numbers are data, not the page's).
import type { Options } from "../api/types";
import { withOptions } from "./options";
import { type State, initialState } from "./store";

export const OPTIONS: Options = {
  projection: {
    methods: ["pca", "tsne", "umap", "custom", "precomputed"],
    n_components: { default: 2, choices: [2, 3] },
    random_state: { default: 0, min: 0, max: 4294967295 },
    pca_components: 10,
    params: {
      pca: [{ name: "axes", type: "components", default: null, help: "the components shown on X, Y (and Z)" }],
      tsne: [
        { name: "perplexity", type: "number", default: 30, min: 1, max: 1000, help: "effective number of neighbours" },
        { name: "n_iter", type: "integer", default: 750, min: 250, max: 10000, help: "optimisation iterations" },
        { name: "early_exaggeration", type: "number", default: 12, min: 1, max: 100, help: "early exaggeration" },
        {
          name: "learning_rate",
          type: "number_or_auto",
          default: "auto",
          min: 0,
          exclusive_min: true,
          help: "auto: N / early exaggeration / 4",
        },
        { name: "metric", type: "choice", default: "euclidean", choices: ["euclidean", "cosine"], help: "distance" },
        { name: "neighbors", type: "choice", default: "auto", choices: ["auto", "exact", "approximate"], help: "k-NN graph" },
        { name: "supervise", type: "string", default: null, help: "the column whose labels pull points together" },
        { name: "supervise_ignore", type: "string", default: "", help: "the label of unlabelled points" },
        { name: "supervise_strength", type: "number", default: 0.5, min: 0, max: 1, help: "how strongly labels pull" },
      ],
      umap: [
        { name: "n_neighbors", type: "integer", default: 15, min: 2, max: 200, help: "neighbours of each point" },
        { name: "min_dist", type: "number", default: 0.1, min: 0, max: 1, help: "how tightly points pack" },
        { name: "metric", type: "choice", default: "euclidean", choices: ["euclidean", "cosine"], help: "distance" },
        { name: "neighbors", type: "choice", default: "auto", choices: ["auto", "exact", "approximate"], help: "k-NN graph" },
        { name: "parallel", type: "boolean", default: false, help: "every core, not reproducible" },
      ],
      custom: [
        { name: "column", type: "string", default: null, help: "the metadata column the patterns match" },
        { name: "left", type: "string", default: null, help: "rows at the left" },
        { name: "right", type: "string", default: null, help: "rows at the right" },
        { name: "up", type: "string", default: null, help: "rows at the top" },
        { name: "down", type: "string", default: null, help: "rows at the bottom" },
        { name: "regex", type: "boolean", default: false, help: "patterns are regular expressions" },
        { name: "fallback", type: "choice", default: "pca", choices: ["pca", "random"], help: "the axis with no pattern" },
      ],
      precomputed: [{ name: "columns", type: "string", default: null, help: "the coordinate columns" }],
    },
  },
  neighbors: { k: { default: 100, min: 1, max: 1000 } },
  map: { tiles_from: 2000000, tile_points: 16384 },
};

/** The store's state once boot.ts has loaded OPTIONS: the server's defaults in place. */
export const booted: State = { ...initialState, ...withOptions(OPTIONS, initialState) };
