// The scatter view: deck.gl layers (layers.ts) in an orthographic view for 2-D (y drawn upward) and an orbit view for
// 3-D. Coordinates are normalised to [-1, 1] so the camera needs no refit while a t-SNE run grows. Dragging with
// shift / alt (or in select mode) selects a box in 2-D and a sphere in 3-D (selectdrag.ts, selection.ts).
import { Deck, OrbitView, OrthographicView } from "@deck.gl/core";
import { type Camera, type ViewState, cameraOf, homeView, panned, viewOf, zoomed } from "./camera";
import { buildLayers, canvasToPNG, dimmed, movingStride, pointRadius, spriteSize } from "./layers";
import type { FigurePoint } from "./figure";
import { type SpriteMapping, type SpriteSheet, spriteMappingOf } from "./spriteLayers";
import { Glide } from "./glide";
import { DENSITY_ZOOM, type DensityGrid, densityGrid, densityImages, pointAlpha } from "./density";
import { LABEL_DX, type Placement, labelWidth, placeLabels } from "./labels";
import { LabelSchedule } from "./labelSchedule";
import { PickGrid, pickProjected } from "./pick";
import { normalise } from "./normalise";
import { PointerPick } from "./pointer";
import { SelectDrag, type SelectMode } from "./selectdrag";
import { pointsInDrawnBox, type Vec3 } from "./selection";
import { type Sphere, SphereSelect } from "./sphereSelect";

export type { SpriteSheet } from "./spriteLayers";

interface ScatterCallbacks {
  hover(index: number | null, x: number, y: number): void;
  click(index: number | null): void;
  box?(indices: number[], mode: SelectMode): void;
  camera?(camera: Camera): void;
}

type DensityImages = { shade: HTMLCanvasElement; lines: HTMLCanvasElement };
const DENSITY_TINT = { light: [71, 85, 105], dark: [148, 163, 184] } as Record<"light" | "dark", [number, number, number]>;
const DENSITY_LINE = { light: "rgba(51, 65, 85, 0.55)", dark: "rgba(203, 213, 225, 0.5)" };

// mouse, wheel and touch from deck.gl; the keys from the page's shortcuts (state/keyboard.ts), so they act once
const CONTROLLER = { keyboard: false } as const;

interface Look {
  theme: "light" | "dark";
}

export class ScatterView {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly deck: Deck<any>;
  private positions: Float32Array = new Float32Array(0);
  private colors: Uint8Array = new Uint8Array(0);
  private framed = false;
  private n = 0;
  private drawnCount = 0; // rows with coordinates (an isolated projection leaves the others out)
  private dims: 2 | 3 = 2;
  private selection: number[] = [];
  private focus: number | null = null;
  private viewState: ViewState;
  private pendingCamera: Camera | null = null;
  private neighbors: number[] = [];
  private hovered: number | null = null;
  private labelText: (i: number) => string = (i) => `#${i}`;
  private labelVersion = 0;
  private labels: Placement[] = [];
  private mustLabel = 0; // the selection's and neighbours' labels drawn whatever the room (the neighbour count + 1)
  private backgroundLabels = true; // other points' labels where they fit (off under the cluster labels)
  private labelled1: Uint8Array | null = null; // of those, only these (the points matching the filters); null: any
  private densityOn = false; // the density layer is wanted (drawn in 2-D unless zoomed in: densityShown)
  private density: { grid: DensityGrid; alpha: Float32Array; images: DensityImages | null } | null = null;
  private faded: { colors: Uint8Array; out: Uint8Array } | null = null; // the colours with the density's alpha
  private densityDrawn = false;
  private sequences: Int32Array = new Int32Array(0); // sequences.ts: [from, to] pairs joined by a line
  private readonly labelSchedule = new LabelSchedule(() => this.updateLabels());
  private grid: PickGrid | null = null; // over the current 2-D coordinates, built on first use (or when idle)
  private gridTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pointer: PointerPick;
  private sprite: SpriteSheet | null = null;
  private spriteMapping: SpriteMapping = {};
  private theme: "light" | "dark" = "light";
  private readonly drag: SelectDrag;
  private readonly sphere = new SphereSelect();
  private readonly glide = new Glide(() => this.scheduleLabels()); // to another step's layout

