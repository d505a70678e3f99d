// When the labels are chosen again. A camera step redraws the view at once; choosing labels in the next frame drew
// every pan or zoom step twice (the view, then the labels). So while the camera moves, labels ride along with their
// points and are chosen again once the view has been still for SETTLE_MS; other changes (hover, selection, new
// points) choose them in the next frame, unless a settle is pending (it will choose them).

export const SETTLE_MS = 150;

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

  constructor(
    private readonly update: () => void,
    private readonly frames: Frames = browserFrames,
    private readonly settleMs = SETTLE_MS,
  ) {}

  /** Something other than the camera changed: choose the labels in the next frame. */
  soon(): void {
    if (this.frame || this.timer !== undefined) return;
    this.frame = this.frames.request(this.run);
  }

  /** The camera moved: choose the labels once it has been still for a while (each move restarts the wait). */
  moved(): void {
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
