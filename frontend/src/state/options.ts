// The server's options (GET /api/options) as the page uses them: the bounds of each parameter (the inputs, the URL,
// the neighbour count) and the defaults the page starts from. boot.ts loads them before anything is projected; the
// server stays the one owner of those numbers, and validates every request again.
import type { Method, Options, ParamOption, RangeOption } from "../api/types";
import type { NeighborGraph, ProjectionParams, State } from "./store";

/** A parameter's allowed interval; `exclusiveMin`: the minimum itself is not allowed. */
export interface Bounds {
  min: number;
  max: number;
  exclusiveMin: boolean;
}

/** A method's parameter, as the server describes it; an error naming it when the server has no such parameter. */
export function paramOf(options: Options, method: Method, name: string): ParamOption {
  const found = options.projection.params[method]?.find((p) => p.name === name);
  if (!found) {
    const known = (options.projection.params[method] ?? []).map((p) => p.name).join(", ") || "none";
    throw new Error(`the server's options have no ${method} parameter \`${name}\` (it has: ${known}); reload the page`);
  }
  return found;
}

/** The bounds of a parameter or range; a side the server leaves open is infinite. */
export function boundsOf(p: ParamOption | RangeOption): Bounds {
  const exclusiveMin = "exclusive_min" in p && p.exclusive_min === true;
  return { min: p.min ?? -Infinity, max: p.max ?? Infinity, exclusiveMin };
}

/** Whether the server would take `value` for a parameter of these bounds. */
export function within(value: number, b: Bounds): boolean {
  return Number.isFinite(value) && (b.exclusiveMin ? value > b.min : value >= b.min) && value <= b.max;
}

/** The value moved into [min, max]. */
export function clampTo(value: number, b: Pick<Bounds, "min" | "max">): number {
  return Math.min(b.max, Math.max(b.min, value));
}

/** An input's min / max attribute: none for an open side. */
export const attr = (v: number): number | undefined => (Number.isFinite(v) ? v : undefined);

function numberDefault(options: Options, method: Method, name: string): number {
  const value = paramOf(options, method, name).default;
  if (typeof value !== "number") {
    throw new Error(`the server's default ${method} \`${name}\` is ${JSON.stringify(value)}: expected a number`);
  }
  return value;
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");

/** A neighbour-graph choice ("auto", "exact", "approximate"), or undefined for anything else. */
export const graphChoice = (v: unknown): NeighborGraph | undefined =>
  v === "auto" || v === "exact" || v === "approximate" ? v : undefined;

/** The projection parameters the page starts from: the server's defaults. */
export function defaultParams(options: Options): ProjectionParams {
  const seed = options.projection.random_state.default;
  const rate = paramOf(options, "tsne", "learning_rate").default;
  const custom = (name: string) => paramOf(options, "custom", name).default;
  const column = custom("column");
  return {
    perplexity: numberDefault(options, "tsne", "perplexity"),
    iterations: numberDefault(options, "tsne", "n_iter"),
    learningRate: typeof rate === "number" ? rate : "auto",
    tsneSeed: seed,
    neighbors: numberDefault(options, "umap", "n_neighbors"),
    minDist: numberDefault(options, "umap", "min_dist"),
    umapSeed: seed,
    parallel: paramOf(options, "umap", "parallel").default === true,
    graph: graphChoice(paramOf(options, "umap", "neighbors").default) ?? "auto",
    supervise: null,
    superviseStrength: numberDefault(options, "tsne", "supervise_strength"),
    superviseIgnore: text(paramOf(options, "tsne", "supervise_ignore").default),
    column: typeof column === "string" ? column : null,
    left: text(custom("left")),
    right: text(custom("right")),
    up: text(custom("up")),
    down: text(custom("down")),
    regex: custom("regex") === true,
    coords: [],
  };
}

/** What the store takes from the options at boot: them, and the defaults of the parameters, dimensions and k. */
export function withOptions(options: Options, state: Pick<State, "projection">): Partial<State> {
  const dims = options.projection.n_components.default === 3 ? 3 : 2;
  return {
    options,
    params: defaultParams(options),
    projection: { ...state.projection, dims },
    k: options.neighbors.k.default,
  };
}