  constructor(
    private readonly parent: HTMLDivElement,
    private readonly on: ScatterCallbacks,
  ) {
    this.viewState = this.homeView(2);
    this.deck = new Deck<any>({
      parent,
      views: this.makeView(2),
      viewState: this.viewState,
      controller: CONTROLLER,
      onLoad: () => this.canvas?.setAttribute("tabindex", "-1"), // the host element takes focus (and the keys)
      onViewStateChange: ({ viewState }) => this.showView(viewState),
      _pickable: false, // no GPU picking: hover and click pick on the CPU (pick.ts, pointer.ts)
      getCursor: ({ isDragging }) => (isDragging ? "grabbing" : this.hovered !== null ? "pointer" : "grab"),
      layers: [],
    });
    this.pointer = new PointerPick(parent, {
      pick: (x, y) => this.pickAt(x, y),
      hover: (index, x, y) => this.hoverAt(index, x, y),
      click: (index) => this.on.click(index),
    });
    this.drag = new SelectDrag(parent, {
      shape: () => (this.dims === 3 ? "sphere" : "box"),
      boxDone: (rect, mode) => this.on.box?.(this.pointsIn(...rect), mode),
      sphereStart: (x, y) => this.sphereStart(x, y),
      sphereDone: (radius, mode) => this.sphereDone(radius, mode),
    });
  }

  /** Plain drags select (a box in 2-D, a sphere in 3-D) instead of panning or rotating. */
  set boxMode(on: boolean) {
    this.drag.always = on;
  }

  /** On the CPU: the point drawn under (x, y), CSS pixels from the canvas's top left, or null. */
  pickAt(x: number, y: number): number | null {
    const viewport = this.deck.getViewports()[0];
    if (!viewport || this.n === 0) return null;
    const drawn = this.sprite ? spriteSize(this.n) / 2 : pointRadius(this.n);
    const radius = drawn + 3; // a little slack around the disc
    if (this.dims === 2) {
      this.grid ??= new PickGrid(this.positions, this.n);
      const [wx, wy] = viewport.unproject([x, y]);
      const [ex] = viewport.unproject([x + radius, y]);
      return this.grid.nearest(wx, wy, Math.abs(ex - wx));
    }
    return pickProjected(this.positions, this.n, viewport.pixelProjectionMatrix, x, y, { drawn, radius });
  }

  private hoverAt(index: number | null, x: number, y: number): void {
    if (index !== this.hovered) {
      this.hovered = index;
      const canvas = this.canvas;
      if (canvas) canvas.style.cursor = index !== null ? "pointer" : "grab";
      // one redraw: the hovered point's ring and its label together (labels wait while the view moves)
      if (this.labelSchedule.waiting) this.render();
      else this.updateLabels();
    }
    this.on.hover(index, x, y);
  }

  // --- selection by dragging ---

  /** The points drawn inside a screen rectangle (CSS pixels). */
  pointsIn(left: number, top: number, right: number, bottom: number): number[] {
    const viewport = this.deck.getViewports()[0];
    return viewport ? pointsInDrawnBox(viewport, this.positions, this.n, this.dims, [left, top, right, bottom]) : [];
  }

  /** A sphere's drag starts at (x, y): on the point drawn there, else at the camera target's depth. */
  private sphereStart(x: number, y: number): [number, number] | null {
    const viewport = this.deck.getViewports()[0];
    if (!viewport || this.n === 0) return null;
    return this.sphere.start(viewport, this.positions, this.pickAt(x, y), this.viewState.target ?? [0, 0, 0], x, y);
  }

  private sphereDone(pixels: number, mode: SelectMode): void {
    const viewport = this.deck.getViewports()[0];
    const inside = viewport ? this.sphere.done(viewport, this.positions, this.n, pixels) : null;
    if (inside) this.on.box?.(inside, mode);
  }

  /** The last sphere selected (3-D). */
  get lastSphere(): Sphere | null {
    return this.sphere.last;
  }

  // --- the camera ---

  private showView(viewState: ViewState): void {
    this.viewState = viewState;
    this.deck.setProps({ viewState });
    const still = !this.labelSchedule.waiting;
    this.labelSchedule.moved(); // labels ride along; chosen again once the view is still (and every point drawn)
    if (still && movingStride(this.n) > 1) this.render(); // a software renderer draws a sample while it moves
    else if (this.wantsDensity() !== this.densityDrawn) this.render(); // zoomed past the density's threshold
    this.pointer.refresh(); // the hovered point may have moved away from the pointer
    this.on.camera?.(this.camera());
  }

