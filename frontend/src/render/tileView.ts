// The view of a map too large to send whole: deck.gl in an orthographic view (y upward) over the map's own
// coordinates, drawing the tiles of the view down to its zoom's level (tiles.ts), one point layer a tile, and under
// the points the density of what the loaded tiles leave out. Tiles load as the view moves (a few at a time, coarse
// first) and stay cached; hover and click pick among the points drawn (on the CPU), a drag with shift / alt (or in
// select mode) gives a rectangle of the map, answered by the server over every point.
import { Deck, OrthographicView } from "@deck.gl/core";
import { BitmapLayer } from "@deck.gl/layers";
import type { TilePyramid } from "../api/types";
import type { Camera, ViewState } from "./camera";
import { movingStride } from "./layers";
import { PointerPick } from "./pointer";
import { PointSpritesLayer } from "./pointsLayer";
import { SelectDrag, type SelectMode } from "./selectdrag";
import {
  type LoadedTile,
  densityPixels,
  drawnPoints,
  levelFor,
  levelInView,
  nearestPoint,
  tileSquare,
  tilesInView,
} from "./tiles";

export interface TileViewInfo {
  level: number; // the level drawn down to
  drawn: number; // points drawn
  wanted: number; // tiles the view needs
  loading: number; // of those, not loaded yet
}

interface TileCallbacks {
  /** The tile `key`'s points, loaded. */
  load(key: string): Promise<LoadedTile>;
  hover(row: number | null, x: number, y: number, label: string | null): void;
  click(row: number | null): void;
  box(rect: [number, number, number, number], mode: SelectMode): void; // map coordinates x0, y0, x1, y1
  info(info: TileViewInfo): void;
  camera?(camera: Camera): void;
}

type RGBA = [number, number, number, number];
const INK: Record<"light" | "dark", RGBA> = { light: [37, 99, 235, 150], dark: [147, 197, 253, 150] };
const TINT: Record<"light" | "dark", [number, number, number]> = { light: [37, 99, 235], dark: [147, 197, 253] }; // the ink's
const DENSITY_OPACITY = 0.45; // the cloud of points not drawn yet, fainter than those drawn
const SELECTED: RGBA = [234, 88, 12, 255];
const NEIGHBOR: RGBA = [217, 119, 6, 255];
const FOCUS: RGBA = [220, 38, 38, 255];
const AT_ONCE = 6; // tiles loading at a time
const KEEP = 400; // tiles kept loaded (those of the view always)
const BUDGET = 150_000; // points a view loads at most (beyond the top tile): a software renderer draws ~1 M/s
const RADIUS = 2; // CSS pixels a point
const FLAT = { depthTest: false } as never; // a flat map: drawn in order (points over the density), as layers.ts does
const STILL_MS = 150; // the camera is still this long after its last move: every loaded point drawn again
const PICK = RADIUS + 4;

interface Drawn {
  tile: LoadedTile;
  colors: Uint8Array;
  version: number; // the highlight it was coloured with
  density: HTMLCanvasElement | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any; // the layer's binary data, made anew when the colours change (deck.gl then uploads them)
}

export class TileView {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly deck: Deck<any>;
  private pyramid: TilePyramid | null = null;
  private generation = 0; // bumped by setPyramid: loads of an earlier map are dropped
  private viewState: ViewState = { target: [0, 0, 0], zoom: 0 };
  private readonly loaded = new Map<string, Drawn>();
  private readonly loading = new Set<string>();
  private wanted: string[] = [];
  private level = 0;
  private selected = new Set<number>();
  private neighbors = new Set<number>();
  private focus: number | null = null;
  private paint: ((tile: LoadedTile) => Uint8Array | null) | null = null; // the points' own colours (setPaint)
  private densityShown = true;
  private highlight = 0; // version of the three above
  private theme: "light" | "dark" = "light";
  private hovered: number | null = null;
  private picked: { row: number; label: string | null } | null = null; // the last pick: its label for the hover
  private readonly tileOf = (key: string): LoadedTile | undefined => this.loaded.get(key)?.tile;
  private moving = false; // the camera moves: a software renderer draws a sample (layers.ts movingStride)
  private stillTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pointer: PointerPick;
  private readonly drag: SelectDrag;

