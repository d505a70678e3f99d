// A large map drawn from its tile pyramid (server/routes/tiles.py): which tiles a view needs, a tile's Arrow file as
// arrays, and a crowded tile's density as an image. Level z splits the map's square into 2^z x 2^z tiles (x to the
// right, y upward); every point is in one tile, the tiles of levels 0..z together a uniform sample of the map, every
// point from the level where a square's tile holds all that is left of it.
import type { ColumnInfo, TilePyramid } from "../api/types";
import { legendOf, numericColors, pointColors, scaleOf } from "./palette";

export interface LoadedTile {
  key: string; // "z/x/y"
  z: number;
  rows: Uint32Array | Float64Array; // the table's row of each point
  xyz: Float32Array; // x, y, 0 of each point, interleaved (as the point layer reads positions)
  labels: (string | null)[] | null; // the label column's values, when asked for
  colors: (string | null)[] | null; // the colour column's values (as text), when asked for
  density: Uint32Array | null; // grid x grid counts of every point of the square (rows of y upward); null: all held
}

/** The tile's square [x0, y0, x1, y1] in map coordinates. */
export function tileSquare(p: Pick<TilePyramid, "origin" | "size">, z: number, x: number, y: number): [number, number, number, number] {
  const side = p.size / 2 ** z;
  const x0 = p.origin[0] + x * side;
  const y0 = p.origin[1] + y * side;
  return [x0, y0, x0 + side, y0 + side];
}

/** The level whose tiles are drawn at most `tilePx` CSS pixels wide (a view ~1,000 px wide then loads ~4-9 tiles a
 * level: ~100,000 points at the default 16,384 a tile) at `pxPerUnit` pixels a map unit (the view's
 * scale), within the pyramid's levels. */
export function levelFor(p: Pick<TilePyramid, "size" | "levels">, pxPerUnit: number, tilePx = 512): number {
  if (!(pxPerUnit > 0) || !Number.isFinite(pxPerUnit)) return 0;
  const z = Math.ceil(Math.log2((p.size * pxPerUnit) / tilePx));
  return Math.max(0, Math.min(p.levels - 1, Number.isFinite(z) ? z : 0));
}

/** The keys of the tiles of levels 0..level that meet the rectangle [x0, y0, x1, y1], coarse first: what a view
 * of it draws. Tiles the pyramid does not have (a square whose points a tile above holds) are left out. */
export function tilesInView(p: TilePyramid, rect: [number, number, number, number], level: number): string[] {
  const keys: string[] = [];
  if (rect[2] < p.origin[0] || rect[0] > p.origin[0] + p.size || rect[3] < p.origin[1] || rect[1] > p.origin[1] + p.size) {
    return keys; // the view is off the map
  }
  for (let z = 0; z <= Math.min(level, p.levels - 1); z++) {
    const n = 2 ** z;
    const side = p.size / n;
    const cell = (v: number, o: number) => Math.max(0, Math.min(n - 1, Math.floor((v - o) / side)));
    const [cx0, cx1] = [cell(rect[0], p.origin[0]), cell(rect[2], p.origin[0])];
    const [cy0, cy1] = [cell(rect[1], p.origin[1]), cell(rect[3], p.origin[1])];
    for (let y = cy0; y <= cy1; y++) {
      for (let x = cx0; x <= cx1; x++) {
        const key = `${z}/${x}/${y}`;
        if (key in p.tiles) keys.push(key);
      }
    }
  }
  return keys;
}

/** The level a view of the rectangle draws down to: the deepest whose tiles, with those above, hold at most `budget`
 * points in the view (counted from the pyramid's description, before any is loaded), and no deeper than the level
 * whose tiles are 512 pixels wide (`most`: levelFor); at least level 0. */
export function levelInView(p: TilePyramid, rect: [number, number, number, number], most: number, budget: number): number {
  let level = 0;
  for (let z = 1; z <= most; z++) {
    const held = tilesInView(p, rect, z).reduce((sum, key) => sum + (p.tiles[key]?.points ?? 0), 0);
    if (held > budget) break;
    level = z;
  }
  return level;
}

