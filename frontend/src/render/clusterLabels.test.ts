import { describe, expect, it } from "vitest";
import { type ClusterMark, chooseClusterLabels, labelBox } from "./clusterLabels";

/** Two regions (level 0) of three parts each (level 1); `spread` px between the parts of a region. */
function marks(spread: number): ClusterMark[] {
  const out: ClusterMark[] = [
    { id: 6, level: 0, size: 300, text: "sea, ship", x: 200, y: 200, parent: null },
    { id: 7, level: 0, size: 200, text: "bread, wine", x: 600, y: 200, parent: null },
  ];
  for (let g = 0; g < 2; g++) {
    for (let k = 0; k < 3; k++) {
      const x = 200 + g * 400 + (k - 1) * spread;
      out.push({ id: g * 3 + k, level: 1, size: 100 - k, text: `part ${g}.${k}`, x, y: 200, parent: 6 + g });
    }
  }
  return out;
}

const ids = (placed: { id: number }[]) => placed.map((p) => p.id).sort((a, b) => a - b);

describe("cluster labels", () => {
  it("name the regions when their parts would crowd, the parts when they fit", () => {
    const far = chooseClusterLabels(marks(20), 2, 800, 400);
    expect(far.level).toBe(0);
    expect(ids(far.placed)).toEqual([6, 7]);
    const near = chooseClusterLabels(marks(120), 2, 800, 400);
    expect(near.level).toBe(1);
    expect(ids(near.placed)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("refine one region and not another, as room allows", () => {
    const mixed = marks(120).map((m) => (m.parent === 7 ? { ...m, x: 600 + (m.x - 600) / 6 } : m));
    expect(ids(chooseClusterLabels(mixed, 2, 800, 400).placed)).toEqual([0, 1, 2, 7]);
    const kept = marks(120).map((m) => (m.id === 6 ? { ...m, refine: false } : m));
    expect(ids(chooseClusterLabels(kept, 2, 800, 400).placed)).toEqual([3, 4, 5, 6]);
  });

  it("never overlap, stay inside the plot, and leave out what is out of view", () => {
    const { placed } = chooseClusterLabels(marks(20), 1, 800, 400); // one level: the regions only
    for (const a of placed) {
      for (const b of placed) {
        if (a !== b) expect(Math.abs(a.x - b.x) * 2 >= a.w + b.w || Math.abs(a.y - b.y) * 2 >= a.h + b.h).toBe(true);
      }
      expect(a.x - a.w / 2).toBeGreaterThanOrEqual(0);
    }
    const edge = chooseClusterLabels([{ id: 1, level: 0, size: 5, text: "a long label", x: 2, y: 2, parent: null }], 1, 800, 400);
    expect(edge.placed[0].x - edge.placed[0].w / 2).toBe(0);
    const narrow = chooseClusterLabels(marks(120), 2, 400, 400);
    expect(narrow.placed.every((p) => p.id !== 7 && p.parent !== 7)).toBe(true);
    // zoomed in on a region's part: the region's middle is out of view, its parts in view are named
    const zoomed: ClusterMark[] = [
      { id: 6, level: 0, size: 300, text: "sea, ship", x: -100, y: 200, parent: null },
      { id: 0, level: 1, size: 100, text: "oars", x: 100, y: 200, parent: 6 },
      { id: 1, level: 1, size: 90, text: "sails", x: 400, y: 200, parent: 6 },
      { id: 2, level: 1, size: 80, text: "nets", x: -300, y: 200, parent: 6 },
    ];
    expect(ids(chooseClusterLabels(zoomed, 2, 800, 400).placed)).toEqual([0, 1]);
  });

  it("size a label by its text and level, within bounds", () => {
    expect(labelBox("sea", 0, 2)[0]).toBeGreaterThan(labelBox("sea", 1, 2)[0]);
    expect(labelBox("x".repeat(500), 1, 2)[0]).toBe(200);
  });
});
