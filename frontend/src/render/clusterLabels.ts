// Where cluster labels go. The coarsest level's labels first; then each label, largest cluster first, gives way to
// its parts' labels when they fit where it was (at least FIT of its parts whose middle is in view, none overlapping
// another label): zoomed out the map names its big regions, zoomed in the parts of the region in view. Labels are
// centred on their cluster's middle member, kept inside the plot, and never overlap; larger clusters are placed
// first.

export const FIT = 0.5; // share of a cluster's parts in view whose labels must fit for them to replace its label
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
  parent: number | null;
  refine?: boolean; // false: its parts are not worth naming (they would all repeat its name)
}

export interface PlacedLabel extends ClusterMark {
  w: number;
  h: number;
}

/** Whether a level's labels are drawn large: every level but the finest, when there are several. */
export const coarse = (level: number, levels: number) => levels > 1 && level < levels - 1;

/** A label's box size. */
export function labelBox(text: string, level: number, levels: number): [number, number] {
  const kind = coarse(level, levels) ? "coarse" : "fine";
  return [Math.min(MAX_WIDTH, text.length * CHAR[kind] + LABEL_PAD), HEIGHT[kind]];
}

const overlaps = (a: PlacedLabel, b: PlacedLabel) =>
  Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h;

/** Greedy placement of the labels whose cluster's middle is in view: coarser and larger first; a label overlapping one
 * placed is left out. Boxes are moved inside the plot (a cluster at its edge keeps its label in view). */
function place(marks: ClusterMark[], levels: number, width: number, height: number): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const order = [...marks].sort((a, b) => a.level - b.level || b.size - a.size || a.id - b.id);
  for (const m of order) {
    if (m.x < 0 || m.x > width || m.y < 0 || m.y > height) continue; // its middle is out of view
    const [w, h] = labelBox(m.text, m.level, levels);
    const x = Math.min(Math.max(m.x, w / 2), Math.max(w / 2, width - w / 2));
    const y = Math.min(Math.max(m.y, h / 2), Math.max(h / 2, height - h / 2));
    const box = { ...m, x, y, w, h };
    if (!placed.some((p) => overlaps(p, box))) placed.push(box);
  }
  return placed;
}

/** The labels shown and where, and the deepest level among them (0 when none is shown). */
export function chooseClusterLabels(
  marks: ClusterMark[],
  levels: number,
  width: number,
  height: number,
): { level: number; placed: PlacedLabel[] } {
  const inView = (m: ClusterMark) => m.x >= 0 && m.x <= width && m.y >= 0 && m.y <= height;
  const parts = new Map<number, ClusterMark[]>();
  for (const m of marks) if (m.parent !== null) parts.set(m.parent, [...(parts.get(m.parent) ?? []), m]);
  let shown = marks.filter((m) => m.level === 0); // out of view too: their parts may be in view
  for (let level = 0; level < levels - 1; level++) {
    const here = shown.filter((m) => m.level === level).sort((a, b) => b.size - a.size || a.id - b.id);
    for (const m of here) {
      const kids = (parts.get(m.id) ?? []).filter(inView);
      if (kids.length === 0 || m.refine === false || (parts.get(m.id)?.length ?? 0) < 2) continue;
      const trial = [...shown.filter((s) => s !== m), ...kids];
      const placed = new Set(place(trial, levels, width, height).map((p) => p.id));
      if (kids.filter((k) => placed.has(k.id)).length >= FIT * kids.length) shown = trial;
    }
  }
  const placed = place(shown, levels, width, height);
  return { level: placed.reduce((deepest, p) => Math.max(deepest, p.level), 0), placed };
}
