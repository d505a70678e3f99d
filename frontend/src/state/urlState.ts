// The page state in the URL's hash (`#run=r0&tensor=e0&method=tsne&dims=3&perplexity=30&…&cam=…`), so that a link
// reopens the same view. The query string is left alone (`?token=` stays). Pure functions: encode and decode.
import type { Camera } from "../render/camera";
import type { Snapshot } from "./snapshot";
import type { ProjectionChoice, ProjectionParams } from "./store";

/** A state read from a URL: every part optional (restore() keeps what is missing). */
export type UrlState = Partial<Omit<Snapshot, "projection" | "params">> & {
  projection?: Partial<ProjectionChoice>;
  params?: Partial<ProjectionParams>;
};

/** Selections and isolated sets larger than this many characters are left out of the URL. */
const MAX_LIST = 2000;
const METHODS = ["pca", "tsne", "umap", "custom"] as const;

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

export function encodeState(s: Snapshot): string {
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
    q.set("perplexity", num(p.perplexity));
    q.set("iter", String(p.iterations));
    if (params.learningRate > 0) q.set("lr", num(params.learningRate));
    q.set("seed", String(params.tsneSeed));
  }
  if (p.method === "umap") {
    q.set("nn", String(params.neighbors));
    q.set("md", num(params.minDist));
    q.set("seed", String(params.umapSeed));
  }
  if (p.method === "custom") {
    if (params.column) q.set("col", params.column);
    for (const side of ["left", "right", "up", "down"] as const) if (params[side]) q.set(side, params[side]);
    if (params.regex) q.set("re", "1");
  }
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
  if (s.k !== 20) q.set("k", String(s.k));
  if (s.metric !== "cosine") q.set("metric", s.metric);
  const c = s.camera;
  if (c) {
    const parts = [...c.target, c.zoom];
    if (c.dims === 3) parts.push(c.rotationX ?? 0, c.rotationOrbit ?? 0);
    q.set("cam", parts.map(num).join(","));
  }
  return q.toString();
}

const int = (v: string | null, lo: number, hi: number): number | undefined => {
  if (v === null || !/^-?\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= lo && n <= hi ? n : undefined;
};
const real = (v: string | null, lo: number, hi: number): number | undefined => {
  if (v === null || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= lo && n <= hi ? n : undefined;
};

/** What a hash (with or without its `#`) says; anything malformed is left out. */
export function decodeState(hash: string): UrlState {
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  const out: UrlState = {};
  const run = q.get("run");
  const tensor = q.get("tensor");
  if (run && tensor) out.embedding = { run, id: tensor };
  const projection: Partial<ProjectionChoice> = {};
  const params: Partial<ProjectionParams> = {};
  const method = q.get("method");
  if (method && (METHODS as readonly string[]).includes(method)) projection.method = method as ProjectionChoice["method"];
  const dims = int(q.get("dims"), 2, 3);
  if (dims !== undefined) projection.dims = dims as 2 | 3;
  const axes = (q.get("axes") ?? "").split(",").map((a) => int(a, 0, 9));
  if (axes.length >= 2 && axes.every((a) => a !== undefined)) {
    const [x, y, z] = axes as number[];
    projection.axes = [x, y, z ?? [0, 1, 2].find((c) => c !== x && c !== y) ?? 2];
  }
  const set = <K extends keyof ProjectionParams>(key: K, v: ProjectionParams[K] | undefined) => {
    if (v !== undefined) params[key] = v;
  };
  const perplexity = real(q.get("perplexity"), 1, 10_000);
  if (perplexity !== undefined) projection.perplexity = perplexity;
  const iterations = int(q.get("iter"), 1, 1_000_000);
  if (iterations !== undefined) projection.iterations = iterations;
  set("learningRate", real(q.get("lr"), 0, 1e6));
  const seed = int(q.get("seed"), 0, 2 ** 31 - 1);
  if (projection.method === "tsne") set("tsneSeed", seed);
  if (projection.method === "umap") set("umapSeed", seed);
  set("neighbors", int(q.get("nn"), 2, 10_000));
  set("minDist", real(q.get("md"), 0, 1));
  if (q.get("col")) params.column = q.get("col");
  for (const side of ["left", "right", "up", "down"] as const) if (q.has(side)) params[side] = q.get(side) ?? "";
  if (projection.method === "custom") params.regex = q.get("re") === "1";
  if (Object.keys(projection).length) out.projection = projection;
  if (Object.keys(params).length) out.params = params;
  const sph = q.get("sph");
  if (sph === "1" || sph === "0") out.spherize = sph === "1";
  out.step = int(q.get("step"), 0, Number.MAX_SAFE_INTEGER) ?? null; // left out: the latest
  const iso = q.get("iso");
  const isolated = iso === null ? null : decodeRanges(iso);
  if (isolated) out.isolated = isolated;
  if (q.has("label")) out.labelBy = q.get("label") || null;
  if (q.has("color")) out.colorBy = q.get("color") || null;
  out.colorMode = q.get("cmode") === "numeric" ? "numeric" : "category";
  const cscale = q.get("cscale");
  out.colorScale = cscale === "linear" || cscale === "log" ? cscale : null;
  const focus = int(q.get("focus"), 0, 2 ** 31 - 1);
  if (focus !== undefined) out.focus = focus;
  const sel = q.get("sel");
  const selection = sel === null ? null : decodeRanges(sel);
  if (selection) out.selection = selection;
  const k = int(q.get("k"), 1, 1000);
  if (k !== undefined) out.k = k;
  const metric = q.get("metric");
  if (metric === "cosine" || metric === "euclidean") out.metric = metric;
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
