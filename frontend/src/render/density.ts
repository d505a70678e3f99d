// The density layer of a 2-D map: the points binned on a GRID x GRID grid over the normalised plot ([-1, 1] with a
// margin), blurred (d3-array's blur2: a smoothed 2-D histogram, a kernel density estimate on the grid), drawn as a
// shaded image with contour lines (d3-contour's marching squares) under the points. Where the density is high the
// points fade (pointAlpha), so the mass shows; sparse points stay as they are, and zooming in brings every point back.
import { blur2 } from "d3-array";
import { contours } from "d3-contour";

export const GRID = 256;
export const EXTENT = 1.2; // the grid covers [-EXTENT, EXTENT] in both axes (the points lie in [-1, 1]; the blur spreads past)
export const LEVELS = [0.03, 0.08, 0.16, 0.3, 0.5, 0.75]; // contour lines at these shares of the highest density
export const OVERLAP = 2; // points drawn over one pixel per point in its cell (a 2.2 px disc, 2.7 px cells)
export const MIN_ALPHA = 3 / 255; // as faded as points get
export const DENSITY_ZOOM = 1.5; // zoomed in this many steps past the home view, the layer gives way to the points
const SCALE = 2; // image pixels a cell (smoother contour lines)

export interface DensityGrid {
  size: number;
  values: Float32Array; // row 0 at the bottom (lowest y)
  max: number;
}

/** The blur's radius in cells for n points: Scott's rule for a 2-D kernel density (bandwidth ~ spread x n^(-1/6)), with
 * the spread of a typical map (0.35 of the half-extent), within [2, 16] cells. */
export function blurRadius(n: number, size = GRID): number {
  const cell = (2 * EXTENT) / size;
  return Math.min(16, Math.max(2, Math.round((0.35 * Math.max(1, n) ** (-1 / 6)) / cell)));
}

/** The points' blurred counts per cell. `positions` holds x, y, z triples in [-1, 1]; NaN rows are left out. */
export function densityGrid(positions: Float32Array, n: number, size = GRID, radius?: number): DensityGrid {
  const values = new Float32Array(size * size);
  const scale = size / (2 * EXTENT);
  for (let i = 0; i < n; i++) {
    const x = positions[i * 3];
    const y = positions[i * 3 + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const c = Math.min(size - 1, Math.max(0, Math.floor((x + EXTENT) * scale)));
    const r = Math.min(size - 1, Math.max(0, Math.floor((y + EXTENT) * scale)));
    values[r * size + c] += 1;
  }
  let drawn = 0;
  for (const v of values) drawn += v;
  blur2({ data: values, width: size, height: size }, radius ?? blurRadius(drawn, size));
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return { size, values, max };
}

/** How opaque k points piled on one pixel should look together: nearly opaque for a few, a third for a crowd (the
 * density layer shows the rest). */
const pileOpacity = (k: number) => Math.max(0.35, 0.9 - 0.14 * Math.log(k));

/** Each point's opacity: 1 where the points barely overlap; where k of them pile up on a pixel, such that together
 * they look `pileOpacity(k)` opaque (1 - (1 - a)^k), down to MIN_ALPHA. */
export function pointAlpha(grid: DensityGrid, positions: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n).fill(1);
  const scale = grid.size / (2 * EXTENT);
  for (let i = 0; i < n; i++) {
    const x = positions[i * 3];
    const y = positions[i * 3 + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const c = Math.min(grid.size - 1, Math.max(0, Math.floor((x + EXTENT) * scale)));
    const r = Math.min(grid.size - 1, Math.max(0, Math.floor((y + EXTENT) * scale)));
    const k = grid.values[r * grid.size + c] * OVERLAP;
    if (k > 1.5) out[i] = Math.max(MIN_ALPHA, 1 - (1 - pileOpacity(k)) ** (1 / k));
  }
  return out;
}

/** The contour lines: for each level, rings of [column, row] points in grid units (row 0 at the bottom). */
export function contourLines(grid: DensityGrid): number[][][][] {
  if (grid.max <= 0) return [];
  const thresholds = LEVELS.map((l) => l * grid.max);
  const shapes = contours().size([grid.size, grid.size]).thresholds(thresholds)(Array.from(grid.values));
  return shapes.map((s) => s.coordinates.flatMap((polygon) => polygon.map((ring) => ring as number[][])));
}

/** The layer's images: a shade by density (see-through where there is none), drawn under the points, and the contour
 * lines, drawn over them; `tint` RGB. */
export function densityImages(
  grid: DensityGrid,
  tint: [number, number, number],
  line: string,
): { shade: HTMLCanvasElement; lines: HTMLCanvasElement } {
  const size = grid.size;
  const cells = document.createElement("canvas");
  cells.width = cells.height = size;
  const image = new ImageData(size, size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const v = grid.max > 0 ? grid.values[r * size + c] / grid.max : 0;
      const o = ((size - 1 - r) * size + c) * 4; // image rows run top down
      image.data[o] = tint[0];
      image.data[o + 1] = tint[1];
      image.data[o + 2] = tint[2];
      image.data[o + 3] = Math.round(190 * Math.sqrt(v));
    }
  }
  (cells.getContext("2d") as CanvasRenderingContext2D).putImageData(image, 0, 0);
  const shade = document.createElement("canvas");
  shade.width = shade.height = size * SCALE;
  const fill = shade.getContext("2d") as CanvasRenderingContext2D;
  fill.imageSmoothingEnabled = true;
  fill.drawImage(cells, 0, 0, shade.width, shade.height);
  const lines = document.createElement("canvas");
  lines.width = lines.height = size * SCALE;
  const ctx = lines.getContext("2d") as CanvasRenderingContext2D;
  ctx.strokeStyle = line;
  ctx.lineWidth = 1.2;
  for (const rings of contourLines(grid)) {
    ctx.beginPath();
    for (const ring of rings) {
      ring.forEach(([c, r], k) => {
        const x = c * SCALE;
        const y = (size - r) * SCALE;
        if (k === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.closePath();
    }
    ctx.stroke();
  }
  return { shade, lines };
}
