import { describe, expect, it } from "vitest";
import { CELL, LABEL_H, LABEL_MAX_W, type LabelInput, chooseLabels, labelWidth } from "./labels";

/** Points at given CSS-pixel positions, every label 40 px wide, on a 400 x 300 view. */
function input(points: ([number, number] | null)[], patch: Partial<LabelInput> = {}): LabelInput {
  return {
    n: points.length,
    width: 400,
    height: 300,
    project: (i) => points[i],
    textWidth: () => 40,
    always: [],
    priority: [],
    background: true,
    ...patch,
  };
}

describe("labelWidth", () => {
  it("grows with the text and stops at the maximum", () => {
    expect(labelWidth("ab")).toBeLessThan(labelWidth("abcdef"));
    expect(labelWidth("x".repeat(500))).toBe(LABEL_MAX_W);
  });
});

describe("chooseLabels", () => {
  it("labels points far apart, in row order", () => {
    expect(chooseLabels(input([[10, 10], [200, 10], [10, 200]]))).toEqual([0, 1, 2]);
  });

  it("drops a label that would overlap one already placed", () => {
    // the second point sits 3 px below the first: its label box overlaps
    expect(chooseLabels(input([[10, 10], [12, 13], [200, 200]]))).toEqual([0, 2]);
  });

  it("keeps points far enough apart vertically", () => {
    const gap = LABEL_H + 2 * CELL;
    expect(chooseLabels(input([[10, 50], [10, 50 + gap]]))).toEqual([0, 1]);
  });

  it("always draws the must-show labels, even overlapping, and first", () => {
    const points: [number, number][] = [[10, 10], [12, 12], [14, 14]];
    expect(chooseLabels(input(points, { always: [2, 1] }))).toEqual([2, 1]);
  });

  it("places priority points before the background, so they win a contested spot", () => {
    const points: [number, number][] = [[10, 10], [12, 12]];
    expect(chooseLabels(input(points, { priority: [1] }))).toEqual([1]);
  });

  it("draws only must-show and priority labels without the background", () => {
    const points: [number, number][] = [[10, 10], [100, 100], [200, 200]];
    expect(chooseLabels(input(points, { always: [0], priority: [2], background: false }))).toEqual([0, 2]);
  });

  it("skips points off screen, not drawn, out of range or repeated", () => {
    const points: ([number, number] | null)[] = [[-5, 10], [10, 400], null, [100, 100]];
    expect(chooseLabels(input(points, { always: [7, -1, 3, 3] }))).toEqual([3]);
  });

  it("draws at most 400 labels however much room there is", () => {
    const points: [number, number][] = Array.from({ length: 5000 }, (_, i) => [(i % 100) * 200, Math.floor(i / 100) * 40]);
    const chosen = chooseLabels(input(points, { width: 20_000, height: 2_000 }));
    expect(chosen).toHaveLength(400);
  });

  it("never lets two chosen background labels overlap", () => {
    // a dense random cloud: check every chosen pair's boxes are apart
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const points: [number, number][] = Array.from({ length: 3000 }, () => [rand() * 400, rand() * 300]);
    const chosen = chooseLabels(input(points));
    expect(chosen.length).toBeGreaterThan(20);
    const boxes = chosen.map((i) => {
      const [x, y] = points[i];
      return { x0: x + 7, x1: x + 7 + 40, y0: y - LABEL_H / 2, y1: y + LABEL_H / 2 };
    });
    for (let a = 0; a < boxes.length; a++) {
      for (let b = a + 1; b < boxes.length; b++) {
        const p = boxes[a];
        const q = boxes[b];
        const overlap = p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1;
        expect(overlap).toBe(false);
      }
    }
  });
});
