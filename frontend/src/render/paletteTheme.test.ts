// The dark theme's palette (contrast with its background, colours told apart with and without colour-blindness) and
// the numeric scale's choice between linear and log.
import { describe, expect, it } from "vitest";
import {
  BACKGROUND,
  CATEGORICAL,
  CATEGORICAL_DARK,
  DEFAULT_POINT,
  OTHER,
  type RGB,
  contrastRatio,
  defaultScale,
  legendOf,
  numericColors,
  scaleOf,
  scalePosition,
  scaleTicks,
  viridis,
} from "./palette";

const linear = (c: number) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
const encode = (v: number) => {
  const c = Math.min(1, Math.max(0, v));
  return 255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
};

/** CIELAB (D65) of an sRGB colour. */
function lab(c: RGB): [number, number, number] {
  const [r, g, b] = c.map(linear);
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

// Machado et al. (2009) matrices at full severity, on linear RGB
const CVD: Record<string, number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};
const seenWith = (m: number[][] | null, c: RGB): RGB => {
  if (m === null) return c;
  const v = c.map(linear);
  return m.map((row) => encode(row[0] * v[0] + row[1] * v[1] + row[2] * v[2])) as RGB;
};

/** The smallest CIELAB distance between two colours of a palette, as seen with vision m (null: normal). */
function closestPair(palette: RGB[], m: number[][] | null): number {
  const seen = palette.map((c) => lab(seenWith(m, c)));
  let best = Infinity;
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      best = Math.min(best, Math.hypot(seen[i][0] - seen[j][0], seen[i][1] - seen[j][1], seen[i][2] - seen[j][2]));
    }
  }
  return best;
}

describe("the dark theme's palette", () => {
  it("gives every categorical colour a contrast of at least 3:1 with the dark background", () => {
    for (const c of CATEGORICAL_DARK) expect(contrastRatio(c, BACKGROUND.dark)).toBeGreaterThanOrEqual(3);
    for (const c of [DEFAULT_POINT, OTHER]) expect(contrastRatio(c, BACKGROUND.dark)).toBeGreaterThanOrEqual(3);
    // the light palette's first colour (indigo) is what was nearly invisible there
    expect(contrastRatio(CATEGORICAL[0], BACKGROUND.dark)).toBeLessThan(1.5);
  });

  it("keeps the colours as far apart as the light palette's, for normal and colour-blind vision", () => {
    expect(CATEGORICAL_DARK).toHaveLength(CATEGORICAL.length);
    for (const m of [null, ...Object.values(CVD)]) {
      expect(closestPair(CATEGORICAL_DARK, m)).toBeGreaterThanOrEqual(Math.min(10, closestPair(CATEGORICAL, m)));
    }
    expect(closestPair(CATEGORICAL_DARK, null)).toBeGreaterThan(20);
  });

  it("is what the legend gives in the dark theme", () => {
    const column = { name: "c", type: "string", distinct: [{ value: "a", count: 2 }, { value: "b", count: 1 }] };
    expect(legendOf(column, "dark").map((e) => e.color)).toEqual(CATEGORICAL_DARK.slice(0, 2));
    expect(legendOf(column, "light").map((e) => e.color)).toEqual(CATEGORICAL.slice(0, 2));
  });

  it("computes WCAG contrast ratios", () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio([255, 255, 255], [255, 255, 255])).toBe(1);
    expect(contrastRatio([118, 118, 118], [255, 255, 255])).toBeCloseTo(4.54, 2);
  });
});

describe("the numeric scale", () => {
  it("is log for positive values spanning more than two orders of magnitude, else linear", () => {
    expect(defaultScale([1, 60_000])).toBe("log"); // word frequency
    expect(defaultScale([1, 100])).toBe("linear"); // exactly two orders: linear
    expect(defaultScale([0, 60_000])).toBe("linear"); // a zero cannot go on a log scale
    expect(defaultScale([-5, 60_000])).toBe("linear");
    expect(defaultScale([0.5, 9])).toBe("linear");
  });

  it("honours the user's choice, except log for values that are not all positive", () => {
    expect(scaleOf([1, 60_000], "linear")).toBe("linear");
    expect(scaleOf([1, 50], "log")).toBe("log");
    expect(scaleOf([0, 50], "log")).toBe("linear");
    expect(scaleOf([1, 60_000], null)).toBe("log");
  });

  it("maps values by their logarithm on a log scale", () => {
    const range: [number, number] = [1, 10_000];
    expect(scalePosition(1, range, "log")).toBe(0);
    expect(scalePosition(100, range, "log")).toBeCloseTo(0.5, 10);
    expect(scalePosition(10, range, "log")).toBeCloseTo(0.25, 10);
    expect(scalePosition(10_000, range, "log")).toBe(1);
    expect(scalePosition(100, range, "linear")).toBeCloseTo(99 / 9999, 10);
    expect(scalePosition(5, [5, 5], "log")).toBe(0);
    expect(scaleTicks(range, "log")).toEqual([1, 100, 10_000]);
    expect(scaleTicks([0, 10], "linear")).toEqual([0, 5, 10]);
  });

  it("spreads a skewed column over the colours on a log scale, where linear makes them one colour", () => {
    const values = [1, 10, 100, 1000, 60_000];
    const range: [number, number] = [1, 60_000];
    const rgb = (colors: Uint8Array, i: number) => Array.from(colors.slice(i * 4, i * 4 + 3));
    const log = numericColors(values.length, values, range, "log");
    const lin = numericColors(values.length, values, range, "linear");
    const dark = viridis(0);
    for (const i of [0, 1, 2, 3]) {
      // < 2% of the way up: all about the first colour
      expect(Math.max(...rgb(lin, i).map((v, k) => Math.abs(v - dark[k])))).toBeLessThanOrEqual(8);
    }
    expect(new Set([0, 1, 2, 3, 4].map((i) => rgb(log, i).join())).size).toBe(5);
    expect(rgb(log, 2)).toEqual(viridis(Math.log(100) / Math.log(60_000)));
    expect(rgb(log, 4)).toEqual(viridis(1));
  });
});
