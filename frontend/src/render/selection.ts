// Which points a drag selects: a box in 2-D (a box in world space too, as the view is orthographic), a screen box
// for other uses, and a sphere in 3-D (TensorBoard's projector selects a ball around the point under the pointer).
// Positions are x, y, z triples; rows with NaN coordinates (left out of an isolated projection) are never selected.

export type Vec3 = [number, number, number];

/** The points inside the world-space rectangle spanned by two corners (x and y only). */
export function pointsInWorldBox(positions: Float32Array, n: number, a: number[], b: number[]): number[] {
  const [x0, x1] = [Math.min(a[0], b[0]), Math.max(a[0], b[0])];
  const [y0, y1] = [Math.min(a[1], b[1]), Math.max(a[1], b[1])];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = positions[i * 3];
    const y = positions[i * 3 + 1];
    if (x >= x0 && x <= x1 && y >= y0 && y <= y1) out.push(i);
  }
  return out;
}

/** The points whose projection falls inside a screen rectangle [left, top, right, bottom]. */
export function pointsInScreenBox(
  positions: Float32Array,
  n: number,
  rect: [number, number, number, number],
  project: (xyz: Vec3) => number[],
): number[] {
  const [left, top, right, bottom] = rect;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(positions[i * 3])) continue;
    const [sx, sy] = project([positions[i * 3], positions[i * 3 + 1], positions[i * 3 + 2]]);
    if (sx >= left && sx <= right && sy >= top && sy <= bottom) out.push(i);
  }
  return out;
}

/** The points drawn inside a screen rectangle [left, top, right, bottom] (CSS pixels) of a 2-D or 3-D view. */
export function pointsInDrawnBox(
  viewport: { project(xyz: number[]): number[]; unproject(xy: number[]): number[] },
  positions: Float32Array,
  n: number,
  dims: 2 | 3,
  [left, top, right, bottom]: [number, number, number, number],
): number[] {
  if (dims === 2) {
    // orthographic: the box is a box in world space too, so no per-point projection is needed
    return pointsInWorldBox(positions, n, viewport.unproject([left, top]), viewport.unproject([right, bottom]));
  }
  return pointsInScreenBox(positions, n, [left, top, right, bottom], (p) => viewport.project(p));
}

/** The points at most `radius` (world units) from `centre`. */
export function pointsInSphere(positions: Float32Array, n: number, centre: Vec3, radius: number): number[] {
  const r2 = radius * radius;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const dx = positions[i * 3] - centre[0];
    const dy = positions[i * 3 + 1] - centre[1];
    const dz = positions[i * 3 + 2] - centre[2];
    if (dx * dx + dy * dy + dz * dz <= r2) out.push(i); // NaN compares false: left-out rows stay out
  }
  return out;
}

export const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], (a[2] ?? 0) - (b[2] ?? 0));
