// Selecting by dragging over the scatter view: shift-drag adds, alt-drag removes, and a plain drag replaces the
// selection when select mode is on. 2-D drags a box; 3-D drags a sphere around the point (or the spot at the
// camera's target depth) under the pointer-down, its radius growing with the drag distance. The drag is taken from
// deck.gl's controller (which would pan or rotate) in the capture phase; one element shows the box or the sphere's
// outline, nothing per point.

export type SelectMode = "replace" | "add" | "remove";

interface SelectHost {
  /** The shape a drag selects now. */
  shape(): "box" | "sphere";
  /** The points inside a screen rectangle [left, top, right, bottom] (CSS pixels) are chosen. */
  boxDone(rect: [number, number, number, number], mode: SelectMode): void;
  /** A sphere starts at (x, y): where its centre is drawn on screen, or null when there is nothing to select. */
  sphereStart(x: number, y: number): [number, number] | null;
  /** The sphere whose outline is `radius` CSS pixels wide (at its centre's depth) is chosen. */
  sphereDone(radius: number, mode: SelectMode): void;
}

const CLICK = 3; // a drag shorter than this (pixels) is a click

export class SelectDrag {
  /** Plain drags select too (not only shift- and alt-drags). */
  always = false;
  private readonly onDown = (e: PointerEvent) => this.start(e);

  constructor(
    private readonly parent: HTMLElement,
    private readonly host: SelectHost,
  ) {
    window.addEventListener("pointerdown", this.onDown, true);
  }

  private start(e: PointerEvent): void {
    if (e.button !== 0 || !(e.target instanceof HTMLCanvasElement) || !this.parent.contains(e.target)) return;
    if (!(e.shiftKey || e.altKey || this.always)) return;
    const at = this.parent.getBoundingClientRect();
    const mode: SelectMode = e.altKey ? "remove" : e.shiftKey ? "add" : "replace";
    const x0 = e.clientX - at.left;
    const y0 = e.clientY - at.top;
    const sphere = this.host.shape() === "sphere";
    const centre = sphere ? this.host.sphereStart(x0, y0) : ([x0, y0] as [number, number]);
    if (centre === null) return; // nothing drawn: let deck.gl have the drag
    e.stopPropagation();
    e.preventDefault();
    const shape = document.createElement("div");
    shape.className = sphere ? "select-sphere" : "select-box";
    shape.setAttribute("aria-hidden", "true");
    this.parent.appendChild(shape);
    const radius = (x: number, y: number) => Math.hypot(x - centre[0], y - centre[1]);
    const draw = (x: number, y: number) => {
      if (sphere) {
        const r = radius(x, y);
        Object.assign(shape.style, {
          left: `${centre[0] - r}px`,
          top: `${centre[1] - r}px`,
          width: `${2 * r}px`,
          height: `${2 * r}px`,
        });
        shape.dataset.radius = r.toFixed(1);
      } else {
        Object.assign(shape.style, {
          left: `${Math.min(x0, x)}px`,
          top: `${Math.min(y0, y)}px`,
          width: `${Math.abs(x - x0)}px`,
          height: `${Math.abs(y - y0)}px`,
        });
      }
    };
    const move = (ev: PointerEvent) => {
      ev.stopPropagation();
      draw(ev.clientX - at.left, ev.clientY - at.top);
    };
    const up = (ev: PointerEvent) => {
      ev.stopPropagation();
      window.removeEventListener("pointermove", move, true);
      window.removeEventListener("pointerup", up, true);
      shape.remove();
      const x = ev.clientX - at.left;
      const y = ev.clientY - at.top;
      if (Math.abs(x - x0) < CLICK && Math.abs(y - y0) < CLICK) return; // a click, not a drag
      if (sphere) this.host.sphereDone(radius(x, y), mode);
      else this.host.boxDone([Math.min(x0, x), Math.min(y0, y), Math.max(x0, x), Math.max(y0, y)], mode);
    };
    window.addEventListener("pointermove", move, true);
    window.addEventListener("pointerup", up, true);
    draw(x0, y0);
  }

  destroy(): void {
    window.removeEventListener("pointerdown", this.onDown, true);
  }
}
