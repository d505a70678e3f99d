// The page state in the URL's hash (`#run=r0&tensor=e0&method=tsne&dims=3&perplexity=30&…&cam=…`), so that a link
// reopens the same view. The query string is left alone (`?token=` stays). Pure functions: encode and decode, with
// the server's options (state/options.ts) for the defaults left out and the bounds of what is read back.
import type { Options } from "../api/types";
import type { Camera } from "../render/camera";
import { type Bounds, boundsOf, graphChoice, paramOf, within } from "./options";
import { decodeFilters, encodeFilters } from "./filters";
import { distinctAxes } from "./pcaAxes";
import type { Snapshot } from "./snapshot";
import { DENSITY_FROM, type ProjectionChoice, type ProjectionParams } from "./store";

/** A state read from a URL: every part optional (restore() keeps what is missing). */
export type UrlState = Partial<Omit<Snapshot, "projection" | "params">> & {
  projection?: Partial<ProjectionChoice>;
  params?: Partial<ProjectionParams>;
};

/** Selections and isolated sets larger than this many characters are left out of the URL. */
const MAX_LIST = 2000;

/** Sorted, de-duplicated indices as ranges: [1, 2, 3, 7] -> "1-3,7". */
export function encodeRanges(indices: number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let end = k;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    parts.push(end > k ? `${sorted[k]}-${sorted[end]}` : String(sorted[k]));
    k = end + 1;
  }
  return parts.join(",");
}

/** "1-3,7" -> [1, 2, 3, 7]; null when malformed or longer than `limit` indices. */
export function decodeRanges(text: string, limit = 1_000_000): number[] | null {
  if (text === "") return [];
  const out: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || out.length + (b - a + 1) > limit) return null;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

const num = (v: number) => String(Number(v.toFixed(4)));

/** The hash of a page state; k is left out when it is the server's default. */
export function encodeState(s: Snapshot, options: Options | null): string {
  const q = new URLSearchParams();
  if (s.embedding) {
    q.set("run", s.embedding.run);
    q.set("tensor", s.embedding.id);
  }
  const p = s.projection;
  const params = s.params;
  q.set("method", p.method);
  q.set("dims", String(p.method === "custom" ? 2 : p.dims));
  if (p.method === "pca") q.set("axes", p.axes.slice(0, p.dims).join(","));
  if (p.method === "tsne") {
    q.set("perplexity", num(params.perplexity));
    q.set("iter", String(params.iterations));
    if (typeof params.learningRate === "number" && params.learningRate > 0) q.set("lr", num(params.learningRate));
    q.set("seed", String(params.tsneSeed));
    if (params.supervise) {
      q.set("sup", params.supervise);
      q.set("sups", num(params.superviseStrength));
      if (params.superviseIgnore) q.set("supi", params.superviseIgnore);
    }
  }
  if (p.method === "umap") {
    q.set("nn", String(params.neighbors));
    q.set("md", num(params.minDist));
    q.set("seed", String(params.umapSeed));
    if (params.parallel) q.set("par", "1");
  }
  if ((p.method === "tsne" || p.method === "umap") && params.graph !== "auto") q.set("graph", params.graph);
  if (p.method === "custom") {
    if (params.column) q.set("col", params.column);
    for (const side of ["left", "right", "up", "down"] as const) if (params[side]) q.set(side, params[side]);
    if (params.regex) q.set("re", "1");
  }
  if (p.method === "precomputed" && params.coords.length) q.set("pc", params.coords.join(","));
  if (s.spherize !== undefined && s.spherize !== null) q.set("sph", s.spherize ? "1" : "0");
  if (s.step !== undefined && s.step !== null) q.set("step", String(s.step));
  if (s.isolated) {
    const iso = encodeRanges(s.isolated);
    if (iso.length <= MAX_LIST) q.set("iso", iso);
  }
  if (s.labelBy) q.set("label", s.labelBy);
  q.set("color", s.colorBy ?? "");
  if (s.colorBy && s.colorMode === "numeric") q.set("cmode", "numeric");
  if (s.colorBy && s.colorMode === "numeric" && s.colorScale) q.set("cscale", s.colorScale);
  if (s.focus !== null) q.set("focus", String(s.focus));
  else if (s.selection.length > 0) {
    const sel = encodeRanges(s.selection);
    if (sel.length <= MAX_LIST) q.set("sel", sel);
  }
  if (s.k !== options?.neighbors.k.default) q.set("k", String(s.k));
  if (s.metric !== "cosine") q.set("metric", s.metric);
  if (s.clusters?.on) q.set("cl", s.clusters.column ?? "");
  if (s.density && s.density.on !== null) q.set("den", s.density.on ? "1" : "0");
  if (s.density && s.density.from !== DENSITY_FROM) q.set("denfrom", String(s.density.from));
  const filters = encodeFilters(s.filters ?? []);
  if (filters && filters.length <= MAX_LIST) q.set("flt", filters);
  const c = s.camera;
  if (c) {
    const parts = [...c.target, c.zoom];
    if (c.dims === 3) parts.push(c.rotationX ?? 0, c.rotationOrbit ?? 0);
    q.set("cam", parts.map(num).join(","));
  }
  return q.toString();
}

