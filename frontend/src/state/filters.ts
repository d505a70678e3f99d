// Filters on metadata: kept values of a categorical column, a range of a numeric one, a text to find in any column.
// They combine (a point matches when it passes every filter); the points that do not match are greyed out, not hidden.
// Pure functions: the mask, the histogram of a range filter, and the filters as the URL and bookmarks keep them.
import type { Values } from "./store";

export type Filter =
  | { column: string; kind: "values"; values: string[] } // the values kept (as text: 3 and "3" are one)
  | { column: string; kind: "range"; min: number; max: number } // inclusive; missing values never match
  | { column: string; kind: "text"; text: string }; // case-insensitive substring; empty: everything

const MAX_FILTERS = 20;
const MAX_TEXT = 500;
const MAX_VALUES = 1000;

const key = (v: string | number | null | undefined) => (v === null || v === undefined ? "" : String(v));

/** Whether one value passes one filter. */
export function passes(filter: Filter, value: string | number | null | undefined): boolean {
  switch (filter.kind) {
    case "values":
      return filter.values.includes(key(value));
    case "range": {
      const x = typeof value === "number" ? value : value === null || value === undefined || value === "" ? NaN : Number(value);
      return Number.isFinite(x) && x >= filter.min && x <= filter.max;
    }
    case "text":
      return filter.text === "" || key(value).toLowerCase().includes(filter.text.toLowerCase());
  }
}

/** 1 for each row that passes every filter, 0 otherwise; null when there is no filter or a column is not loaded yet. */
export function filterMask(filters: Filter[], columns: Record<string, Values>, n: number): Uint8Array | null {
  if (filters.length === 0 || filters.some((f) => !columns[f.column])) return null;
  const mask = new Uint8Array(n).fill(1);
  for (const f of filters) {
    const values = columns[f.column];
    if (f.kind === "values") {
      const kept = new Set(f.values);
      for (let i = 0; i < n; i++) if (mask[i] && !kept.has(key(values[i]))) mask[i] = 0;
    } else {
      for (let i = 0; i < n; i++) if (mask[i] && !passes(f, values[i])) mask[i] = 0;
    }
  }
  return mask;
}

/** The rows a mask keeps. */
export function maskRows(mask: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
  return out;
}

/** Whether a range over [lo, hi] reads better on a log scale: positive values spanning 100x or more (counts,
 * frequencies: a linear histogram of them is one bar). */
export const logScale = (lo: number, hi: number) => lo > 0 && hi / lo >= 100;

/** Where v sits in [lo, hi], 0 to 1 (on a log scale when `log`), and back. */
export function toUnit(v: number, lo: number, hi: number, log: boolean): number {
  if (hi <= lo) return 0;
  return log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo);
}

export function fromUnit(t: number, lo: number, hi: number, log: boolean): number {
  return log ? lo * (hi / lo) ** t : lo + t * (hi - lo);
}

/** Counts of the finite values in `bins` equal bins over [lo, hi], linear or log (a constant column: one bin). */
export function histogram(values: Values, lo: number, hi: number, bins: number, log = false): number[] {
  const out = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) continue;
    out[Math.min(bins - 1, Math.floor(toUnit(v, lo, hi, log) * bins))] += 1;
  }
  return out;
}

/** One filter as read from a URL or a bookmark, checked; null when it is not one. */
function checked(item: unknown): Filter | null {
  if (typeof item !== "object" || item === null) return null;
  const f = item as Record<string, unknown>;
  if (typeof f.column !== "string" || f.column === "" || f.column.length > MAX_TEXT) return null;
  if (f.kind === "values" && Array.isArray(f.values) && f.values.length <= MAX_VALUES && f.values.every((v) => typeof v === "string")) {
    return { column: f.column, kind: "values", values: f.values as string[] };
  }
  if (f.kind === "range" && typeof f.min === "number" && typeof f.max === "number" && f.min <= f.max) {
    return { column: f.column, kind: "range", min: f.min, max: f.max };
  }
  if (f.kind === "text" && typeof f.text === "string" && f.text.length <= MAX_TEXT) {
    return { column: f.column, kind: "text", text: f.text };
  }
  return null;
}

/** Filters from a bookmark's or URL's JSON: the well-formed ones (at most MAX_FILTERS); [] for anything else. */
export function readFilters(doc: unknown): Filter[] {
  if (!Array.isArray(doc)) return [];
  return doc
    .slice(0, MAX_FILTERS)
    .map(checked)
    .filter((f): f is Filter => f !== null);
}

/** The URL's form of the filters: compact JSON ("" when there are none). */
export function encodeFilters(filters: Filter[]): string {
  return filters.length ? JSON.stringify(filters) : "";
}

/** Filters from the URL's text; [] when malformed. */
export function decodeFilters(text: string | null): Filter[] {
  if (!text) return [];
  try {
    return readFilters(JSON.parse(text));
  } catch {
    return [];
  }
}
