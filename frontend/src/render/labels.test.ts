import { describe, expect, it } from "vitest";
import { CELL, LABEL_H, LABEL_MAX_W, type LabelInput, type Placement, chooseLabels, labelWidth, placeLabels } from "./labels";

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

const overlaps = (p: Placement["box"], q: Placement["box"]) => p[0] < q[2] && q[0] < p[2] && p[1] < q[3] && q[1] < p[3];

describe("placeLabels", () => {
  it("labels every one of a tight cluster of selected points, moving labels apart instead of dropping them", () => {
    // 12 points within 24 px of each other: right of each point there is room for one or two labels only
    const points: [number, number][] = Array.from({ length: 12 }, (_, i) => [200 + (i % 4) * 6, 150 + Math.floor(i / 4) * 8]);
    const priority = points.map((_, i) => i);
    const placed = placeLabels(input(points, { priority, must: 12, background: false }));
    expect(placed.map((p) => p.i).sort((a, b) => a - b)).toEqual(priority);
    for (let a = 0; a < placed.length; a++) {
      for (let b = a + 1; b < placed.length; b++) expect(overlaps(placed[a].box, placed[b].box)).toBe(false);
    }
    expect(new Set(placed.map((p) => `${p.dx},${p.dy}`)).size).toBeGreaterThan(4); // right, left, above, below...
  });

  it("still draws must-show labels when no free spot is left (the least overlapping one)", () => {
    const points: [number, number][] = Array.from({ length: 60 }, () => [200, 150]);
    const priority = points.map((_, i) => i);
    expect(placeLabels(input(points, { priority, must: 60, background: false }))).toHaveLength(60);
    // beyond `must`, the others are drawn only where they fit
    expect(placeLabels(input(points, { priority, must: 10, background: false })).length).toBeLessThan(60);
  });

  it("keeps labels inside the plot: one at the right edge goes left of its point, one at the top below", () => {
    const points: [number, number][] = [[395, 150], [100, 2], [3, 298]];
    const placed = placeLabels(input(points, { always: [0, 1, 2], background: false }));
    expect(placed).toHaveLength(3);
    for (const p of placed) {
      expect(p.box[0]).toBeGreaterThanOrEqual(0);
      expect(p.box[1]).toBeGreaterThanOrEqual(0);
      expect(p.box[2]).toBeLessThanOrEqual(400);
      expect(p.box[3]).toBeLessThanOrEqual(300);
    }
    expect(placed[0].dx).toBeLessThan(0); // left of the point at the right edge
  });

  it("puts a label wider than the plot inside it as far as it can", () => {
    const placed = placeLabels(input([[10, 50]], { width: 30, height: 100, always: [0], background: false }));
    expect(placed).toHaveLength(1);
    expect(placed[0].box[0]).toBeGreaterThanOrEqual(0);
  });

  it("places labels in the order given: the must-show ones first", () => {
    const points: [number, number][] = [[10, 10], [100, 100], [200, 200], [300, 250]];
    const placed = placeLabels(input(points, { always: [3], priority: [2, 1], must: 1 }));
    expect(placed.map((p) => p.i)).toEqual([3, 2, 1, 0]);
  });
});