  constructor(
    private readonly parent: HTMLDivElement,
    private readonly on: TileCallbacks,
  ) {
    this.deck = new Deck<any>({
      parent,
      views: new OrthographicView({ id: "map", flipY: false }),
      viewState: this.viewState,
      controller: { keyboard: false },
      onViewStateChange: ({ viewState }: { viewState: ViewState }) => {
        this.show({ target: viewState.target, zoom: viewState.zoom });
        return this.viewState;
      },
      onResize: () => this.update(),
      getCursor: ({ isDragging }) => (isDragging ? "grabbing" : this.hovered !== null ? "pointer" : "grab"),
      _pickable: false,
      layers: [],
    });
    this.pointer = new PointerPick(parent, {
      pick: (x, y) => {
        this.picked = this.pickAt(x, y);
        return this.picked?.row ?? null;
      },
      hover: (row, x, y) => {
        this.hovered = row;
        this.on.hover(row, x, y, row !== null && this.picked?.row === row ? this.picked.label : null);
      },
      click: (row) => this.on.click(row),
    });
    this.drag = new SelectDrag(parent, {
      shape: () => "box",
      boxDone: (rect, mode) => {
        const viewport = this.deck.getViewports()[0];
        if (!viewport) return;
        const [x0, y0] = viewport.unproject([rect[0], rect[3]]);
        const [x1, y1] = viewport.unproject([rect[2], rect[1]]);
        this.on.box([x0, y0, x1, y1], mode);
      },
      sphereStart: () => null,
      sphereDone: () => undefined,
    });
  }

  get canvas(): HTMLCanvasElement | null {
    return this.deck.getCanvas();
  }

  set boxMode(on: boolean) {
    this.drag.always = on;
  }

  /** Draw this map (its tiles loaded anew), framed whole. */
  setPyramid(pyramid: TilePyramid): void {
    this.pyramid = pyramid;
    this.generation++;
    this.loaded.clear();
    this.loading.clear();
    this.resetView();
  }

