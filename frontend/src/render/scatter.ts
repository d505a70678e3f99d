// The scatter view: deck.gl's ScatterplotLayer over binary attributes (no per-point JS objects), in an
// orthographic view for 2-D and an orbit view for 3-D. Coordinates are normalised to [-1, 1] so the camera
// needs no refit while a t-SNE run grows.
import { Deck, OrbitView, OrthographicView } from "@deck.gl/core";
import { ScatterplotLayer } from "@deck.gl/layers";

export interface ScatterCallbacks {
  hover(index: number | null, x: number, y: number): void;
  click(index: number | null): void;
}

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
      },
      onHover: (info) => this.on.hover(info.picked ? info.index : null, info.x, info.y),
      onClick: (info) => this.on.click(info.picked ? info.index : null),
      getCursor: ({ isDragging, isHovering }) => (isDragging ? "grabbing" : isHovering ? "pointer" : "grab"),
      layers: [],
    });
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
    if (!viewport || i < 0 || i >= this.n) return null;
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
    this.n = n;
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
        highlightColor: [20, 20, 20, 255],
        parameters: { depthTest: this.dims === 3 ? true : false } as never,
      }),
      new ScatterplotLayer<number>({
        id: "selection",
        data: this.selection,
        getPosition: at,
        getFillColor: colorOf,
        getLineColor: [30, 30, 30, 255],
        radiusUnits: "pixels",
        lineWidthUnits: "pixels",
        getRadius: radius + 1.8,
        getLineWidth: 1,
        stroked: true,
        billboard: true,
        updateTriggers: { getPosition: [positions], getFillColor: [this.colors] },
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
    this.deck.setProps({ layers });
  }

  destroy(): void {
    this.deck.finalize();
  }
}
