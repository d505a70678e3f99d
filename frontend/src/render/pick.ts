// Which point is under the pointer, found on the CPU (deck.gl's GPU picking renders a picking pass and reads it back
// at every pointerdown and hover: ~1 s at 100,000 points on a software renderer, long enough to miss a click).
// 2-D: a uniform grid over the points' world x, y, built once per coordinate set (a counting sort: two passes over
// the points), then a query looks at the few cells within the pick radius. 3-D: one pass over the points with the
// view's pixel projection matrix (no per-point allocation), the front-most point whose disc covers the pointer, else
// the nearest on screen within the radius.

/** A uniform grid over x, y of n points (x, y, z triples; rows with a non-finite x are left out). */
export class PickGrid {
  readonly side: number; // cells per axis
  private readonly x0: number;
  private readonly y0: number;
  private readonly cell: number; // world units per cell
  private readonly start: Uint32Array; // cell c holds items[start[c] .. start[c + 1])
  private readonly items: Uint32Array;

  constructor(
    private readonly positions: Float32Array,
    readonly n: number,
    { perCell = 4 }: { perCell?: number } = {},
  ) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const x = positions[i * 3];
      const y = positions[i * 3 + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      count++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    this.side = Math.max(1, Math.min(4096, Math.ceil(Math.sqrt(count / perCell))));
    const extent = count > 0 ? Math.max(x1 - x0, y1 - y0, 1e-9) : 1;
    this.x0 = count > 0 ? x0 : 0;
    this.y0 = count > 0 ? y0 : 0;
    this.cell = (extent / this.side) * (1 + 1e-6); // the largest coordinate falls in the last cell
    const cells = this.side * this.side;
    const cellOf = new Int32Array(n);
    const start = new Uint32Array(cells + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cellAt(positions[i * 3], positions[i * 3 + 1]);
      cellOf[i] = c;
      if (c >= 0) start[c + 1]++;
    }
    for (let c = 0; c < cells; c++) start[c + 1] += start[c];
    const fill = start.slice(0, cells);
    const items = new Uint32Array(count);
    for (let i = 0; i < n; i++) {
      const c = cellOf[i];
      if (c >= 0) items[fill[c]++] = i;
    }
    this.start = start;
    this.items = items;
  }

  private cellAt(x: number, y: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return -1;
    const cx = Math.min(this.side - 1, Math.max(0, Math.floor((x - this.x0) / this.cell)));
    const cy = Math.min(this.side - 1, Math.max(0, Math.floor((y - this.y0) / this.cell)));
    return cy * this.side + cx;
  }

  /** The point nearest (x, y) within `radius` (world units), or null; ties go to the later row (drawn on top). */
  nearest(x: number, y: number, radius: number): number | null {
    if (this.items.length === 0 || !(radius >= 0)) return null;
    const lo = (v: number, o: number) => Math.max(0, Math.floor((v - radius - o) / this.cell));
    const hi = (v: number, o: number) => Math.min(this.side - 1, Math.floor((v + radius - o) / this.cell));
    const cx0 = lo(x, this.x0);
    const cx1 = hi(x, this.x0);
    const cy0 = lo(y, this.y0);
    const cy1 = hi(y, this.y0);
    const p = this.positions;
    let best: number | null = null;
    let bestD = radius * radius;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * this.side + cx;
        for (let k = this.start[c]; k < this.start[c + 1]; k++) {
          const i = this.items[k];
          const dx = p[i * 3] - x;
          const dy = p[i * 3 + 1] - y;
          const d = dx * dx + dy * dy;
          if (d < bestD || (d === bestD && (best === null || i > best))) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }
}

/**
 * The point drawn under screen (x, y) in a 3-D view: `matrix` is the viewport's pixel projection matrix (column
 * major, world to CSS pixels with y down). Among the points whose disc (`drawn` pixels) covers (x, y), the one nearest
 * the camera; else the nearest on screen within `radius` pixels; else null.
 */
export function pickProjected(
  positions: Float32Array,
  n: number,
  matrix: ArrayLike<number>,
  x: number,
  y: number,
  { drawn, radius }: { drawn: number; radius: number },
): number | null {
  const m = matrix;
  let front: number | null = null;
  let frontDepth = Infinity;
  let near: number | null = null;
  let nearD = radius * radius;
  const drawn2 = drawn * drawn;
  for (let i = 0; i < n; i++) {
    const px = positions[i * 3];
    const py = positions[i * 3 + 1];
    const pz = positions[i * 3 + 2];
    if (!Number.isFinite(px)) continue;
    const w = m[3] * px + m[7] * py + m[11] * pz + m[15];
    if (!(w > 0)) continue; // behind the camera
    const sx = (m[0] * px + m[4] * py + m[8] * pz + m[12]) / w - x;
    const sy = (m[1] * px + m[5] * py + m[9] * pz + m[13]) / w - y;
    const d = sx * sx + sy * sy;
    if (d > nearD && d > drawn2) continue;
    if (d <= drawn2) {
      const depth = (m[2] * px + m[6] * py + m[10] * pz + m[14]) / w;
      if (depth < frontDepth) {
        frontDepth = depth;
        front = i;
      }
    }
    if (d <= nearD) {
      nearD = d;
      near = i;
    }
  }
  return front ?? near;
}
