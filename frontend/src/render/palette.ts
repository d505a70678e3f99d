// Point colours: a colour-blind-safe categorical palette (Paul Tol's "muted" set, then Okabe-Ito's orange and
// blue) with a lighter variant for the dark theme, grey for values past the palette and for missing values; the
// viridis scale for numeric columns, linear or logarithmic.
import type { ColumnInfo } from "../api/types";
import type { Values } from "../state/store";

export type RGB = [number, number, number];
type Theme = "light" | "dark";

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
/** The dark theme's variant: the five entries too dark for its background lifted to a contrast of at least 3.5:1,
 * keeping their hue, and chosen so that no two are closer than the light palette's closest pair, also as seen with
 * protanopia, deuteranopia and tritanopia (CIELAB distance of simulated colours; palette.test.ts checks both). */
export const CATEGORICAL_DARK: RGB[] = [
  [126, 90, 216], // indigo, lighter
  [136, 204, 238], // cyan
  [68, 170, 153], // teal
  [55, 150, 80], // green, lighter
  [153, 153, 51], // olive
  [221, 204, 119], // sand
  [204, 102, 119], // rose
  [246, 138, 204], // wine, lighter (pink)
  [204, 126, 234], // purple, lighter
  [230, 159, 0], // orange
  [84, 114, 174], // blue, lighter
];
/** The plot's background in each theme (--panel in styles.css). */
export const BACKGROUND: Record<Theme, RGB> = { light: [255, 255, 255], dark: [23, 27, 35] };
const paletteOf = (theme: Theme): RGB[] => (theme === "dark" ? CATEGORICAL_DARK : CATEGORICAL);

const channel = (c: number) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
/** WCAG relative luminance of a colour. */
const luminance = (c: RGB) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
/** WCAG contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: RGB, b: RGB): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export const OTHER: RGB = [187, 187, 187];
export const DEFAULT_POINT: RGB = [70, 110, 190];

interface LegendEntry {
  value: string | number;
  label: string;
  count: number;
  color: RGB;
}

/** The legend of a categorical column: its most frequent values get the theme's palette colours, in order. */
export function legendOf(column: ColumnInfo | undefined, theme: Theme = "light"): LegendEntry[] {
  const palette = paletteOf(theme);
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
    color: palette[i],
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

export const FADE_MIX = 0.25; // a faded point: this much of its colour, the rest the background's
export const FADE_ALPHA = 160; // and see-through: piled up, faded points stay as faded (pale), lone ones still show

/** Colour k of `from` (RGBA) faded into the background `bg`, written at k of `to`. */
export function fadeInto(from: Uint8Array, to: Uint8Array, k: number, bg: readonly number[]): void {
  const o = k * 4;
  for (let c = 0; c < 3; c++) to[o + c] = Math.round(bg[c] + (from[o + c] - bg[c]) * FADE_MIX);
  to[o + 3] = Math.min(from[o + 3], FADE_ALPHA);
}

/** The colours with the rows a mask leaves out (0) greyed out: faded into the background, still there. */
export function greyOut(colors: Uint8Array, mask: Uint8Array, theme: Theme): Uint8Array {
  const out = new Uint8Array(colors);
  const bg = BACKGROUND[theme];
  for (let i = 0; i < mask.length && i * 4 < colors.length; i++) if (!mask[i]) fadeInto(colors, out, i, bg);
  return out;
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

export type NumericScale = "linear" | "log";

/** The scale a numeric column gets by default: log when every value is > 0 and they span more than two orders of
 * magnitude (a skewed count such as word frequency would be one colour on a linear scale), else linear. */
export function defaultScale(range: [number, number]): NumericScale {
  return range[0] > 0 && range[1] / range[0] > 100 ? "log" : "linear";
}

/** The scale used: the user's choice (log only where every value is > 0), else the default for the range. */
export function scaleOf(range: [number, number], chosen: NumericScale | null): NumericScale {
  if (chosen === "log") return range[0] > 0 ? "log" : "linear";
  return chosen ?? defaultScale(range);
}

/** Where v lies on the scale over [lo, hi], in [0, 1] (0 for a range of one value). */
export function scalePosition(v: number, range: [number, number], scale: NumericScale): number {
  const [lo, hi] = range;
  if (scale === "log") {
    const span = Math.log(hi) - Math.log(lo);
    return span > 0 ? Math.min(1, Math.max(0, (Math.log(v) - Math.log(lo)) / span)) : 0;
  }
  return hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0;
}

/** The legend's three ticks: the ends and the value in the middle of the bar (geometric mean on a log scale). */
export function scaleTicks(range: [number, number], scale: NumericScale): [number, number, number] {
  const [lo, hi] = range;
  return [lo, scale === "log" ? Math.sqrt(lo * hi) : (lo + hi) / 2, hi];
}

/** RGBA bytes for n points on the viridis scale over [lo, hi]; grey for missing or non-numeric values. */
export function numericColors(
  n: number,
  values: Values,
  range: [number, number],
  scale: NumericScale = "linear",
): Uint8Array {
  const colors = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const ok = typeof v === "number" && Number.isFinite(v) && (scale === "linear" || v > 0);
    const c = ok ? viridis(scalePosition(v as number, range, scale)) : OTHER;
    colors[i * 4] = c[0];
    colors[i * 4 + 1] = c[1];
    colors[i * 4 + 2] = c[2];
    colors[i * 4 + 3] = 215;
  }
  return colors;
}
