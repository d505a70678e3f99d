// Point colours: a colour-blind-safe categorical palette (Paul Tol's "muted" set, then Okabe-Ito's orange and
// blue), grey for values past the palette and for missing values.
import type { ColumnInfo } from "../api/types";
import type { Values } from "../state/store";

export type RGB = [number, number, number];

export const CATEGORICAL: RGB[] = [
  [51, 34, 136], // indigo
  [136, 204, 238], // cyan
  [68, 170, 153], // teal
  [17, 119, 51], // green
  [153, 153, 51], // olive
  [221, 204, 119], // sand
  [204, 102, 119], // rose
  [136, 34, 85], // wine
  [170, 68, 153], // purple
  [230, 159, 0], // orange (Okabe-Ito)
  [0, 114, 178], // blue (Okabe-Ito)
];
export const OTHER: RGB = [187, 187, 187];
export const DEFAULT_POINT: RGB = [70, 110, 190];

export interface LegendEntry {
  value: string | number;
  label: string;
  count: number;
  color: RGB;
}

/** The legend of a categorical column: its most frequent values get the palette's colours, in order. */
export function legendOf(column: ColumnInfo | undefined): LegendEntry[] {
  let distinct = column?.distinct ?? [];
  if (distinct.length <= CATEGORICAL.length) {
    // few values: show them in their natural order (0, 1, 2, ...); many: the most frequent get colours
    const numeric = distinct.every((d) => typeof d.value === "number");
    distinct = [...distinct].sort((a, b) =>
      numeric ? Number(a.value) - Number(b.value) : String(a.value).localeCompare(String(b.value)),
    );
  }
  const entries = distinct.slice(0, CATEGORICAL.length).map((d, i) => ({
    value: d.value,
    label: String(d.value) === "" ? "(empty)" : String(d.value),
    count: d.count,
    color: CATEGORICAL[i],
  }));
  const rest = distinct.slice(CATEGORICAL.length).reduce((sum, d) => sum + d.count, 0);
  if (rest > 0) entries.push({ value: "", label: "other", count: rest, color: OTHER });
  return entries;
}

/** RGBA bytes for n points: each point's legend colour, or the default colour when there is no column. */
export function pointColors(n: number, values: Values | undefined, legend: LegendEntry[]): Uint8Array {
  const colors = new Uint8Array(n * 4);
  const byValue = new Map<string, RGB>();
  for (const entry of legend) if (entry.label !== "other") byValue.set(String(entry.value), entry.color);
  for (let i = 0; i < n; i++) {
    const v = values?.[i];
    const c = values === undefined ? DEFAULT_POINT : (byValue.get(v === null || v === undefined ? "" : String(v)) ?? OTHER);
    colors[i * 4] = c[0];
    colors[i * 4 + 1] = c[1];
    colors[i * 4 + 2] = c[2];
    colors[i * 4 + 3] = 215;
  }
  return colors;
}

export const css = (c: RGB) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

// Viridis (perceptually uniform, colour-blind-safe), sampled at 9 stops and interpolated linearly.
const VIRIDIS: RGB[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The viridis colour at t in [0, 1]. */
export function viridis(t: number): RGB {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as RGB;
}

/** A CSS gradient of the viridis scale, low to high (left to right). */
export const VIRIDIS_CSS = `linear-gradient(90deg, ${VIRIDIS.map((c, i) => `${css(c)} ${(i * 100) / (VIRIDIS.length - 1)}%`).join(", ")})`;

/** The finite range of a numeric column's values; null when it has none. */
export function numericRange(values: Values | undefined): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values ?? []) {
    if (typeof v === "number" && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** RGBA bytes for n points on the viridis scale over [lo, hi]; grey for missing or non-numeric values. */
export function numericColors(n: number, values: Values, range: [number, number]): Uint8Array {
  const colors = new Uint8Array(n * 4);
  const [lo, hi] = range;
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const c = typeof v === "number" && Number.isFinite(v) ? viridis((v - lo) / span) : OTHER;
    colors[i * 4] = c[0];
    colors[i * 4 + 1] = c[1];
    colors[i * 4 + 2] = c[2];
    colors[i * 4 + 3] = 215;
  }
  return colors;
}
