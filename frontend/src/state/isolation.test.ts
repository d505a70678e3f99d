import { describe, expect, it } from "vitest";
import type { Coords } from "../api/types";
import { canIsolate, rowsOf, shownCount, spread } from "./isolation";

const coords = (n: number, dims = 2): Coords => ({
  n,
  dims,
  data: Float32Array.from({ length: n * dims }, (_, i) => i),
  iteration: -1,
  final: true,
});

describe("spread", () => {
  it("puts a subset's rows where they belong, NaN elsewhere", () => {
    const out = spread(coords(2), [1, 3], 4);
    expect(Array.from(out.slice(2, 4))).toEqual([0, 1]);
    expect(Array.from(out.slice(6, 8))).toEqual([2, 3]);
    expect([0, 1, 4, 5].every((k) => Number.isNaN(out[k]))).toBe(true);
  });

  it("draws only the isolated rows of an answer over every row", () => {
    // 3 of 30 rows isolated, but the answer has all 30 rows: only the 3 are drawn, each with its own row's values
    const out = spread(coords(30), [2, 10, 29], 30);
    expect(Array.from(out).filter(Number.isFinite)).toHaveLength(6);
    expect(Array.from(out.slice(20, 22))).toEqual([20, 21]);
    expect(Array.from(out.slice(58, 60))).toEqual([58, 59]);
  });

  it("leaves everything alone without a subset", () => {
    const c = coords(4);
    expect(spread(c, null, 4)).toBe(c.data);
  });
});

describe("canIsolate", () => {
  it("needs 3 points that are not the ones isolated already", () => {
    expect(canIsolate([1, 2], null)).toBe(false);
    expect(canIsolate([3, 1, 2], null)).toBe(true);
    expect(canIsolate([3, 1, 2, 2], [1, 2, 3])).toBe(false); // the same rows, in another order
    expect(canIsolate([1, 2, 4], [1, 2, 3])).toBe(true);
    expect(canIsolate([1, 2], [1, 2, 3])).toBe(false);
  });
});

describe("rowsOf and shownCount", () => {
  it("sorts and de-duplicates; counts the isolated points, else every row", () => {
    expect(rowsOf([5, 1, 5, 3])).toEqual([1, 3, 5]);
    expect(shownCount(30_522, null)).toBe(30_522);
    expect(shownCount(30_522, [1, 2, 3])).toBe(3);
  });
});
