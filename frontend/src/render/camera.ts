// The scatter view's camera as plain numbers (bookmarks and the URL keep it): the home view of each kind, and the
// keyboard's pan and zoom steps. 2-D: target and zoom (orthographic); 3-D: target, zoom and rotation (orbit).

export interface Camera {
  dims: 2 | 3;
  target: [number, number, number];
  zoom: number;
  rotationX?: number; // 3-D only, degrees
  rotationOrbit?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deck's view-state types depend on the view
export type ViewState = any;

/** The view that shows all the points ([-1, 1] in each axis) in a canvas of this size. */
export function homeView(dims: 2 | 3, width: number, height: number): ViewState {
  const size = Math.max(100, Math.min(width || 800, height || 600));
  const zoom = Math.log2(size * 0.44);
  return dims === 2
    ? { target: [0, 0, 0], zoom, minZoom: zoom - 4, maxZoom: zoom + 12 }
    : { target: [0, 0, 0], zoom: zoom - 0.25, rotationX: 20, rotationOrbit: 30, minZoom: zoom - 4, maxZoom: zoom + 10 };
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** The camera of a deck.gl view state. */
export function cameraOf(view: ViewState, dims: 2 | 3): Camera {
  const t = (view.target ?? [0, 0, 0]) as number[];
  const camera: Camera = {
    dims,
    target: [round(t[0] ?? 0), round(t[1] ?? 0), round(t[2] ?? 0)],
    zoom: round(view.zoom ?? 0, 3),
  };
  if (dims === 3) {
    camera.rotationX = round(view.rotationX ?? 0, 2);
    camera.rotationOrbit = round(view.rotationOrbit ?? 0, 2);
  }
  return camera;
}

/** A deck.gl view state from a camera, within the home view's zoom limits. */
export function viewOf(camera: Camera, home: ViewState): ViewState {
  const zoom = Math.min(home.maxZoom, Math.max(home.minZoom, camera.zoom));
  const view: ViewState = { ...home, target: [...camera.target], zoom };
  if (camera.dims === 3) {
    view.rotationX = camera.rotationX ?? home.rotationX;
    view.rotationOrbit = camera.rotationOrbit ?? home.rotationOrbit;
  }
  return view;
}

/** A camera read from untrusted JSON (a bookmark file, the URL): null unless every number is there and finite. */
export function parseCamera(value: unknown): Camera | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const t = v.target;
  if ((v.dims !== 2 && v.dims !== 3) || !Array.isArray(t) || t.length !== 3 || !t.every(finite) || !finite(v.zoom)) {
    return null;
  }
  const camera: Camera = { dims: v.dims, target: [t[0], t[1], t[2]], zoom: v.zoom };
  if (v.dims === 3) {
    if (!finite(v.rotationX) || !finite(v.rotationOrbit)) return null;
    camera.rotationX = v.rotationX;
    camera.rotationOrbit = v.rotationOrbit;
  }
  return camera;
}

/** The view moved by (dx, dy) CSS pixels of the screen, as an arrow key does (the content moves the other way). */
export function panned(
  view: ViewState,
  dx: number,
  dy: number,
  unproject: (xy: [number, number]) => number[],
  centre: [number, number],
): ViewState {
  const a = unproject(centre);
  const b = unproject([centre[0] + dx, centre[1] + dy]);
  const t = view.target as number[];
  return { ...view, target: [t[0] + (b[0] - a[0]), t[1] + (b[1] - a[1]), (t[2] ?? 0) + ((b[2] ?? 0) - (a[2] ?? 0))] };
}

/** The view zoomed in (steps > 0) or out by half a zoom level per step, within its limits. */
export function zoomed(view: ViewState, steps: number): ViewState {
  const zoom = Math.min(view.maxZoom ?? Infinity, Math.max(view.minZoom ?? -Infinity, view.zoom + steps * 0.5));
  return { ...view, zoom };
}