  /** The camera now, as plain numbers. */
  camera(): Camera {
    return cameraOf(this.viewState, this.dims);
  }

  /** Move the camera there; a camera of the other kind waits until the points of its kind are drawn. */
  setCamera(camera: Camera): void {
    if (camera.dims !== this.dims || this.n === 0) {
      this.pendingCamera = camera;
      return;
    }
    this.pendingCamera = null;
    this.showView(viewOf(camera, this.homeView(this.dims)));
  }

  resetView(): void {
    this.pendingCamera = null;
    this.showView(this.homeView(this.dims));
  }

  /** Pan by (dx, dy) CSS pixels, as the arrow keys do. */
  pan(dx: number, dy: number): void {
    const viewport = this.deck.getViewports()[0];
    if (!viewport) return;
    const centre: [number, number] = [viewport.width / 2, viewport.height / 2];
    if (this.dims === 3) {
      const depth = viewport.project(this.viewState.target ?? [0, 0, 0])[2];
      const unproject = (xy: [number, number]) => viewport.unproject([xy[0], xy[1], depth]);
      this.showView(panned(this.viewState, dx, dy, unproject, centre));
    } else {
      this.showView(panned(this.viewState, dx, dy, (xy) => viewport.unproject(xy), centre));
    }
  }

  /** Zoom in (steps > 0) or out. */
  zoomBy(steps: number): void {
    this.showView(zoomed(this.viewState, steps));
  }

  private makeView(dims: 2 | 3) {
    return dims === 2
      ? new OrthographicView({ id: "2d", controller: CONTROLLER, flipY: false }) // positive y (Up) drawn upward
      : new OrbitView({ id: "3d", orbitAxis: "Y", controller: CONTROLLER });
  }

  private homeView(dims: 2 | 3): ViewState {
    return homeView(dims, this.parent.clientWidth, this.parent.clientHeight);
  }

  // --- data, labels, sprites and theme ---

