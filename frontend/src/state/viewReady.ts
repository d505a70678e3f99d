// The plot's renderer (deck.gl, most of the page's code) loads after the panels are drawn (ScatterPane.tsx). The page
// asks for data while it loads, and shows points only once it is there: `window.embedscope` (the browser tests' and the
// console's handle) always has the store, and has the view whenever points are shown.
import type { ScatterView } from "../render/scatter";
import type { TileView } from "../render/tileView";
import { store } from "./store";

declare global {
  interface Window {
    embedscope?: { view: ScatterView | null; store: typeof store; tileView?: TileView | null };
  }
}

let ready!: () => void;
/** Resolves once the scatter view exists. */
export const viewReady = new Promise<void>((resolve) => (ready = resolve));

/** The handle for tests and the console, from the start (its view comes later). */
export function exposeStore(): void {
  if (typeof window !== "undefined" && window.embedscope === undefined) window.embedscope = { view: null, store };
}

/** The scatter view exists: give it to the handle, and let the page show points. */
export function markViewReady(view: ScatterView): void {
  window.embedscope = { view, store };
  ready();
}

/** A map drawn from tiles is shown (TilePane.tsx): its view on the handle, beside the whole-map one. */
export function markTileView(view: TileView | null): void {
  if (window.embedscope) window.embedscope.tileView = view;
}
