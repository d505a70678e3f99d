// The points' glide from one training step's layout to the next's: deck.gl interpolates the positions on the GPU.
// Labels and selection rings wait until the points arrive (they would sit at the destinations meanwhile). The
// transition setting stays on the point layers until positions change without a glide: deck.gl must never lose it
// in the middle of a glide, or the points stay where the glide was when it was dropped.

/** How long points take to glide from one training step's layout to the next's, in ms. */
export const GLIDE_MS = 450;
/** When deck.gl does not say the glide ended (a layer not drawn), labels come back this much later anyway. */
const FALLBACK_MS = 1500;

const easeInOut = (t: number) => (t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2);

export type PositionTransitions = {
  getPosition: { duration: number; easing: (t: number) => number; onEnd: () => void };
};

export class Glide {
  /** The point layers' `transitions` prop: set from a glide's start until positions next change without one. */
  transitions: PositionTransitions | undefined = undefined;
  /** The points are on their way: labels and rings wait. */
  active = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly arrived: () => void) {}

  /** New positions: glide to them (`on`) or jump. */
  start(on: boolean): void {
    clearTimeout(this.timer);
    this.active = on;
    this.transitions = on ? { getPosition: { duration: GLIDE_MS, easing: easeInOut, onEnd: this.end } } : undefined;
    if (on) this.timer = setTimeout(this.end, GLIDE_MS + FALLBACK_MS);
  }

  /** The points arrived (deck.gl's onEnd, or the fallback timer); once per glide. */
  readonly end = (): void => {
    if (!this.active) return;
    this.active = false;
    clearTimeout(this.timer);
    this.arrived();
  };

  destroy(): void {
    clearTimeout(this.timer);
  }
}
