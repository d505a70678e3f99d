// Which point labels to draw: the must-show ones first (hovered, clicked), then neighbours and the selection, then
// as many others as fit. Each label's screen box is marked on a coarse occupancy grid, so no two drawn labels overlap.
// Work is bounded: at most SCAN points are looked at, at most MAX_LABELS drawn.

export const CELL = 8; // CSS pixels per grid cell
export const LABEL_H = 14;
export const CHAR_W = 6.4; // width of one character of the 11px label font, near enough
export const LABEL_MAX_W = 110;
export const LABEL_DX = 7; // labels start this far right of their point
const SCAN = 20_000;
const MAX_LABELS = 400;

export interface LabelInput {
  n: number;
  width: number;
  height: number;
  project(i: number): [number, number] | null; // CSS pixels, null when not drawn
  textWidth(i: number): number;
  always: number[]; // drawn whatever the overlap (hovered, clicked)
  priority: number[]; // drawn first where they fit (neighbours, selection)
  background: boolean; // fill the free space with other points' labels too
}

export const labelWidth = (text: string) => Math.min(LABEL_MAX_W, text.length * CHAR_W + 4);

export function chooseLabels(input: LabelInput): number[] {
  const { n, width, height } = input;
  const cols = Math.ceil(width / CELL) + 1;
  const rows = Math.ceil(height / CELL) + 1;
  const taken = new Uint8Array(cols * rows);
  const chosen: number[] = [];
  const seen = new Set<number>();
  const tryAdd = (i: number, force: boolean) => {
    if (i < 0 || i >= n || seen.has(i)) return;
    const p = input.project(i);
    if (!p || p[0] < 0 || p[1] < 0 || p[0] >= width || p[1] >= height) return;
    const x0 = p[0] + LABEL_DX;
    const c0 = Math.max(0, Math.floor(x0 / CELL));
    const c1 = Math.min(cols - 1, Math.floor((x0 + input.textWidth(i)) / CELL));
    const r0 = Math.max(0, Math.floor((p[1] - LABEL_H / 2) / CELL));
    const r1 = Math.min(rows - 1, Math.floor((p[1] + LABEL_H / 2) / CELL));
    if (!force) {
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) if (taken[r * cols + c]) return;
    }
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) taken[r * cols + c] = 1;
    seen.add(i);
    chosen.push(i);
  };
  for (const i of input.always) tryAdd(i, true);
  for (let k = 0; k < input.priority.length && k < SCAN && chosen.length < MAX_LABELS; k++) {
    tryAdd(input.priority[k], false);
  }
  if (input.background) {
    const stride = Math.max(1, Math.ceil(n / SCAN));
    for (let i = 0; i < n && chosen.length < MAX_LABELS; i += stride) tryAdd(i, false);
  }
  return chosen;
}