/** The points of the tiles `keys` that a view draws: those loaded, and how many of them. */
export function drawnPoints(keys: string[], tileOf: (key: string) => LoadedTile | undefined): number {
  let n = 0;
  for (const key of keys) n += tileOf(key)?.rows.length ?? 0;
  return n;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Arrow = { tableFromIPC: (bytes: Uint8Array) => any };

/** A tile's Arrow IPC file (row, x, y, and `label` when asked for; the density as base64 in its schema's metadata). */
export function parseTile(key: string, bytes: ArrayBuffer, arrow: Arrow, grid: number): LoadedTile {
  const table = arrow.tableFromIPC(new Uint8Array(bytes));
  const n: number = table.numRows;
  const rowsColumn = table.getChild("row").toArray();
  const rows = rowsColumn instanceof BigUint64Array ? Float64Array.from(rowsColumn, Number) : (rowsColumn as Uint32Array);
  const xs = table.getChild("x").toArray() as Float32Array;
  const ys = table.getChild("y").toArray() as Float32Array;
  const xyz = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    xyz[3 * i] = xs[i];
    xyz[3 * i + 1] = ys[i];
  }
  const texts = (name: string): (string | null)[] | null => {
    const column = table.getChild(name);
    return column ? (Array.from({ length: n }, (_, i) => column.get(i)) as (string | null)[]) : null;
  };
  const raw: string | undefined = table.schema.metadata.get("density");
  let density: Uint32Array | null = null;
  if (raw) {
    const bin = atob(raw);
    const bytesOf = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytesOf[i] = bin.charCodeAt(i);
    if (bytesOf.length === grid * grid * 4) density = new Uint32Array(bytesOf.buffer);
  }
  return { key, z: Number(key.split("/")[0]), rows, xyz, labels: texts("label"), colors: texts("color"), density };
}

/** A density grid as RGBA pixels (row 0 the top: the highest y), tinted, its alpha growing with the log of the count
 * up to `full` points a cell. */
export function densityPixels(counts: Uint32Array, grid: number, tint: [number, number, number], full: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(grid * grid * 4);
  const scale = 1 / Math.log1p(Math.max(full, 1));
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const c = counts[row * grid + col];
      const o = ((grid - 1 - row) * grid + col) * 4;
      out[o] = tint[0];
      out[o + 1] = tint[1];
      out[o + 2] = tint[2];
      out[o + 3] = c === 0 ? 0 : Math.round(40 + 170 * Math.min(1, Math.log1p(c) * scale));
    }
  }
  return out;
}

/** The point nearest to (x, y) within `radius` (map units) among the tiles `keys`: [tile, index] or null. */
export function nearestPoint(
  keys: string[],
  tileOf: (key: string) => LoadedTile | undefined,
  p: Pick<TilePyramid, "origin" | "size">,
  x: number,
  y: number,
  radius: number,
): [LoadedTile, number] | null {
  let best: [LoadedTile, number] | null = null;
  let bestD = radius * radius;
  for (const key of keys) {
    const tile = tileOf(key);
    if (!tile) continue;
    const [, tx, ty] = key.split("/").map(Number);
    const sq = tileSquare(p, tile.z, tx, ty);
    if (x < sq[0] - radius || x > sq[2] + radius || y < sq[1] - radius || y > sq[3] + radius) continue;
    const xyz = tile.xyz;
    for (let i = 0; i < tile.rows.length; i++) {
      const dx = xyz[3 * i] - x;
      const dy = xyz[3 * i + 1] - y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = [tile, i];
      }
    }
  }
  return best;
}

/** A tile's points' colours from the colour column's values it brought: the legend's colour of each value, or the
 * continuous scale over the column's range (from the server's description of the column); null: no column. */
export function tilePaint(
  column: ColumnInfo | undefined,
  mode: "category" | "numeric",
  scale: "linear" | "log" | null,
  theme: "light" | "dark",
): ((tile: LoadedTile) => Uint8Array | null) | null {
  if (!column) return null;
  if (mode === "numeric" && column.min != null && column.max != null) {
    const range: [number, number] = [column.min, column.max];
    const chosen = scaleOf(range, scale);
    return (tile) => {
      if (!tile.colors) return null;
      const values = tile.colors.map((v) => (v === null || v === "" ? null : Number(v)));
      return numericColors(tile.rows.length, values, range, chosen);
    };
  }
  const legend = legendOf(column, theme);
  return (tile) => (tile.colors ? pointColors(tile.rows.length, tile.colors, legend) : null);
}
