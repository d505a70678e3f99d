// Hover and click on the scatter view, picked on the CPU (pick.ts) instead of deck.gl's GPU picking (which blocks a
// software renderer for a second at 100,000 points, at every pointerdown and hover frame). A click is a pointerdown
// and pointerup on the canvas less than TAP pixels apart (a longer move pans or rotates); hover picks at most once per
// animation frame, and not while a button is down (dragging); again when the view moves under a still pointer.

const TAP = 4; // CSS pixels

interface PointerHost {
  /** The point drawn under (x, y), CSS pixels from the canvas's top left, or null. */
  pick(x: number, y: number): number | null;
  hover(index: number | null, x: number, y: number): void;
  click(index: number | null): void;
}

export class PointerPick {
  private down: { x: number; y: number; id: number } | null = null;
  private frame = 0;
  private last: { x: number; y: number } | null = null;

  constructor(
    private readonly parent: HTMLElement,
    private readonly host: PointerHost,
  ) {
    parent.addEventListener("pointerdown", this.onDown);
    parent.addEventListener("pointerup", this.onUp);
    parent.addEventListener("pointermove", this.onMove);
    parent.addEventListener("pointerleave", this.onLeave);
  }

  private at(e: PointerEvent): { x: number; y: number } {
    const box = this.parent.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  }

  private readonly onDown = (e: PointerEvent): void => {
    if (e.button !== 0 || !(e.target instanceof HTMLCanvasElement)) return;
    this.down = { ...this.at(e), id: e.pointerId };
  };

  private readonly onUp = (e: PointerEvent): void => {
    const down = this.down;
    this.down = null;
    if (!down || e.button !== 0 || e.pointerId !== down.id) return;
    const { x, y } = this.at(e);
    if (Math.abs(x - down.x) >= TAP || Math.abs(y - down.y) >= TAP) return; // a drag: pan or rotate
    this.host.click(this.host.pick(x, y));
  };

  private readonly onMove = (e: PointerEvent): void => {
    if (e.buttons !== 0 || e.pointerType === "touch") return; // dragging: no hover
    this.last = this.at(e);
    if (!this.frame) this.frame = requestAnimationFrame(this.hoverNow);
  };

  private readonly onLeave = (): void => {
    this.last = null;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.host.hover(null, -1, -1);
  };

  /** The view moved under a still pointer (a wheel zoom, the keys, new coordinates): pick again where it rests, so
   * the tooltip goes with a point that moved away (or shows the one now there); none while a drag pans. */
  refresh(): void {
    if (this.down !== null) {
      this.host.hover(null, -1, -1);
      return;
    }
    if (this.last !== null && !this.frame) this.frame = requestAnimationFrame(this.hoverNow);
  }

  private readonly hoverNow = (): void => {
    this.frame = 0;
    const at = this.last;
    if (at) this.host.hover(this.host.pick(at.x, at.y), at.x, at.y);
  };

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.parent.removeEventListener("pointerdown", this.onDown);
    this.parent.removeEventListener("pointerup", this.onUp);
    this.parent.removeEventListener("pointermove", this.onMove);
    this.parent.removeEventListener("pointerleave", this.onLeave);
  }
}
