// Where cluster labels go: one level of the cluster hierarchy at a time, the finest whose labels (of the clusters
// whose middle is in view) nearly all fit without overlapping, so zooming out shows the coarse groups and zooming in
// their parts. Within the level the largest clusters are placed first; a label that would overlap one placed is left
// out. Boxes are centred on the cluster's middle member.

export const FIT = 0.8; // share of a level's labels in view that must fit for that level to be shown
export const LABEL_PAD = 18; // px of padding and border around a label's text, both sides together
export const MAX_WIDTH = 200;
const CHAR = { coarse: 9.4, fine: 8.2 }; // px a character of the 15px / 13px bold label font (wide ones: digits)
const HEIGHT = { coarse: 25, fine: 22 };

export interface ClusterMark {
  id: number;
  level: number; // 0: the coarsest
  size: number; // points
  text: string;
  x: number; // screen position of the cluster's middle member, CSS pixels
  y: number;
}

export interface PlacedLabel extends ClusterMark {
  w: number;
  h: number;
}

/** A label's box size: the coarsest level of several is drawn larger. */
export function labelBox(text: string, level: number, levels: number): [number, number] {
  const kind = levels > 1 && level === 0 ? "coarse" : "fine";
  return [Math.min(MAX_WIDTH, text.length * CHAR[kind] + LABEL_PAD), HEIGHT[kind]];
}

const overlaps = (a: PlacedLabel, b: PlacedLabel) =>
  Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h;

/** The labels of one level that fit, largest cluster first, and how many of the level's were in view. */
function placeLevel(marks: ClusterMark[], levels: number, width: number, height: number): [PlacedLabel[], number] {
  const inView = marks
    .filter((m) => m.x >= 0 && m.x <= width && m.y >= 0 && m.y <= height)
    .sort((a, b) => b.size - a.size || a.id - b.id);
  const placed: PlacedLabel[] = [];
  for (const m of inView) {
    const [w, h] = labelBox(m.text, m.level, levels);
    const box = { ...m, w, h };
    if (!placed.some((p) => overlaps(p, box))) placed.push(box);
  }
  return [placed, inView.length];
}

/** The level shown and its labels placed (none when no cluster's middle is in view). */
export function chooseClusterLabels(
  marks: ClusterMark[],
  levels: number,
  width: number,
  height: number,
): { level: number; placed: PlacedLabel[] } {
  for (let level = levels - 1; level >= 0; level--) {
    const [placed, count] = placeLevel(
      marks.filter((m) => m.level === level),
      levels,
      width,
      height,
    );
    if (level === 0 || (count > 0 && placed.length >= FIT * count)) return { level, placed };
  }
  return { level: 0, placed: [] };
}
