import { describe, expect, it } from "vitest";
import type { ColumnInfo } from "../api/types";
import {
  CATEGORICAL,
  DEFAULT_POINT,
  OTHER,
  legendOf,
  numericColors,
  numericRange,
  pointColors,
  viridis,
} from "./palette";

const column = (distinct: { value: string | number; count: number }[]): ColumnInfo => ({
  name: "c",
  type: "string",
  distinct,
});

const rgbAt = (colors: Uint8Array, i: number) => [colors[i * 4], colors[i * 4 + 1], colors[i * 4 + 2]];

describe("legendOf", () => {
  it("is empty for no column", () => {
    expect(legendOf(undefined)).toEqual([]);
  });

  it("orders few numeric values naturally and gives them the palette in order", () => {
    const legend = legendOf(column([{ value: 10, count: 1 }, { value: 2, count: 5 }, { value: 1, count: 3 }]));
    expect(legend.map((e) => e.value)).toEqual([1, 2, 10]);
    expect(legend.map((e) => e.count)).toEqual([3, 5, 1]);
    expect(legend.map((e) => e.color)).toEqual(CATEGORICAL.slice(0, 3));
  });

  it("orders few strings alphabetically and names the empty value", () => {
    const legend = legendOf(column([{ value: "b", count: 1 }, { value: "", count: 2 }, { value: "a", count: 3 }]));
    expect(legend.map((e) => e.label)).toEqual(["(empty)", "a", "b"]);
  });

  it("keeps the most frequent values when there are more than the palette and sums the rest as other", () => {
    // the server sends distinct values most frequent first
    const distinct = Array.from({ length: CATEGORICAL.length + 3 }, (_, i) => ({ value: `v${i}`, count: 100 - i }));
    const legend = legendOf(column(distinct));
    expect(legend).toHaveLength(CATEGORICAL.length + 1);
    expect(legend.slice(0, CATEGORICAL.length).map((e) => e.value)).toEqual(
      distinct.slice(0, CATEGORICAL.length).map((d) => d.value),
    );
    const other = legend[legend.length - 1];
    expect(other.label).toBe("other");
    expect(other.color).toEqual(OTHER);
    const n = CATEGORICAL.length;
    expect(other.count).toBe(100 - n + (100 - n - 1) + (100 - n - 2));
  });

  it("uses distinct colours", () => {
    const keys = new Set(CATEGORICAL.map((c) => c.join(",")));
    expect(keys.size).toBe(CATEGORICAL.length);
    expect(keys.has(OTHER.join(","))).toBe(false);
  });
});

describe("pointColors", () => {
  it("paints every point the default colour when there is no column", () => {
    const colors = pointColors(3, undefined, []);
    expect(colors).toHaveLength(12);
    for (let i = 0; i < 3; i++) {
      expect(rgbAt(colors, i)).toEqual(DEFAULT_POINT);
      expect(colors[i * 4 + 3]).toBe(215);
    }
  });

  it("paints each value its legend colour, unknown values and nulls grey unless empty is in the legend", () => {
    const legend = legendOf(column([{ value: "a", count: 1 }, { value: "b", count: 1 }]));
    const colors = pointColors(4, ["b", "a", "zzz", null], legend);
    expect(rgbAt(colors, 0)).toEqual(legend[1].color);
    expect(rgbAt(colors, 1)).toEqual(legend[0].color);
    expect(rgbAt(colors, 2)).toEqual(OTHER);
    expect(rgbAt(colors, 3)).toEqual(OTHER);
  });

  it("matches numbers against numeric legend values and missing values against the empty entry", () => {
    const legend = legendOf(column([{ value: 0, count: 1 }, { value: 1, count: 1 }]));
    const colors = pointColors(2, [1, 0], legend);
    expect(rgbAt(colors, 0)).toEqual(CATEGORICAL[1]);
    expect(rgbAt(colors, 1)).toEqual(CATEGORICAL[0]);
    const withEmpty = legendOf(column([{ value: "", count: 1 }, { value: "x", count: 1 }]));
    expect(rgbAt(pointColors(1, [null], withEmpty), 0)).toEqual(withEmpty[0].color);
  });
});

describe("viridis and numeric colours", () => {
  it("goes from dark purple to yellow and clamps outside [0, 1]", () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(-5)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    expect(viridis(0.5)).toEqual([33, 144, 141]); // the middle stop
  });

  it("interpolates between stops", () => {
    const [r, g] = viridis(1 / 16); // half way between the first two stops
    expect(r).toBe(70);
    expect(g).toBe(23);
  });

  it("finds the finite range and ignores strings, nulls and NaN", () => {
    expect(numericRange([3, "x", null, -2, NaN, Infinity, 5])).toEqual([-2, 5]);
    expect(numericRange(["a", null])).toBeNull();
    expect(numericRange(undefined)).toBeNull();
  });

  it("maps the range's ends to the scale's ends and missing values to grey", () => {
    const colors = numericColors(4, [0, 10, null, 5], [0, 10]);
    expect(rgbAt(colors, 0)).toEqual(viridis(0));
    expect(rgbAt(colors, 1)).toEqual(viridis(1));
    expect(rgbAt(colors, 2)).toEqual(OTHER);
    expect(rgbAt(colors, 3)).toEqual(viridis(0.5));
  });

  it("does not divide by zero on a constant column", () => {
    const colors = numericColors(2, [4, 4], [4, 4]);
    expect(rgbAt(colors, 0)).toEqual(viridis(0));
  });
});
