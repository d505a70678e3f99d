// The scatter view: deck.gl's ScatterplotLayer over binary attributes (no per-point JS objects), in an
// orthographic view for 2-D and an orbit view for 3-D. Coordinates are normalised to [-1, 1] so the camera
// needs no refit while a t-SNE run grows.
import { Deck, OrbitView, OrthographicView } from "@deck.gl/core";
import { IconLayer, ScatterplotLayer, TextLayer } from "@deck.gl/layers";
import { BoxDrag, type BoxMode } from "./boxdrag";
import { chooseLabels, labelWidth, LABEL_DX, LABEL_MAX_W, CHAR_W } from "./labels";

export interface ScatterCallbacks {
  hover(index: number | null, x: number, y: number): void;
  click(index: number | null): void;
  box?(indices: number[], mode: BoxMode): void;
}

/** A sprite sheet: its image URL, the size of one thumbnail and the grid's columns. */
export interface SpriteSheet {
  url: string;
  width: number;
  height: number;
  columns: number;
}

export interface Look {
  theme: "light" | "dark";
}

const INK = { light: [29, 35, 48, 255], dark: [230, 233, 239, 255] } as const;
const HALO = { light: [255, 255, 255, 230], dark: [23, 27, 35, 230] } as const;

/** Centre coordinates on 0 and scale the largest half-extent to 1; always returns x, y, z triples. */
export function normalise(data: Float32Array, n: number, dims: number): Float32Array {
  const out = new Float32Array(n * 3);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      const v = data[i * dims + d];
      if (v < lo[d]) lo[d] = v;
      if (v > hi[d]) hi[d] = v;
    }
  }
  let half = 0;
  const mid = [0, 0, 0];
  for (let d = 0; d < dims; d++) {
    mid[d] = (lo[d] + hi[d]) / 2;
    half = Math.max(half, (hi[d] - lo[d]) / 2);
  }
  const scale = half > 0 && Number.isFinite(half) ? 1 / half : 1;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) out[i * 3 + d] = (data[i * dims + d] - mid[d]) * scale;
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deck's view-state types depend on the view
type ViewState = any;

export class ScatterView {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly deck: Deck<any>;
  private positions: Float32Array = new Float32Array(0);
  private colors: Uint8Array = new Uint8Array(0);
  private n = 0;
  private dims: 2 | 3 = 2;
  private selection: number[] = [];
  private focus: number | null = null;
  private viewState: ViewState;
  private neighbors: number[] = [];
  private hovered: number | null = null;
  private labelText: (i: number) => string = (i) => `#${i}`;
  private labelVersion = 0;
  private labels: number[] = [];
  private labelTimer = 0;
  private sprite: SpriteSheet | null = null;
  private spriteMapping: Record<string, { x: number; y: number; width: number; height: number }> = {};
  private theme: "light" | "dark" = "light";
  private readonly boxDrag: BoxDrag;

  constructor(
    private readonly parent: HTMLDivElement,
    private readonly on: ScatterCallbacks,
  ) {
    this.viewState = this.homeView(2);
    this.deck = new Deck<any>({
      parent,
      views: this.makeView(2),
      viewState: this.viewState,
      controller: true,
      onViewStateChange: ({ viewState }) => {
        this.viewState = viewState;
        this.deck.setProps({ viewState: this.viewState });
        this.scheduleLabels();
      },
      onHover: (info) => {
        const index = info.picked ? info.index : null;
        if (index !== this.hovered) {
          this.hovered = index;
          this.scheduleLabels();
        }
        this.on.hover(index, info.x, info.y);
      },
      onClick: (info) => this.on.click(info.picked ? info.index : null),
      getCursor: ({ isDragging, isHovering }) => (isDragging ? "grabbing" : isHovering ? "pointer" : "grab"),
      layers: [],
    });
    this.boxDrag = new BoxDrag(parent, (rect, mode) => this.boxDone(rect, mode));
  }

