import { describe, expect, it } from "vitest";
import type { Options } from "../api/types";
import { OPTIONS } from "./options.fixture";
import { defaultParams } from "./options";
import type { Snapshot } from "./snapshot";
import { decodeRanges, decodeState as decodeWith, encodeRanges, encodeState as encodeWith } from "./urlState";

const encodeState = (s: Snapshot) => encodeWith(s, OPTIONS);
const decodeState = (hash: string, options: Options = OPTIONS) => decodeWith(hash, options);

const base: Snapshot = {
  version: 1,
  embedding: { run: "r 0", id: "e/0" },
  projection: { method: "pca", dims: 3, axes: [0, 1, 3] },
  params: defaultParams(OPTIONS),
  isolated: null,
  selection: [5, 1, 2, 3],
  focus: null,
  labelBy: "word",
  colorBy: null,
  colorMode: "category",
  k: 20,
  metric: "cosine",
  spherize: null,
  camera: { dims: 3, target: [0.1, -0.2, 0], zoom: 8.5, rotationX: 20, rotationOrbit: -45.5 },
};

describe("index ranges", () => {
  it("round-trip sorted, de-duplicated runs", () => {
    expect(encodeRanges([7, 1, 2, 3, 3, 9, 10])).toBe("1-3,7,9-10");
    expect(decodeRanges("1-3,7,9-10")).toEqual([1, 2, 3, 7, 9, 10]);
    expect(decodeRanges("")).toEqual([]);
  });
  it("refuse malformed or oversized lists", () => {
    expect(decodeRanges("3-1")).toBeNull();
    expect(decodeRanges("a,b")).toBeNull();
    expect(decodeRanges("0-99", 10)).toBeNull();
  });
});

