import { describe, expect, it } from "vitest";
import { PickGrid, pickProjected } from "./pick";

/** The nearest point within radius by brute force: the answer the grid must give. */
function brute(p: Float32Array, n: number, x: number, y: number, radius: number): number | null {
  let best: number | null = null;
  let bestD = radius * radius;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(p[i * 3])) continue;
    const d = (p[i * 3] - x) ** 2 + (p[i * 3 + 1] - y) ** 2;
    if (d < bestD || (d === bestD && (best === null || i > best))) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

function randomPoints(n: number, seed: number): Float32Array {
  let s = seed;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n * 3; i++) p[i] = rand() * 2 - 1;
  return p;
}

describe("PickGrid (2-D picking on the CPU)", () => {
  it("finds the nearest point within the radius, as a scan of every point does", () => {
    const n = 5_000;
    const p = randomPoints(n, 7);
    const grid = new PickGrid(p, n);
    expect(grid.side).toBe(Math.ceil(Math.sqrt(n / 4)));
    const queries = randomPoints(300, 11);
    for (let q = 0; q < 300; q++) {
      for (const radius of [0.001, 0.02, 0.3]) {
        const [x, y] = [queries[q * 3] * 1.1, queries[q * 3 + 1] * 1.1]; // some just outside the points' extent
        expect(grid.nearest(x, y, radius)).toBe(brute(p, n, x, y, radius));
      }
    }
  });

  it("returns null where no point is within the radius, and skips rows left out (NaN)", () => {
    const p = new Float32Array([0, 0, 0, Number.NaN, Number.NaN, Number.NaN, 1, 1, 0]);
    const grid = new PickGrid(p, 3);
    expect(grid.nearest(0.5, 0.5, 0.1)).toBeNull();
    expect(grid.nearest(0.05, 0, 0.1)).toBe(0);
    expect(grid.nearest(1, 1, 0)).toBe(2); // the largest coordinate falls in a cell too
    expect(grid.nearest(Number.NaN, 0, 1)).toBeNull();
  });

  it("gives coincident points to the later row (drawn on top)", () => {
    const p = new Float32Array([0.2, 0.2, 0, 0.2, 0.2, 0, -0.5, 0.1, 0]);
    expect(new PickGrid(p, 3).nearest(0.2, 0.2, 0.01)).toBe(1);
  });

  it("copes with no points and with all points in one spot", () => {
    expect(new PickGrid(new Float32Array(0), 0).nearest(0, 0, 1)).toBeNull();
    const same = new Float32Array([0.3, 0.3, 0, 0.3, 0.3, 0]);
    expect(new PickGrid(same, 2).nearest(0.3, 0.31, 0.05)).toBe(1);
  });
});

describe("pickProjected (3-D picking on the CPU)", () => {
  // a plain orthographic "camera": pixel x = 100 + 100 * x, y = 100 - 100 * y, depth = z (column major)
  const matrix = [100, 0, 0, 0, 0, -100, 0, 0, 0, 0, 1, 0, 100, 100, 0, 1];
  const p = new Float32Array([0, 0, 0.5, 0, 0, -0.5, 0.5, 0.5, 0, Number.NaN, 0, 0]);

  it("among the discs covering the pointer, the one nearest the camera", () => {
    expect(pickProjected(p, 4, matrix, 101, 100, { drawn: 3, radius: 6 })).toBe(1); // z -0.5 is in front
  });

  it("else the nearest on screen within the radius, else null", () => {
    expect(pickProjected(p, 4, matrix, 154, 50, { drawn: 3, radius: 6 })).toBe(2);
    expect(pickProjected(p, 4, matrix, 170, 50, { drawn: 3, radius: 6 })).toBeNull();
  });

  it("leaves out points behind the camera (w <= 0)", () => {
    const perspective = [100, 0, 0, 0, 0, -100, 0, 0, 0, 0, 1, -1, 100, 100, 0, 1]; // w = 1 - z
    const q = new Float32Array([0, 0, 2, 0, 0, 0]);
    expect(pickProjected(q, 2, perspective, 100, 100, { drawn: 3, radius: 6 })).toBe(1);
  });
});