  /** Plain drags draw a selection box instead of panning. */
  set boxMode(on: boolean) {
    this.boxDrag.always = on;
  }

  private boxDone(rect: [number, number, number, number], mode: BoxMode): void {
    this.on.box?.(this.pointsIn(...rect), mode);
  }

  /** The points drawn inside a screen rectangle (CSS pixels). */
  pointsIn(left: number, top: number, right: number, bottom: number): number[] {
    const viewport = this.deck.getViewports()[0];
    const out: number[] = [];
    if (!viewport) return out;
    const p = this.positions;
    if (this.dims === 2) {
      // orthographic: the box is a box in world space too, so no per-point projection is needed
      const [ax, ay] = viewport.unproject([left, top]);
      const [bx, by] = viewport.unproject([right, bottom]);
      const [x0, x1] = [Math.min(ax, bx), Math.max(ax, bx)];
      const [y0, y1] = [Math.min(ay, by), Math.max(ay, by)];
      for (let i = 0; i < this.n; i++) {
        const px = p[i * 3];
        const py = p[i * 3 + 1];
        if (px >= x0 && px <= x1 && py >= y0 && py <= y1) out.push(i);
      }
      return out;
    }
    for (let i = 0; i < this.n; i++) {
      if (!Number.isFinite(p[i * 3])) continue; // rows left out of an isolated projection
      const [sx, sy] = viewport.project([p[i * 3], p[i * 3 + 1], p[i * 3 + 2]]);
      if (sx >= left && sx <= right && sy >= top && sy <= bottom) out.push(i);
    }
    return out;
  }

