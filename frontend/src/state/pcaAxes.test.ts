import { describe, expect, it } from "vitest";
import { axisShowing, distinctAxes, withAxis } from "./pcaAxes";

describe("withAxis", () => {
  it("puts a component on an axis and swaps it with the axis that showed it", () => {
    expect(withAxis([0, 1, 2], 0, 1)).toEqual([1, 0, 2]); // X takes PC2 from Y, Y takes PC1
    expect(withAxis([0, 1, 2], 1, 5)).toEqual([0, 5, 2]); // a component no axis showed
    expect(withAxis([0, 1, 2], 2, 0)).toEqual([2, 1, 0]);
    expect(withAxis([3, 1, 2], 0, 3)).toEqual([3, 1, 2]);
  });

  it("never leaves a component on two axes", () => {
    for (let a = 0; a < 3; a++) {
      for (let c = 0; c < 10; c++) expect(new Set(withAxis([4, 7, 9], a, c)).size).toBe(3);
    }
  });
});

describe("distinctAxes", () => {
  it("keeps three different components and replaces a repeat with the lowest free one", () => {
    expect(distinctAxes([2, 0, 1])).toEqual([2, 0, 1]);
    expect(distinctAxes([1, 1, 2])).toEqual([1, 0, 2]);
    expect(distinctAxes([0, 0, 0])).toEqual([0, 1, 2]);
    expect(distinctAxes([3, 4])).toEqual([3, 4, 0]);
  });
});

describe("axisShowing", () => {
  it("names the other shown axis with that component", () => {
    expect(axisShowing([0, 1, 2], 2, 0, 1)).toBe("Y");
    expect(axisShowing([0, 1, 2], 2, 0, 2)).toBeNull(); // Z is not shown in 2-D
    expect(axisShowing([0, 1, 2], 3, 0, 2)).toBe("Z");
    expect(axisShowing([0, 1, 2], 2, 0, 0)).toBeNull();
  });
});
