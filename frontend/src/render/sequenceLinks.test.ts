import { describe, expect, it } from "vitest";
import { linkEnds, sequenceLinks } from "./sequenceLinks";

describe("sequences", () => {
  it("link each row to the next one its column names", () => {
    expect(Array.from(sequenceLinks([1, 2, "", null, "3", 9, 6, "x"], 8))).toEqual([0, 1, 1, 2, 4, 3]);
  });

  it("take the links' ends from the positions, leaving out undrawn points", () => {
    const positions = Float32Array.from([0, 0, 0, 1, 1, 0, Number.NaN, Number.NaN, Number.NaN]);
    const ends = linkEnds(Int32Array.from([0, 1, 1, 2]), positions);
    expect(ends.length).toBe(1);
    expect(Array.from(ends.source)).toEqual([0, 0, 0]);
    expect(Array.from(ends.target)).toEqual([1, 1, 0]);
    expect(linkEnds(Int32Array.from([0, 1]), positions, () => false).length).toBe(0);
  });
});
