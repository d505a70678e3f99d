import { describe, expect, it } from "vitest";
import {
  type Filter,
  decodeFilters,
  encodeFilters,
  filterMask,
  fromUnit,
  histogram,
  logScale,
  maskRows,
  passes,
  readFilters,
  toUnit,
} from "./filters";

const columns = {
  book: ["Ge", "Ex", "Ge", "Psa", null],
  verse: [1, 2, 3, 40, Number.NaN],
  text: ["In the beginning", "Now these", "And the earth", "The LORD is my shepherd", null],
};

describe("filters", () => {
  it("keep values, ranges and texts, and combine", () => {
    const book: Filter = { column: "book", kind: "values", values: ["Ge", "Psa"] };
    const verse: Filter = { column: "verse", kind: "range", min: 2, max: 50 };
    const text: Filter = { column: "text", kind: "text", text: "THE" };
    expect(maskRows(filterMask([book], columns, 5)!)).toEqual([0, 2, 3]);
    expect(maskRows(filterMask([verse], columns, 5)!)).toEqual([1, 2, 3]); // NaN never in a range
    expect(maskRows(filterMask([text], columns, 5)!)).toEqual([0, 1, 2, 3]);
    expect(maskRows(filterMask([book, verse, text], columns, 5)!)).toEqual([2, 3]);
    expect(filterMask([], columns, 5)).toBeNull();
    expect(filterMask([{ column: "missing", kind: "text", text: "" }], columns, 5)).toBeNull(); // not loaded yet
  });

  it("match numbers and their text alike, and missing values as empty", () => {
    expect(passes({ column: "d", kind: "values", values: ["3"] }, 3)).toBe(true);
    expect(passes({ column: "d", kind: "values", values: [""] }, null)).toBe(true);
    expect(passes({ column: "d", kind: "range", min: 0, max: 5 }, "4")).toBe(true);
    expect(passes({ column: "d", kind: "range", min: 0, max: 5 }, "")).toBe(false);
    expect(passes({ column: "d", kind: "text", text: "" }, null)).toBe(true);
  });

  it("count a histogram's finite values in equal bins", () => {
    expect(histogram([0, 1, 2, 3, 4, 5, Number.NaN, null, "x"], 0, 5, 5)).toEqual([1, 1, 1, 1, 2]);
    expect(histogram([7, 7], 7, 7, 3)).toEqual([2, 0, 0]);
    expect(histogram([1, 9, 11, 99, 100, 1000], 1, 1000, 3, true)).toEqual([2, 2, 2]); // decades
    expect(logScale(1, 1000) && !logScale(0, 1000) && !logScale(5, 50)).toBe(true);
    expect(fromUnit(toUnit(42, 1, 1000, true), 1, 1000, true)).toBeCloseTo(42);
  });

  it("travel as JSON, and anything malformed is left out", () => {
    const filters: Filter[] = [
      { column: "book", kind: "values", values: ["Ge"] },
      { column: "verse", kind: "range", min: 1, max: 9 },
    ];
    expect(decodeFilters(encodeFilters(filters))).toEqual(filters);
    expect(encodeFilters([])).toBe("");
    expect(decodeFilters("{not json")).toEqual([]);
    expect(readFilters([{ column: "a", kind: "range", min: 5, max: 1 }, { kind: "text" }, 3, { column: "b", kind: "text", text: "x" }])).toEqual([
      { column: "b", kind: "text", text: "x" },
    ]);
  });
});