const ANY: Bounds = { min: 0, max: Number.MAX_SAFE_INTEGER, exclusiveMin: false };
const int = (v: string | null, b: Bounds): number | undefined => {
  if (v === null || !/^-?\d+$/.test(v)) return undefined;
  const n = Number(v);
  return within(n, b) ? n : undefined;
};
const real = (v: string | null, b: Bounds): number | undefined => {
  if (v === null || v.trim() === "") return undefined;
  const n = Number(v);
  return within(n, b) ? n : undefined;
};

/** What a hash (with or without its `#`) says; anything malformed, or outside the server's bounds, is left out. */
export function decodeState(hash: string, options: Options): UrlState {
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  const out: UrlState = {};
  const run = q.get("run");
  const tensor = q.get("tensor");
  if (run && tensor) out.embedding = { run, id: tensor };
  const projection: Partial<ProjectionChoice> = {};
  const params: Partial<ProjectionParams> = {};
  const { methods, n_components, pca_components, random_state } = options.projection;
  const bounds = (method: ProjectionChoice["method"], name: string) => boundsOf(paramOf(options, method, name));
  const method = q.get("method");
  if (method && methods.includes(method)) projection.method = method as ProjectionChoice["method"]; // one the server has
  const dims = int(q.get("dims"), ANY);
  if ((dims === 2 || dims === 3) && n_components.choices.includes(dims)) projection.dims = dims;
  const axes = (q.get("axes") ?? "").split(",").map((a) => int(a, { ...ANY, max: pca_components - 1 }));
  if (axes.length >= 2 && axes.every((a) => a !== undefined)) {
    projection.axes = distinctAxes(axes as number[]); // never one component on two axes
  }
  const set = <K extends keyof ProjectionParams>(key: K, v: ProjectionParams[K] | undefined) => {
    if (v !== undefined) params[key] = v;
  };
  set("perplexity", real(q.get("perplexity"), bounds("tsne", "perplexity")));
  if (projection.method === "tsne") {
    params.supervise = q.get("sup") || null;
    set("superviseStrength", real(q.get("sups"), bounds("tsne", "supervise_strength")));
    params.superviseIgnore = q.get("supi") ?? "";
  }
  set("iterations", int(q.get("iter"), bounds("tsne", "n_iter")));
  set("learningRate", real(q.get("lr"), bounds("tsne", "learning_rate")));
  const seed = int(q.get("seed"), boundsOf(random_state));
  if (projection.method === "tsne") set("tsneSeed", seed);
  if (projection.method === "umap") set("umapSeed", seed);
  set("neighbors", int(q.get("nn"), bounds("umap", "n_neighbors")));
  set("minDist", real(q.get("md"), bounds("umap", "min_dist")));
  if (projection.method === "tsne" || projection.method === "umap") params.graph = graphChoice(q.get("graph")) ?? "auto";
  if (projection.method === "umap") params.parallel = q.get("par") === "1";
  if (q.get("col")) params.column = q.get("col");
  for (const side of ["left", "right", "up", "down"] as const) if (q.has(side)) params[side] = q.get(side) ?? "";
  if (projection.method === "custom") params.regex = q.get("re") === "1";
  if (projection.method === "precomputed") params.coords = (q.get("pc") ?? "").split(",").filter((c) => c !== "").slice(0, 3);
  if (Object.keys(projection).length) out.projection = projection;
  if (Object.keys(params).length) out.params = params;
  const sph = q.get("sph");
  if (sph === "1" || sph === "0") out.spherize = sph === "1";
  out.step = int(q.get("step"), ANY) ?? null; // left out: the latest
  const iso = q.get("iso");
  const isolated = iso === null ? null : decodeRanges(iso);
  if (isolated) out.isolated = isolated;
  if (q.has("label")) out.labelBy = q.get("label") || null;
  if (q.has("color")) out.colorBy = q.get("color") || null;
  out.colorMode = q.get("cmode") === "numeric" ? "numeric" : "category";
  const cscale = q.get("cscale");
  out.colorScale = cscale === "linear" || cscale === "log" ? cscale : null;
  const focus = int(q.get("focus"), ANY);
  if (focus !== undefined) out.focus = focus;
  const sel = q.get("sel");
  const selection = sel === null ? null : decodeRanges(sel);
  if (selection) out.selection = selection;
  const k = int(q.get("k"), boundsOf(options.neighbors.k));
  if (k !== undefined) out.k = k;
  const metric = q.get("metric");
  if (metric === "cosine" || metric === "euclidean") out.metric = metric;
  if (q.has("flt")) out.filters = decodeFilters(q.get("flt"));
  out.clusters = { on: q.has("cl"), column: q.get("cl") || null };
  const den = q.get("den");
  out.density = { on: den === "1" ? true : den === "0" ? false : null, from: int(q.get("denfrom"), ANY) ?? DENSITY_FROM };
  const cam = (q.get("cam") ?? "").split(",").map(Number);
  const camDims = projection.method === "custom" ? 2 : (projection.dims ?? 2);
  if (cam.every(Number.isFinite) && cam.length === (camDims === 3 ? 6 : 4)) {
    const camera: Camera = { dims: camDims, target: [cam[0], cam[1], cam[2]], zoom: cam[3] };
    if (camDims === 3) {
      camera.rotationX = cam[4];
      camera.rotationOrbit = cam[5];
    }
    out.camera = camera;
  }
  return out;
}
