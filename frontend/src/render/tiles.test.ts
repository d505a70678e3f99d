import { tableFromArrays, tableFromIPC, tableToIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { TilePyramid } from "../api/types";
import { legendOf, numericColors, pointColors } from "./palette";
import {
  densityPixels,
  drawnPoints,
  levelFor,
  levelInView,
  nearestPoint,
  parseTile,
  tilePaint,
  tileSquare,
  tilesInView,
} from "./tiles";

// a pyramid over the square [0, 8] x [0, 8]: level 1 has its lower-left and upper-right quarters, level 2 one
// square of the lower-left one (the others' points all held above)
const PYRAMID: TilePyramid = {
  rows: 100,
  origin: [0, 0],
  bounds: [0, 0.5, 8, 7.5],
  size: 8,
  capacity: 10,
  grid: 4,
  levels: 3,
  tiles: {
    "0/0/0": { points: 10, total: 100 },
    "1/0/0": { points: 10, total: 80 },
    "1/1/1": { points: 10, total: 10 },
    "2/1/1": { points: 10, total: 10 },
  },
};

describe("which tiles a view draws", () => {
  it("takes the level whose tiles are at most 512 px wide, within the pyramid", () => {
    expect(levelFor(PYRAMID, 64)).toBe(0); // the square 512 px wide
    expect(levelFor(PYRAMID, 65)).toBe(1);
    expect(levelFor(PYRAMID, 200)).toBe(2);
    expect(levelFor(PYRAMID, 1e6)).toBe(2); // no deeper than the pyramid
    expect(levelFor(PYRAMID, 0)).toBe(0);
    expect(levelFor(PYRAMID, Number.NaN)).toBe(0);
  });

  it("lists the tiles of levels 0..z meeting the view, coarse first, only those the pyramid has", () => {
    expect(tilesInView(PYRAMID, [0, 0, 8, 8], 2)).toEqual(["0/0/0", "1/0/0", "1/1/1", "2/1/1"]);
    expect(tilesInView(PYRAMID, [5, 5, 7, 7], 2)).toEqual(["0/0/0", "1/1/1"]);
    expect(tilesInView(PYRAMID, [2.5, 2.5, 3, 3], 1)).toEqual(["0/0/0", "1/0/0"]);
    expect(tilesInView(PYRAMID, [9, 9, 10, 10], 2)).toEqual([]); // off the map
    expect(tileSquare(PYRAMID, 2, 1, 1)).toEqual([2, 2, 4, 4]);
  });

  it("goes no deeper than its points budget allows, counted from the pyramid before loading", () => {
    // the whole square: 10 (level 0) + 20 (level 1) + 10 (level 2) points
    expect(levelInView(PYRAMID, [0, 0, 8, 8], 2, 40)).toBe(2);
    expect(levelInView(PYRAMID, [0, 0, 8, 8], 2, 39)).toBe(1);
    expect(levelInView(PYRAMID, [0, 0, 8, 8], 2, 29)).toBe(0);
    expect(levelInView(PYRAMID, [0, 0, 8, 8], 1, 1000)).toBe(1); // no deeper than asked
    expect(levelInView(PYRAMID, [2.5, 2.5, 3, 3], 2, 30)).toBe(2); // a small view: deeper for the same budget
  });
});

function tileBytes(
  rows: number[],
  xy: number[][],
  labels: string[] | null,
  density: Uint32Array | null,
  colors: (string | null)[] | null = null,
): ArrayBuffer {
  const table = tableFromArrays({
    row: Uint32Array.from(rows),
    x: Float32Array.from(xy.map((p) => p[0])),
    y: Float32Array.from(xy.map((p) => p[1])),
    ...(labels ? { label: labels } : {}),
    ...(colors ? { color: colors } : {}),
  });
  // as the server writes it: grid x grid little-endian uint32 counts, base64, in the schema's metadata
  if (density) table.schema.metadata.set("density", btoa(String.fromCharCode(...new Uint8Array(density.buffer))));
  return tableToIPC(table, "file").slice().buffer as ArrayBuffer;
}

describe("a tile's file", () => {
  it("reads rows, interleaved positions, labels and the base64 density", () => {
    const density = Uint32Array.from({ length: 16 }, (_, i) => i);
    const bytes = tileBytes([7, 3], [[1, 2], [3, 4]], ["seven", "three"], density, ["odd", "odd"]);
    const tile = parseTile("1/0/0", bytes, { tableFromIPC }, 4);
    expect(tile.colors).toEqual(["odd", "odd"]);
    expect(tile.z).toBe(1);
    expect(Array.from(tile.rows)).toEqual([7, 3]);
    expect(Array.from(tile.xyz)).toEqual([1, 2, 0, 3, 4, 0]);
    expect(tile.labels).toEqual(["seven", "three"]);
    expect(Array.from(tile.density ?? [])).toEqual(Array.from(density));
    const plain = parseTile("0/0/0", tileBytes([1], [[0, 0]], null, null), { tableFromIPC }, 4);
    expect(plain.labels).toBeNull();
    expect(plain.colors).toBeNull();
    expect(plain.density).toBeNull();
  });

  it("picks the nearest drawn point within the radius, and counts what is drawn", () => {
    const a = parseTile("0/0/0", tileBytes([1, 2], [[1, 1], [6, 6]], ["a", "b"], null), { tableFromIPC }, 4);
    const b = parseTile("1/1/1", tileBytes([9], [[6.2, 6.1]], ["c"], null), { tableFromIPC }, 4);
    const loaded = new Map([["0/0/0", a], ["1/1/1", b]]);
    const keys = ["0/0/0", "1/1/1", "2/1/1"]; // the last one not loaded yet
    const tileOf = (key: string) => loaded.get(key);
    const hit = nearestPoint(keys, tileOf, PYRAMID, 6.15, 6.1, 0.5);
    expect(hit && hit[0].rows[hit[1]]).toBe(9);
    expect(nearestPoint(keys, tileOf, PYRAMID, 3, 3, 0.5)).toBeNull();
    expect(drawnPoints(keys, tileOf)).toBe(3);
  });
});

describe("a density image", () => {
  it("puts the highest y on top and shades by the log of the count", () => {
    const counts = Uint32Array.from([0, 1, 100, 10000]); // 2 x 2: (row 0 = lowest y) [0, 1], [100, 10000]
    const px = densityPixels(counts, 2, [10, 20, 30], 10000);
    const alpha = [px[3], px[7], px[11], px[15]]; // image rows: top (y high) first
    expect(alpha[0]).toBeGreaterThan(alpha[3]); // the top row holds the counts 100 and 10000
    expect(alpha[1]).toBe(210); // the full cell
    expect(alpha[2]).toBe(0); // an empty cell is clear
    expect(alpha[3]).toBe(Math.round(40 + (170 * Math.log(2)) / Math.log1p(10000)));
    expect(Array.from(px.slice(4, 7))).toEqual([10, 20, 30]);
  });
});

describe("a tile's colours", () => {
  const tile = parseTile("0/0/0", tileBytes([1, 2, 3], [[0, 0], [1, 1], [2, 2]], null, null, ["a", "b", null]), { tableFromIPC }, 4);

  it("follow the legend of a categorical column, as the whole map's do", () => {
    const column = { name: "kind", type: "string", distinct: [{ value: "a", count: 5 }, { value: "b", count: 3 }] };
    const paint = tilePaint(column, "category", null, "light");
    const legend = legendOf(column, "light");
    expect(Array.from(paint?.(tile) ?? [])).toEqual(Array.from(pointColors(3, ["a", "b", null], legend)));
  });

  it("follow the continuous scale over the column's range, from its text", () => {
    const numbers = parseTile("0/0/0", tileBytes([1, 2], [[0, 0], [1, 1]], null, null, ["0", "10"]), { tableFromIPC }, 4);
    const paint = tilePaint({ name: "n", type: "numeric", min: 0, max: 10 }, "numeric", "linear", "light");
    expect(Array.from(paint?.(numbers) ?? [])).toEqual(Array.from(numericColors(2, [0, 10], [0, 10], "linear")));
  });

  it("are the ink without a colour column, or without the values", () => {
    expect(tilePaint(undefined, "category", null, "light")).toBeNull();
    const plain = parseTile("0/0/0", tileBytes([1], [[0, 0]], null, null), { tableFromIPC }, 4);
    expect(tilePaint({ name: "kind", type: "string" }, "category", null, "light")?.(plain)).toBeNull();
  });
});