  // --- labels, sprites and theme ---

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
    this.theme = look.theme;
    this.render();
  }

  setNeighbors(neighbors: number[]): void {
    this.neighbors = neighbors;
    this.scheduleLabels();
  }

  /** The indices whose labels are drawn now (for tests and the console). */
  get labelled(): number[] {
    return this.labels;
  }

  private scheduleLabels(): void {
    if (this.labelTimer) return;
    this.labelTimer = requestAnimationFrame(() => {
      this.labelTimer = 0;
      this.updateLabels();
    });
  }

  private updateLabels(): void {
    const viewport = this.deck.getViewports()[0];
    if (!viewport || this.n === 0) {
      this.labels = [];
      this.render();
      return;
    }
    const p = this.positions;
    const always = [this.hovered, this.focus].filter((i): i is number => i !== null);
    this.labels = chooseLabels({
      n: this.n,
      width: viewport.width,
      height: viewport.height,
      project: (i) => {
        if (!Number.isFinite(p[i * 3])) return null; // rows left out of an isolated projection
        const [x, y] = viewport.project([p[i * 3], p[i * 3 + 1], p[i * 3 + 2]]);
        return [x, y];
      },
      textWidth: (i) => labelWidth(this.labelText(i)),
      always,
      priority: [...this.neighbors, ...this.selection],
      background: this.selection.length === 0 && this.sprite === null, // keep selections and thumbnails legible
    });
    this.render();
  }
  get canvas(): HTMLCanvasElement | null {
    return this.deck.getCanvas();
  }

  private makeView(dims: 2 | 3) {
    return dims === 2
      ? new OrthographicView({ id: "2d", controller: true })
      : new OrbitView({ id: "3d", orbitAxis: "Y", controller: true });
  }

  private homeView(dims: 2 | 3): ViewState {
    const size = Math.max(100, Math.min(this.parent.clientWidth || 800, this.parent.clientHeight || 600));
    const zoom = Math.log2(size * 0.44);
    return dims === 2
      ? { target: [0, 0, 0], zoom, minZoom: zoom - 4, maxZoom: zoom + 12 }
      : { target: [0, 0, 0], zoom: zoom - 0.25, rotationX: 20, rotationOrbit: 30, minZoom: zoom - 4, maxZoom: zoom + 10 };
  }

  /** Where point i is drawn, in CSS pixels from the canvas's top left (null when not drawn). */
  screenPosition(i: number): [number, number] | null {
    const viewport = this.deck.getViewports()[0];
    if (!viewport || i < 0 || i >= this.n || !Number.isFinite(this.positions[i * 3])) return null;
    const [x, y] = viewport.project([this.positions[i * 3], this.positions[i * 3 + 1], this.positions[i * 3 + 2]]);
    return [x, y];
  }

  resetView(): void {
    this.viewState = this.homeView(this.dims);
    this.deck.setProps({ viewState: this.viewState });
  }

  setPoints(data: Float32Array, n: number, dims: number): void {
    const newDims: 2 | 3 = dims >= 3 ? 3 : 2;
    this.positions = normalise(data, n, Math.min(dims, 3));
    if (n !== this.n) this.spriteMapping = {};
    this.n = n;
    this.scheduleLabels();
    if (newDims !== this.dims) {
      this.dims = newDims;
      this.viewState = this.homeView(newDims);
      this.deck.setProps({ views: this.makeView(newDims), viewState: this.viewState });
    }
    this.render();
  }

  setColors(colors: Uint8Array): void {
    this.colors = colors;
    this.render();
  }

  setSelection(selection: number[], focus: number | null): void {
    this.selection = selection;
    this.focus = focus;
    this.render();
    this.scheduleLabels();
  }

  private render(): void {
    const n = this.n;
    if (n === 0 || this.colors.length !== n * 4) {
      this.deck.setProps({ layers: [] });
      return;
    }
    const positions = this.positions;
    const radius = n > 200_000 ? 1.5 : n > 20_000 ? 2.2 : 3.2;
    let fill = this.colors;
    if (this.selection.length > 0) {
      fill = new Uint8Array(this.colors); // dim what is not selected
      for (let i = 0; i < n; i++) fill[i * 4 + 3] = 45;
    }
    const at = (i: number): [number, number, number] => [positions[i * 3], positions[i * 3 + 1], positions[i * 3 + 2]];
    const colorOf = (i: number): [number, number, number, number] => [
      this.colors[i * 4],
      this.colors[i * 4 + 1],
      this.colors[i * 4 + 2],
      255,
    ];
    const layers = [
      new ScatterplotLayer({
        id: "points",
        data: { length: n, attributes: { getPosition: { value: positions, size: 3 }, getFillColor: { value: fill, size: 4, normalized: true } } },
        radiusUnits: "pixels",
        getRadius: radius,
        billboard: true, // discs face the camera in 3-D
        pickable: true,
        autoHighlight: true,
        highlightColor: [...INK[this.theme]] as [number, number, number, number],
        parameters: { depthTest: this.dims === 3 ? true : false } as never,
      }),
      new ScatterplotLayer<number>({
        id: "selection",
        data: this.selection,
        getPosition: at,
        getFillColor: colorOf,
        getLineColor: [...INK[this.theme]] as [number, number, number, number],
        radiusUnits: "pixels",
        lineWidthUnits: "pixels",
        getRadius: radius + 1.8,
        getLineWidth: 1,
        stroked: true,
        billboard: true,
        updateTriggers: { getPosition: [positions], getFillColor: [this.colors], getLineColor: [this.theme] },
        parameters: { depthTest: false } as never,
      }),
      new ScatterplotLayer<number>({
        id: "focus",
        data: this.focus === null ? [] : [this.focus],
        getPosition: at,
        getFillColor: [255, 255, 255, 0],
        getLineColor: [220, 38, 38, 255],
        radiusUnits: "pixels",
        lineWidthUnits: "pixels",
        getRadius: radius + 7,
        getLineWidth: 2.5,
        stroked: true,
        filled: false,
        billboard: true,
        updateTriggers: { getPosition: [positions] },
        parameters: { depthTest: false } as never,
      }),
    ];
    const sprites = this.spriteLayer(positions, radius);
    if (sprites) layers.splice(1, 0, sprites as never);
    layers.push(this.labelLayer(at) as never);
    this.deck.setProps({ layers });
  }

  private spriteLayer(positions: Float32Array, radius: number) {
    const sprite = this.sprite;
    if (!sprite) return null;
    if (Object.keys(this.spriteMapping).length !== this.n) {
      const mapping: typeof this.spriteMapping = {};
      for (let i = 0; i < this.n; i++) {
        const col = i % sprite.columns;
        const row = Math.floor(i / sprite.columns);
        mapping[i] = { x: col * sprite.width, y: row * sprite.height, width: sprite.width, height: sprite.height };
      }
      this.spriteMapping = mapping;
    }
    const size = Math.max(16, Math.min(40, radius * 7));
    const dimmed = this.selection.length > 0 ? new Set(this.selection) : null;
    return new IconLayer({
      id: "sprites",
      data: { length: this.n, attributes: { getPosition: { value: positions, size: 3 } } },
      iconAtlas: sprite.url,
      iconMapping: this.spriteMapping,
      getIcon: (_: unknown, { index }: { index: number }) => String(index),
      getSize: size,
      sizeUnits: "pixels",
      billboard: true,
      pickable: true,
      textureParameters: { minFilter: "nearest", magFilter: "nearest" },
      getColor: (_: unknown, { index }: { index: number }) => [0, 0, 0, dimmed && !dimmed.has(index) ? 60 : 255],
      updateTriggers: { getColor: [this.selection] },
      parameters: { depthTest: this.dims === 3 } as never,
    } as never);
  }

  private labelLayer(at: (i: number) => [number, number, number]) {
    const text = this.labelText;
    const maxChars = Math.floor((LABEL_MAX_W - 4) / CHAR_W);
    const clip = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s);
    return new TextLayer<number>({
      id: "labels",
      data: this.labels,
      getPosition: at,
      getText: (i) => clip(text(i)),
      getSize: 11,
      sizeUnits: "pixels",
      getColor: (i) => (i === this.focus ? [220, 38, 38, 255] : [...INK[this.theme]]) as [number, number, number, number],
      getTextAnchor: "start",
      getAlignmentBaseline: "center",
      getPixelOffset: [LABEL_DX, 0],
      fontFamily: "Inter, 'Segoe UI', system-ui, sans-serif",
      fontWeight: 500,
      characterSet: "auto",
      outlineWidth: 3,
      outlineColor: [...HALO[this.theme]] as [number, number, number, number],
      fontSettings: { sdf: true },
      billboard: true,
      updateTriggers: { getPosition: [this.positions], getText: [this.labelVersion], getColor: [this.focus, this.theme] },
      parameters: { depthTest: false } as never,
    });
  }

  /** The view as a PNG data URL: the theme's background, the points and labels, and the axis labels if any. */
  toPNG(background: string, axes: { x: string; y: string } | null, ink: string): string {
    this.deck.redraw("png");
    const canvas = this.canvas;
    if (!canvas) return "";
    const out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    const ctx = out.getContext("2d") as CanvasRenderingContext2D;
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    if (axes) {
      const scale = canvas.width / (canvas.clientWidth || canvas.width);
      ctx.fillStyle = ink;
      ctx.font = `${Math.round(13 * scale)}px Inter, system-ui, sans-serif`;
      ctx.textAlign = "center";
      ctx.fillText(axes.x, out.width / 2, out.height - 14 * scale);
      ctx.save();
      ctx.translate(20 * scale, out.height / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(axes.y, 0, 0);
      ctx.restore();
    }
    return out.toDataURL("image/png");
  }

  destroy(): void {
    this.boxDrag.destroy();
    if (this.labelTimer) cancelAnimationFrame(this.labelTimer);
    this.deck.finalize();
  }
}
