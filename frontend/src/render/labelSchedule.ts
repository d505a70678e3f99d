// When the labels are chosen again. A camera step redraws the view at once; choosing labels in the next frame drew
// every pan or zoom step twice (the view, then the labels). So while the camera moves, labels ride along with their
// points and are chosen again once the view has been still for SETTLE_MS; other changes (hover, selection, new
// points) choose them in the next frame, unless a settle is pending (it will choose them). Where frames are slow (a
// software renderer: a step every 250 ms), the wait stretches to 1.5 times the pace of the camera's steps, so that
// labels are not chosen between two steps of one drag.

export const SETTLE_MS = 150;
const MAX_SETTLE_MS = 800;

export interface Frames {
  request(fn: () => void): number;
  cancel(id: number): void;
}

const browserFrames: Frames = {
  request: (fn) => requestAnimationFrame(fn),
  cancel: (id) => cancelAnimationFrame(id),
};

export class LabelSchedule {
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastMove = -Infinity;
  private pace = 0; // ms between the camera's steps, smoothed

  constructor(
    private readonly update: () => void,
    private readonly frames: Frames = browserFrames,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long labels wait after the last camera step. */
  get settleMs(): number {
    return Math.min(MAX_SETTLE_MS, Math.max(SETTLE_MS, 1.5 * this.pace));
  }

  /** Something other than the camera changed: choose the labels in the next frame. */
  soon(): void {
    if (this.frame || this.timer !== undefined) return;
    this.frame = this.frames.request(this.run);
  }

  /** The camera moved: choose the labels once it has been still for a while (each move restarts the wait). */
  moved(): void {
    const t = this.now();
    const gap = t - this.lastMove;
    this.lastMove = t;
    // a new gesture keeps the pace of the last one (the renderer's speed); within a gesture, follow the steps
    if (gap <= MAX_SETTLE_MS) this.pace = this.pace === 0 ? gap : 0.5 * this.pace + 0.5 * gap;
    if (this.frame) this.frames.cancel(this.frame);
    this.frame = 0;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.run, this.settleMs);
  }

  /** The view is moving and labels wait for it to settle. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  private readonly run = (): void => {
    this.frame = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.update();
  };

  destroy(): void {
    if (this.frame) this.frames.cancel(this.frame);
    clearTimeout(this.timer);
    this.frame = 0;
    this.timer = undefined;
  }
}
