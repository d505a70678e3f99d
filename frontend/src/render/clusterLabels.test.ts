import { describe, expect, it } from "vitest";
import { type ClusterMark, chooseClusterLabels, labelBox } from "./clusterLabels";

/** Two coarse groups of three fine clusters each; `spread` px between fine clusters of a group. */
function marks(spread: number): ClusterMark[] {
  const out: ClusterMark[] = [
    { id: 6, level: 0, size: 300, text: "sea, ship", x: 200, y: 200 },
    { id: 7, level: 0, size: 200, text: "bread, wine", x: 600, y: 200 },
  ];
  for (let g = 0; g < 2; g++) {
    for (let k = 0; k < 3; k++) {
      out.push({ id: g * 3 + k, level: 1, size: 100 - k, text: `part ${g}.${k}`, x: 200 + g * 400 + (k - 1) * spread, y: 200 });
    }
  }
  return out;
}

describe("cluster labels", () => {
  it("show the coarse level when the fine labels would crowd, the fine one when they fit", () => {
    const far = chooseClusterLabels(marks(20), 2, 800, 400);
    expect(far.level).toBe(0);
    expect(far.placed.map((p) => p.id)).toEqual([6, 7]);
    const near = chooseClusterLabels(marks(120), 2, 800, 400);
    expect(near.level).toBe(1);
    expect(near.placed.map((p) => p.id).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("never overlap, and place the largest first", () => {
    const crowded = chooseClusterLabels(marks(20), 1, 800, 400); // one level: the fine labels, as many as fit
    for (const a of crowded.placed) {
      for (const b of crowded.placed) {
        if (a !== b) expect(Math.abs(a.x - b.x) * 2 >= a.w + b.w || Math.abs(a.y - b.y) * 2 >= a.h + b.h).toBe(true);
      }
    }
    expect(crowded.placed[0].size).toBe(300);
  });

  it("leave out clusters whose middle is out of view", () => {
    const { placed } = chooseClusterLabels(marks(120), 2, 400, 400);
    expect(placed.every((p) => p.x <= 400)).toBe(true);
    expect(placed.map((p) => p.id).sort()).toEqual([0, 1, 2]);
  });

  it("size a label by its text and level, within bounds", () => {
    expect(labelBox("sea", 0, 2)[0]).toBeGreaterThan(labelBox("sea", 1, 2)[0]);
    expect(labelBox("x".repeat(500), 1, 2)[0]).toBe(200);
  });
});
