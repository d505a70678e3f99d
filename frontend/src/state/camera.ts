// The scatter view's camera, seen from the state modules: the view registers itself here, bookmarks and the URL read
// and set the camera through it, and listeners hear of every camera change (interaction, reset, restore).
import type { Camera } from "../render/camera";

export type { Camera } from "../render/camera";

interface CameraHolder {
  camera(): Camera;
  setCamera(camera: Camera): void;
  resetView(): void;
  pan(dx: number, dy: number): void;
  zoomBy(steps: number): void;
}

let holder: CameraHolder | null = null;
let pending: Camera | null = null; // set before the view was loaded (a link, a bookmark): given to it when it comes
const listeners = new Set<(camera: Camera) => void>();

export const cameraView = {
  attach(view: CameraHolder | null): void {
    holder = view;
    if (view !== null && pending !== null) view.setCamera(pending);
    if (view !== null) pending = null;
  },
  /** The camera now (before the view exists: the one it will get, else null). */
  get(): Camera | null {
    return holder?.camera() ?? pending;
  },
  set(camera: Camera): void {
    if (holder) holder.setCamera(camera);
    else pending = camera;
  },
  reset: () => holder?.resetView(),
  pan: (dx: number, dy: number) => holder?.pan(dx, dy),
  zoom: (steps: number) => holder?.zoomBy(steps),
  /** Hear of camera changes; returns the function that stops listening. */
  listen(listener: (camera: Camera) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  changed(camera: Camera): void {
    for (const listener of listeners) listener(camera);
  },
};