  /** The points' centre and largest half-extent: the whole-map view's frame (render/normalise.ts). */
  private frame(): { mid: [number, number]; half: number } {
    const b = this.pyramid?.bounds ?? [-1, -1, 1, 1];
    const half = Math.max(b[2] - b[0], b[3] - b[1]) / 2 || 1;
    return { mid: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2], half };
  }

  /** Frame every point, as the whole-map view's home does (camera.ts homeView). */
  resetView(): void {
    if (!this.pyramid) return;
    const { mid, half } = this.frame();
    const size = Math.max(100, Math.min(this.parent.clientWidth || 800, this.parent.clientHeight || 600));
    this.show({ target: mid, zoom: Math.log2(size * 0.44) - Math.log2(half) });
  }

  private show(view: { target: number[]; zoom: number }): void {
    this.moving = true;
    clearTimeout(this.stillTimer);
    this.stillTimer = setTimeout(() => {
      this.moving = false;
      this.draw();
    }, STILL_MS);
    this.viewState = { target: [view.target[0], view.target[1], 0], zoom: view.zoom };
    this.deck.setProps({ viewState: this.viewState });
    this.update();
    this.on.camera?.(this.camera());
  }

  /** The camera as the whole-map view keeps it (render/normalise.ts): the points centred on 0, their largest
   * half-extent 1, so links and bookmarks read the same either way. */
  camera(): Camera {
    const { mid, half } = this.frame();
    const [x, y] = this.viewState.target;
    const round = (v: number, d: number) => Number(v.toFixed(d));
    return {
      dims: 2,
      target: [round((x - mid[0]) / half, 4), round((y - mid[1]) / half, 4), 0],
      zoom: round(this.viewState.zoom + Math.log2(half), 3),
    };
  }

  setCamera(camera: Camera): void {
    if (!this.pyramid || camera.dims !== 2) return;
    const { mid, half } = this.frame();
    const [x, y] = camera.target;
    this.show({ target: [mid[0] + x * half, mid[1] + y * half], zoom: camera.zoom - Math.log2(half) });
  }

  /** Move the view by (dx, dy) CSS pixels (the keys), or zoom in by half a power of 2 a step, around its centre. */
  pan(dx: number, dy: number): void {
    const scale = 2 ** this.viewState.zoom;
    const [x, y] = this.viewState.target;
    this.show({ target: [x + dx / scale, y - dy / scale], zoom: this.viewState.zoom });
  }

  zoomBy(steps: number): void {
    this.show({ target: this.viewState.target, zoom: this.viewState.zoom + steps * 0.5 });
  }

  setHighlight(selection: number[], focus: number | null, neighbors: number[]): void {
    this.selected = new Set(selection);
    this.neighbors = new Set(neighbors);
    this.focus = focus;
    this.highlight++;
    this.draw();
  }

  /** The density of what is not loaded, under the points (on unless the user turned the density off). */
  setDensity(on: boolean): void {
    if (on === this.densityShown) return;
    this.densityShown = on;
    this.draw();
  }

  /** How a tile's points are coloured (from its `colors` values), or null: the ink. */
  setPaint(paint: ((tile: LoadedTile) => Uint8Array | null) | null): void {
    this.paint = paint;
    this.highlight++;
    this.draw();
  }

  setTheme(theme: "light" | "dark"): void {
    if (theme === this.theme) return;
    this.theme = theme;
    for (const d of this.loaded.values()) d.density = null;
    this.highlight++;
    this.draw();
  }

  /** The point drawn under (x, y), CSS pixels from the canvas's top left: its row and label. */
  pickAt(x: number, y: number): { row: number; label: string | null } | null {
    const viewport = this.deck.getViewports()[0];
    const p = this.pyramid;
    if (!viewport || !p) return null;
    const [wx, wy] = viewport.unproject([x, y]);
    const radius = PICK / 2 ** this.viewState.zoom;
    const hit = nearestPoint(this.wanted, this.tileOf, p, wx, wy, radius);
    return hit ? { row: hit[0].rows[hit[1]], label: hit[0].labels?.[hit[1]] ?? null } : null;
  }

  /** The view moved: the tiles it needs, loaded if they are not, and drawn. */
  private update(): void {
    const p = this.pyramid;
    const viewport = this.deck.getViewports()[0];
    if (!p || !viewport) {
      if (p) requestAnimationFrame(() => this.update()); // not laid out yet
      return;
    }
    const [x0, y0, x1, y1] = viewport.getBounds();
    const rect: [number, number, number, number] = [x0, y0, x1, y1];
    this.level = levelInView(p, rect, levelFor(p, 2 ** this.viewState.zoom), BUDGET);
    this.wanted = tilesInView(p, rect, this.level);
    this.loadWanted();
    this.evict();
    this.draw();
  }

  private loadWanted(): void {
    const generation = this.generation;
    for (const key of this.wanted) {
      if (this.loading.size >= AT_ONCE) break;
      if (this.loaded.has(key) || this.loading.has(key)) continue;
      this.loading.add(key);
      this.on.load(key).then(
        (tile) => {
          if (generation !== this.generation) return;
          this.loading.delete(key);
          this.loaded.set(key, { tile, colors: new Uint8Array(0), version: -1, density: null, data: null });
          this.loadWanted();
          this.draw();
        },
        () => {
          if (generation !== this.generation) return;
          this.loading.delete(key); // asked again when the view next moves
          this.draw();
        },
      );
    }
  }

  private evict(): void {
    if (this.loaded.size <= KEEP) return;
    const keep = new Set(this.wanted);
    for (const key of this.loaded.keys()) {
      if (this.loaded.size <= KEEP) break;
      if (!keep.has(key)) this.loaded.delete(key);
    }
  }

  /** The tile's layer data: its positions and its colours for the current highlight. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private dataOf(d: Drawn): any {
    if (d.data && d.version === this.highlight) return d.data;
    const colors = this.colorsOf(d);
    d.data = {
      length: d.tile.rows.length,
      attributes: { getPosition: { value: d.tile.xyz, size: 3 }, getFillColor: { value: colors, size: 4 } },
    };
    return d.data;
  }

  /** The tile's colours: its points' own (the colour column's, else the ink) and, when some rows are highlighted,
   * those at full strength (the clicked one red, the selected and neighbours orange when there is no colour column)
   * and the others faded. A new array each time: deck.gl uploads a binary attribute only when its array changes. */
  private colorsOf(d: Drawn): Uint8Array {
    if (d.version === this.highlight) return d.colors;
    const n = d.tile.rows.length;
    const painted = this.paint?.(d.tile) ?? null;
    const ink = INK[this.theme];
    const out = new Uint8Array(4 * n);
    const any = this.selected.size > 0 || this.neighbors.size > 0 || this.focus !== null;
    for (let i = 0; i < n; i++) {
      const row = d.tile.rows[i];
      const own: RGBA = painted ? [painted[4 * i], painted[4 * i + 1], painted[4 * i + 2], 215] : ink;
      let c = own;
      if (row === this.focus) c = FOCUS;
      else if (this.neighbors.has(row)) c = painted ? [own[0], own[1], own[2], 255] : NEIGHBOR;
      else if (this.selected.has(row)) c = painted ? [own[0], own[1], own[2], 255] : SELECTED;
      else if (any) c = [own[0], own[1], own[2], painted ? 40 : 60];
      out.set(c, 4 * i);
    }
    d.colors = out;
    d.version = this.highlight;
    return out;
  }

  private densityOf(d: Drawn): HTMLCanvasElement | null {
    const p = this.pyramid;
    if (!p || !d.tile.density) return null;
    if (d.density) return d.density;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = p.grid;
    const full = Math.max(1, p.rows / 4 ** d.tile.z / (p.grid * p.grid)) * 4; // a cell 4x as full as the mean is dark
    const pixels = densityPixels(d.tile.density, p.grid, TINT[this.theme], full);
    canvas.getContext("2d")?.putImageData(new ImageData(pixels, p.grid, p.grid), 0, 0);
    d.density = canvas;
    return canvas;
  }

  private draw(): void {
    const p = this.pyramid;
    if (!p) return;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const layers: any[] = [];
    for (const key of this.densityShown ? this.wanted : []) {
      const d = this.loaded.get(key);
      if (!d || d.tile.z !== this.level) continue;
      const image = this.densityOf(d);
      if (!image) continue;
      const [, x, y] = key.split("/").map(Number);
      const [x0, y0, x1, y1] = tileSquare(p, d.tile.z, x, y);
      layers.push(
        new BitmapLayer({
          id: `density-${key}`,
          image,
          bounds: [x0, y0, x1, y1],
          opacity: DENSITY_OPACITY,
          textureParameters: { minFilter: "linear", magFilter: "linear" },
          parameters: FLAT,
        }),
      );
    }
    const drawn = drawnPoints(this.wanted, this.tileOf);
    const keepEvery = this.moving ? movingStride(drawn) : 1;
    for (const key of this.wanted) {
      const d = this.loaded.get(key);
      if (!d) continue;
      const data = this.dataOf(d);
      layers.push(new PointSpritesLayer({ id: `tile-${key}`, data, radiusPixels: RADIUS, keepEvery, parameters: FLAT }));
    }
    this.deck.setProps({ layers });
    this.on.info({
      level: this.level,
      drawn,
      wanted: this.wanted.length,
      loading: this.wanted.filter((k) => !this.loaded.has(k)).length,
    });
  }

  destroy(): void {
    this.generation++;
    clearTimeout(this.stillTimer);
    this.pointer.destroy();
    this.drag.destroy();
    this.deck.finalize();
  }
}