  /** Draw these coordinates (n rows of dims numbers). `morph`: the points glide from where they are (the same rows
   * in the same kind of view: another training step) instead of jumping. */
  setPoints(data: Float32Array, n: number, dims: number, morph = false): void {
    const newDims: 2 | 3 = dims >= 3 ? 3 : 2;
    this.glide.start(morph && n === this.n && newDims === this.dims);
    this.positions = normalise(data, n, Math.min(dims, 3));
    this.density = null;
    this.faded = null;
    this.drawnCount = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(this.positions[i * 3])) this.drawnCount += 1;
    this.grid = null;
    clearTimeout(this.gridTimer);
    if (newDims === 2) this.gridTimer = setTimeout(() => this.pickGrid(), 300); // when the points stop changing
    if (n !== this.n) this.spriteMapping = {};
    this.n = n;
    this.scheduleLabels();
    this.pointer.refresh();
    if (newDims !== this.dims) {
      this.dims = newDims;
      const pending = this.pendingCamera?.dims === newDims ? this.pendingCamera : null;
      this.pendingCamera = null;
      this.viewState = pending ? viewOf(pending, this.homeView(newDims)) : this.homeView(newDims);
      this.deck.setProps({ views: this.makeView(newDims), viewState: this.viewState });
      this.on.camera?.(this.camera());
    } else if (this.pendingCamera?.dims === newDims) {
      this.setCamera(this.pendingCamera);
    }
    this.render();
  }

  /** The points' colours; `framed`: they come from a column (thumbnails get a frame of their colour). */
  setColors(colors: Uint8Array, framed = false): void {
    this.colors = colors;
    this.framed = framed;
    this.render();
  }

  setSelection(selection: number[], focus: number | null): void {
    this.selection = selection;
    this.focus = focus;
    this.render();
    this.scheduleLabels();
  }

  setLabelText(text: (i: number) => string): void {
    this.labelText = text;
    this.labelVersion += 1;
    this.scheduleLabels();
  }

  setSprite(sprite: SpriteSheet | null): void {
    if (sprite?.url === this.sprite?.url && sprite?.columns === this.sprite?.columns) return;
    this.sprite = sprite;
    this.spriteMapping = {};
    this.render();
    this.scheduleLabels();
  }

  setLook(look: Look): void {
    if (look.theme !== this.theme && this.density) this.density.images = null; // drawn again in the theme's colours
    this.theme = look.theme;
    this.render();
  }

  /** Draw the density layer under the points (2-D; it gives way to the points when zoomed in). */
  setDensity(on: boolean): void {
    if (on === this.densityOn) return;
    this.densityOn = on;
    this.render();
  }

  /** Whether the density layer is drawn now (for tests and the console). */
  get densityShown(): boolean {
    return this.densityDrawn;
  }

  private wantsDensity(): boolean {
    if (!this.densityOn || this.dims !== 2 || this.n === 0 || this.glide.active) return false;
    return (this.viewState.zoom ?? 0) - this.homeView(2).zoom <= DENSITY_ZOOM;
  }

  /** The density layer's image and the colours faded by it (computed on first use after the points change). */
  private densityLayer(): { images: DensityImages; colors: Uint8Array } {
    if (this.density === null) {
      const grid = densityGrid(this.positions, this.n);
      this.density = { grid, alpha: pointAlpha(grid, this.positions, this.n), images: null };
    }
    const d = this.density;
    d.images ??= densityImages(d.grid, DENSITY_TINT[this.theme], DENSITY_LINE[this.theme]);
    if (this.faded?.colors !== this.colors || this.faded.out.length !== this.colors.length) {
      const out = new Uint8Array(this.colors);
      for (let i = 0; i < this.n; i++) out[i * 4 + 3] = Math.round(out[i * 4 + 3] * d.alpha[i]);
      this.faded = { colors: this.colors, out };
    }
    return { images: d.images, colors: this.faded.out };
  }

  /** Join these [from, to] pairs of rows by lines (sequences.ts). */
  setSequences(links: Int32Array): void {
    this.sequences = links;
    this.render();
  }

  setNeighbors(neighbors: number[]): void {
    this.neighbors = neighbors;
    this.scheduleLabels();
  }

  /** How many of the neighbours and selected points are labelled whatever the room (moved apart, never hidden). */
  setMustLabel(count: number): void {
    if (count === this.mustLabel) return;
    this.mustLabel = count;
    this.scheduleLabels();
  }

  /** Whether points other than the hovered, clicked, selected and neighbours are labelled where they fit, and which
   * of them may be (1 in `only`: the points matching the filters; null: any). */
  setBackgroundLabels(on: boolean, only: Uint8Array | null = null): void {
    if (on === this.backgroundLabels && only === this.labelled1) return;
    this.backgroundLabels = on;
    this.labelled1 = only;
    this.scheduleLabels();
  }

  /** How many points are drawn: every row, or the isolated ones (for tests and the console). */
  get drawn(): number {
    return this.drawnCount;
  }

  /** The indices whose labels are drawn now (for tests and the console). */
  get labelled(): number[] {
    return this.labels.map((p) => p.i);
  }

  /** Where the labels drawn now are: each one's point and box (CSS pixels in the plot). */
  get labelBoxes(): Placement[] {
    return this.labels;
  }

  get canvas(): HTMLCanvasElement | null {
    return this.deck.getCanvas();
  }

  /** Where point i is drawn, in CSS pixels from the canvas's top left (null when not drawn). */
  screenPosition(i: number): [number, number] | null {
    const viewport = this.deck.getViewports()[0];
    if (!viewport || i < 0 || i >= this.n || !Number.isFinite(this.positions[i * 3])) return null;
    const [x, y] = viewport.project([this.positions[i * 3], this.positions[i * 3 + 1], this.positions[i * 3 + 2]]);
    return [x, y];
  }

  /** Where point i is in the view's normalised world coordinates (null when not drawn). */
  worldPosition(i: number): Vec3 | null {
    if (i < 0 || i >= this.n || !Number.isFinite(this.positions[i * 3])) return null;
    return [this.positions[i * 3], this.positions[i * 3 + 1], this.positions[i * 3 + 2]];
  }

  private pickGrid(): void {
    if (this.dims === 2 && this.n > 0) this.grid ??= new PickGrid(this.positions, this.n);
  }

  private scheduleLabels(): void {
    this.labelSchedule.soon();
  }

  private updateLabels(): void {
    const viewport = this.deck.getViewports()[0];
    if (!viewport || this.n === 0 || this.glide.active) {
      // while the points glide, labels would sit at their destinations: back once the points are there
      this.labels = [];
      this.render();
      return;
    }
    const p = this.positions;
    this.labels = placeLabels({
      n: this.n,
      width: viewport.width,
      height: viewport.height,
      project: (i) => {
        if (!Number.isFinite(p[i * 3])) return null; // rows left out of an isolated projection
        const [x, y] = viewport.project([p[i * 3], p[i * 3 + 1], p[i * 3 + 2]]);
        return [x, y];
      },
      textWidth: (i) => labelWidth(this.labelText(i)),
      always: [this.hovered, this.focus].filter((i): i is number => i !== null),
      priority: [...this.neighbors, ...this.selection],
      must: this.mustLabel,
      gap: this.sprite ? spriteSize(this.n) / 2 + 5 : LABEL_DX, // beside the thumbnail, not on it
      // keep selections, thumbnails and cluster labels legible
      background: this.selection.length === 0 && this.sprite === null && this.backgroundLabels,
      eligible: this.labelled1,
    });
    this.render();
  }

  private render(): void {
    if (this.n === 0 || this.colors.length !== this.n * 4) {
      this.deck.setProps({ layers: [] });
      return;
    }
    if (this.sprite && Object.keys(this.spriteMapping).length !== this.n) {
      this.spriteMapping = spriteMappingOf(this.sprite, this.n);
    }
    const density = this.wantsDensity() ? this.densityLayer() : null;
    this.densityDrawn = density !== null;
    const layers = buildLayers({
      n: this.n,
      dims: this.dims,
      positions: this.positions,
      colors: density?.colors ?? this.colors,
      density: density?.images ?? null,
      sequences: this.sequences,
      selection: this.selection,
      focus: this.focus,
      hovered: this.hovered,
      labels: this.labels,
      labelText: this.labelText,
      labelVersion: this.labelVersion,
      sprite: this.sprite,
      spriteMapping: this.spriteMapping,
      framed: this.framed,
      theme: this.theme,
      transitions: this.glide.transitions,
      gliding: this.glide.active,
      moving: this.labelSchedule.waiting,
    });
    this.deck.setProps({ layers: layers as never });
  }

  /** Every point drawn in view now, where (CSS pixels of the plot) and in what colour it is drawn (faded by the
   * density layer, greyed by the filters, dimmed outside the selection), in drawing order: the faded first, the
   * selection last (3-D: the farthest first); and the points' radius. For figures (figure.ts). */
  shownPoints(): { points: FigurePoint[]; radius: number } {
    const viewport = this.deck.getViewports()[0];
    if (!viewport || this.n === 0) return { points: [], radius: pointRadius(this.n) };
    const base = this.wantsDensity() ? this.densityLayer().colors : this.colors;
    const selected = new Set(this.selection);
    const faded = this.selection.length ? dimmed(base, this.theme) : base;
    const p = this.positions;
    const out: (FigurePoint & { depth: number; top: number })[] = [];
    for (let i = 0; i < this.n; i++) {
      if (!Number.isFinite(p[i * 3])) continue;
      const [x, y, depth] = viewport.project([p[i * 3], p[i * 3 + 1], p[i * 3 + 2]]);
      if (x < -5 || y < -5 || x > viewport.width + 5 || y > viewport.height + 5) continue;
      const c = selected.has(i) ? base : faded;
      const o = i * 4;
      out.push({ x, y, color: [c[o], c[o + 1], c[o + 2], c[o + 3]], depth: depth ?? 0, top: selected.has(i) ? 1 : 0 });
    }
    out.sort((a, b) => a.top - b.top || (this.dims === 3 ? b.depth - a.depth : a.color[3] - b.color[3]));
    return { points: out.map(({ x, y, color }) => ({ x, y, color })), radius: pointRadius(this.n) };
  }

  /** The view as a PNG data URL: the theme's background, the points and labels, and the axis labels if any. */
  toPNG(background: string, axes: { x: string; y: string } | null, ink: string): string {
    this.deck.redraw("png");
    const canvas = this.canvas;
    return canvas ? canvasToPNG(canvas, background, axes, ink) : "";
  }

  destroy(): void {
    this.drag.destroy();
    this.pointer.destroy();
    clearTimeout(this.gridTimer);
    this.labelSchedule.destroy();
    this.glide.destroy();
    this.deck.finalize();
  }
}
