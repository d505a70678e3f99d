// Dragging a selection box over the scatter view: shift-drag adds, alt-drag removes, and a plain drag replaces the
// selection when box mode is on. The drag is taken from deck.gl's controller (which would pan) in the capture phase;
// one rectangle element shows the box, nothing per point.

export type BoxMode = "replace" | "add" | "remove";

export class BoxDrag {
  /** Plain drags draw a box too (not only shift- and alt-drags). */
  always = false;
  private readonly onDown = (e: PointerEvent) => this.start(e);

  constructor(
    private readonly parent: HTMLElement,
    private readonly done: (rect: [number, number, number, number], mode: BoxMode) => void,
  ) {
    window.addEventListener("pointerdown", this.onDown, true);
  }

  private start(e: PointerEvent): void {
    if (e.button !== 0 || !(e.target instanceof HTMLCanvasElement) || !this.parent.contains(e.target)) return;
    if (!(e.shiftKey || e.altKey || this.always)) return;
    e.stopPropagation();
    e.preventDefault();
    const at = this.parent.getBoundingClientRect();
    const box = document.createElement("div");
    box.className = "select-box";
    this.parent.appendChild(box);
    const mode: BoxMode = e.altKey ? "remove" : e.shiftKey ? "add" : "replace";
    const x0 = e.clientX - at.left;
    const y0 = e.clientY - at.top;
    const draw = (x: number, y: number) =>
      Object.assign(box.style, {
        left: `${Math.min(x0, x)}px`,
        top: `${Math.min(y0, y)}px`,
        width: `${Math.abs(x - x0)}px`,
        height: `${Math.abs(y - y0)}px`,
      });
    const move = (ev: PointerEvent) => {
      ev.stopPropagation();
      draw(ev.clientX - at.left, ev.clientY - at.top);
    };
    const up = (ev: PointerEvent) => {
      ev.stopPropagation();
      window.removeEventListener("pointermove", move, true);
      window.removeEventListener("pointerup", up, true);
      box.remove();
      const x = ev.clientX - at.left;
      const y = ev.clientY - at.top;
      if (Math.abs(x - x0) < 3 && Math.abs(y - y0) < 3) return; // a click, not a box
      this.done([Math.min(x0, x), Math.min(y0, y), Math.max(x0, x), Math.max(y0, y)], mode);
    };
    window.addEventListener("pointermove", move, true);
    window.addEventListener("pointerup", up, true);
    draw(x0, y0);
  }

  destroy(): void {
    window.removeEventListener("pointerdown", this.onDown, true);
  }
}
