// Where point labels go. The must-show ones first (hovered, clicked), then the selection and the neighbours (every one
// of them up to `must`), then, where they fit, the rest of the selection and as many other points as fit. A label
// sits right of its point; when that spot is taken or would cross the plot's edge it moves (left, above, below, up
// to four lines away) to a free spot inside the plot. A must-show label is never hidden: with no free spot it takes
// the spot that overlaps least. Each label's screen box is marked on a coarse occupancy grid. Work is bounded: at
// most SCAN points are looked at, at most MAX_LABELS drawn besides the must-show ones.

export const CELL = 4; // CSS pixels per grid cell
export const LABEL_H = 14;
export const CHAR_W = 6.4; // width of one character of the 11px label font, near enough
export const LABEL_MAX_W = 110;
export const LABEL_DX = 7; // labels start this far right of their point
const SCAN = 20_000;
const MAX_LABELS = 400;

/** A label: point i's, its box's left edge `dx` and vertical centre `dy` CSS pixels from the point; its box. */
export interface Placement {
  i: number;
  dx: number;
  dy: number;
  box: [number, number, number, number]; // left, top, right, bottom, CSS pixels in the plot
}

export interface LabelInput {
  n: number;
  width: number;
  height: number;
  project(i: number): [number, number] | null; // CSS pixels, null when not drawn
  textWidth(i: number): number;
  always: number[]; // drawn whatever the overlap (hovered, clicked)
  priority: number[]; // the selection and the neighbours, most important first
  must?: number; // the first `must` of `priority` are drawn whatever the overlap too (moved to the freest spot)
  background: boolean; // fill the free space with other points' labels too
  eligible?: Uint8Array | null; // of the other points, only those marked 1 (the ones matching the filters)
  gap?: number; // px between a point and its label (LABEL_DX; more beside a thumbnail)
}

export const labelWidth = (text: string) => Math.min(LABEL_MAX_W, text.length * CHAR_W + 4);

/** The spots tried for a label w px wide, `gap` px from its point, nearest first: [dx, dy] of its left edge and
 * vertical centre. Right and left of the point, level with it and then half a line higher or lower at a time (up to
 * four lines away), and centred above or below it. */
export function spots(w: number, gap: number): [number, number][] {
  const H = LABEL_H;
  const out: [number, number][] = [
    [gap, 0],
    [-gap - w, 0],
  ];
  for (let step = 1; step <= 8; step++) {
    const dy = (step * H) / 2;
    const dx = step === 1 ? Math.max(2, gap * 0.4) : gap; // half a line up or down: the label may start nearer
    out.push([dx, -dy], [dx, dy], [-dx - w, -dy], [-dx - w, dy]);
    if (step % 2 === 0) out.push([-w / 2, -dy - 2], [-w / 2, dy + 2]);
  }
  return out;
}

class Grid {
  readonly cols: number;
  readonly rows: number;
  private readonly taken: Uint8Array;

  constructor(width: number, height: number) {
    this.cols = Math.ceil(width / CELL) + 1;
    this.rows = Math.ceil(height / CELL) + 1;
    this.taken = new Uint8Array(this.cols * this.rows);
  }

  private span(box: Placement["box"]): [number, number, number, number] {
    const c0 = Math.max(0, Math.floor(box[0] / CELL));
    const c1 = Math.min(this.cols - 1, Math.ceil(box[2] / CELL) - 1); // boxes that only touch share no cell
    const r0 = Math.max(0, Math.floor(box[1] / CELL));
    const r1 = Math.min(this.rows - 1, Math.ceil(box[3] / CELL) - 1);
    return [c0, c1, r0, r1];
  }

  /** How many cells of the box are taken (stops counting at `limit`). */
  overlap(box: Placement["box"], limit = Infinity): number {
    const [c0, c1, r0, r1] = this.span(box);
    let count = 0;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        count += this.taken[r * this.cols + c];
        if (count >= limit) return count;
      }
    }
    return count;
  }

  mark(box: Placement["box"]): void {
    const [c0, c1, r0, r1] = this.span(box);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) this.taken[r * this.cols + c] = 1;
  }
}

export function placeLabels(input: LabelInput): Placement[] {
  const { n, width, height } = input;
  const gap = input.gap ?? LABEL_DX;
  const grid = new Grid(width, height);
  const placed: Placement[] = [];
  const seen = new Set<number>();
  const boxAt = (p: [number, number], dx: number, dy: number, w: number): Placement["box"] => [
    p[0] + dx,
    p[1] + dy - LABEL_H / 2,
    p[0] + dx + w,
    p[1] + dy + LABEL_H / 2,
  ];
  const inside = (b: Placement["box"]) => b[0] >= 0 && b[1] >= 0 && b[2] <= width && b[3] <= height;
  // `moves`: try every spot (else only the right one); `force`: drawn even where every spot is taken
  const tryAdd = (i: number, moves: boolean, force: boolean): void => {
    if (i < 0 || i >= n || seen.has(i)) return;
    const p = input.project(i);
    if (!p || p[0] < 0 || p[1] < 0 || p[0] >= width || p[1] >= height) return;
    const w = input.textWidth(i);
    let best: Placement | null = null;
    let fewest = Infinity;
    for (const [dx, dy] of moves ? spots(w, gap) : [[gap, 0]]) {
      const box = boxAt(p, dx, dy, w);
      if (!inside(box)) continue;
      const overlap = grid.overlap(box, fewest);
      if (overlap < fewest) {
        fewest = overlap;
        best = { i, dx, dy, box };
        if (overlap === 0) break;
      }
    }
    if (best === null && force) {
      // no spot inside the plot (a label wider than the room): right or left of the point, pushed inside
      const dx = p[0] + gap + w <= width ? gap : Math.max(-p[0], -gap - w);
      const dy = Math.min(Math.max(0, LABEL_H / 2 - p[1]), height - LABEL_H / 2 - p[1]);
      best = { i, dx, dy, box: boxAt(p, dx, dy, w) };
    }
    if (best === null || (fewest > 0 && !force)) return;
    grid.mark(best.box);
    seen.add(i);
    placed.push(best);
  };
  for (const i of input.always) tryAdd(i, true, true);
  const must = Math.min(input.must ?? 0, input.priority.length, SCAN);
  for (let k = 0; k < must; k++) tryAdd(input.priority[k], true, true);
  const budget = placed.length + MAX_LABELS;
  for (let k = must; k < input.priority.length && k < SCAN && placed.length < budget; k++) {
    tryAdd(input.priority[k], true, false);
  }
  if (input.background) {
    const stride = Math.max(1, Math.ceil(n / SCAN));
    const ok = input.eligible;
    for (let i = 0; i < n && placed.length < budget; i += stride) if (!ok || ok[i]) tryAdd(i, false, false);
  }
  return placed;
}

/** The indices labelled (placeLabels' order). */
export function chooseLabels(input: LabelInput): number[] {
  return placeLabels(input).map((p) => p.i);
}