describe("the URL state", () => {
  it("round-trips a 3-D PCA view with its camera and selection", () => {
    const doc = decodeState(`#${encodeState(base)}`);
    expect(doc.embedding).toEqual({ run: "r 0", id: "e/0" });
    expect(doc.projection).toMatchObject({ method: "pca", dims: 3, axes: [0, 1, 3] });
    expect(doc.selection).toEqual([1, 2, 3, 5]);
    expect(doc.labelBy).toBe("word");
    expect(doc.colorBy).toBeNull();
    expect(doc.camera).toEqual(base.camera);
  });
  it("keeps the filters, and none is none", () => {
    const filters = [
      { column: "book", kind: "values" as const, values: ["Ge", "Psa & co"] },
      { column: "verse", kind: "range" as const, min: 1.5, max: 20 },
      { column: "text", kind: "text" as const, text: "light=#1" },
    ];
    expect(decodeState(encodeState({ ...base, filters })).filters).toEqual(filters);
    expect(encodeState({ ...base, filters: [] })).not.toContain("flt");
    expect(decodeState(encodeState(base)).filters).toBeUndefined();
    expect(decodeState("flt=%7Bbroken").filters).toEqual([]);
  });
  it("keeps the cluster labels and the density choice", () => {
    const doc = decodeState(encodeState({ ...base, clusters: { on: true, column: "book" }, density: { on: false, from: 5000 } }));
    expect(doc.clusters).toEqual({ on: true, column: "book" });
    expect(doc.density).toEqual({ on: false, from: 5000 });
    const plain = decodeState(encodeState({ ...base, clusters: { on: false, column: null }, density: { on: null, from: 100_000 } }));
    expect(plain.clusters).toEqual({ on: false, column: null });
    expect(plain.density).toEqual({ on: null, from: 100_000 });
    expect(encodeState({ ...base, density: { on: null, from: 100_000 } })).not.toContain("den");
  });
  it("keeps the method's own parameters", () => {
    const tsne = { ...base, projection: { ...base.projection, method: "tsne" as const, dims: 2 as const }, camera: null };
    const doc = decodeState(encodeState({ ...tsne, params: { ...base.params, tsneSeed: 4, learningRate: 200 } }));
    expect(doc.params).toMatchObject({ tsneSeed: 4, learningRate: 200, perplexity: 30, iterations: 750 });
    const custom = { ...base, projection: { ...base.projection, method: "custom" as const } };
    const c = decodeState(encodeState({ ...custom, params: { ...base.params, column: "w", up: "good|great", regex: true } }));
    expect(c.params).toMatchObject({ column: "w", up: "good|great", regex: true });
    expect(c.projection?.dims).toBe(2);
    const pre = { ...base, projection: { ...base.projection, method: "precomputed" as const, dims: 3 as const } };
    const d = decodeState(encodeState({ ...pre, params: { ...base.params, coords: ["umap x", "umap y", "t"] } }));
    expect(d.params?.coords).toEqual(["umap x", "umap y", "t"]);
    expect(d.projection).toMatchObject({ method: "precomputed", dims: 3 });
  });
  it("leaves out a selection too long for a URL, and a focus replaces the selection", () => {
    const many = Array.from({ length: 1000 }, (_, i) => 2 * i);
    expect(decodeState(encodeState({ ...base, selection: many })).selection).toBeUndefined();
    const doc = decodeState(encodeState({ ...base, focus: 12 }));
    expect(doc.focus).toBe(12);
    expect(doc.selection).toBeUndefined();
  });
  it("keeps the training step shown, and leaves it out for the latest", () => {
    expect(decodeState(encodeState({ ...base, step: 1200 })).step).toBe(1200);
    expect(decodeState(encodeState({ ...base, step: 0 })).step).toBe(0);
    expect(encodeState({ ...base, step: null })).not.toContain("step=");
    expect(decodeState("method=pca").step).toBeNull(); // a link without a step shows the latest
    expect(decodeState("step=-1").step).toBeNull();
    expect(decodeState("step=x").step).toBeNull();
  });
  it("keeps a numeric colour's scale when one was chosen", () => {
    const numeric = { ...base, colorBy: "freq", colorMode: "numeric" as const };
    expect(decodeState(encodeState({ ...numeric, colorScale: "linear" }))).toMatchObject({
      colorBy: "freq",
      colorMode: "numeric",
      colorScale: "linear",
    });
    expect(decodeState(encodeState({ ...numeric, colorScale: null })).colorScale).toBeNull(); // the column's default
    expect(encodeState({ ...base, colorScale: "log" })).not.toContain("cscale"); // no numeric colour: no scale
    expect(decodeState("color=freq&cmode=numeric&cscale=cubic").colorScale).toBeNull();
  });
  it("leaves k out when it is the server's default", () => {
    expect(encodeState({ ...base, k: 100 })).not.toContain("k=");
    expect(decodeState(encodeState({ ...base, k: 20 })).k).toBe(20);
    expect(encodeWith({ ...base, k: 100 }, null)).toContain("k=100"); // no options (yet): said
  });
  it("reads back only what the server's bounds allow", () => {
    const tsne = "method=tsne&perplexity=1000&iter=10000&lr=0.5&seed=4294967295";
    const unsupervised = { supervise: null, superviseIgnore: "" };
    const read = { perplexity: 1000, iterations: 10000, learningRate: 0.5, tsneSeed: 4294967295, graph: "auto", ...unsupervised };
    expect(decodeState(tsne).params).toEqual(read);
    const beyond = "method=tsne&perplexity=1001&iter=249&lr=0&seed=4294967296&graph=fast&sups=2";
    expect(decodeState(beyond).params).toEqual({ graph: "auto", ...unsupervised }); // no graph named is "auto"
    const supervised = decodeState("method=tsne&sup=digit&sups=0.8&supi=%3F").params;
    expect(supervised).toMatchObject({ supervise: "digit", superviseStrength: 0.8, superviseIgnore: "?" });
    expect(decodeState("method=umap&nn=200&md=1").params).toEqual({ neighbors: 200, minDist: 1, graph: "auto", parallel: false });
    expect(decodeState("method=umap&nn=201&md=1.5&graph=exact&par=1").params).toEqual({ graph: "exact", parallel: true });
    expect(decodeState("k=1000").k).toBe(1000);
    expect(decodeState("k=1001").k).toBeUndefined();
    expect(decodeState("axes=0,9").projection?.axes?.slice(0, 2)).toEqual([0, 9]);
    expect(decodeState("axes=0,10").projection).toBeUndefined();
    // one component on two axes (a hand-made link): the repeat gives way to the lowest free component
    expect(decodeState("axes=1,1").projection?.axes).toEqual([1, 0, 2]);
    expect(decodeState("axes=2,0,2").projection?.axes).toEqual([2, 0, 1]);
  });
  it("follows other bounds when the server gives others", () => {
    const wider: Options = {
      ...OPTIONS,
      projection: { ...OPTIONS.projection, methods: ["pca", "tsne"], pca_components: 20 },
      neighbors: { k: { default: 10, min: 1, max: 5000 } },
    };
    expect(decodeState("k=5000&axes=0,15", wider)).toMatchObject({ k: 5000, projection: { axes: [0, 15, 1] } });
    expect(decodeState("method=umap", wider).projection).toBeUndefined(); // a method this server lacks
  });
  it("drops malformed values instead of failing", () => {
    const doc = decodeState("method=nope&dims=7&axes=0,x&k=0&cam=1,2&perplexity=-3&sel=9-1");
    expect(doc.projection).toBeUndefined();
    expect(doc.k).toBeUndefined();
    expect(doc.camera).toBeUndefined();
    expect(doc.selection).toBeUndefined();
  });
});
