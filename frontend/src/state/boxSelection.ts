// A box (or sphere) dragged over the map: its points replace the selection, or are added to it or taken from it.
import { store } from "./store";

/** How a drag (box in 2-D, sphere in 3-D) changes the selection. */
export type BoxMode = "replace" | "add" | "remove";

/** Put the points inside a dragged box or sphere into the selection: replace it, add to it (shift) or remove from it (alt). */
export function boxSelect(inside: number[], mode: BoxMode): void {
  let selection = inside;
  const current = store.get().selection;
  if (mode === "add") selection = [...new Set([...current, ...inside])];
  else if (mode === "remove") {
    const drop = new Set(inside);
    selection = current.filter((i) => !drop.has(i));
  }
  store.set({ selection, selectionSource: null, focus: null, neighbors: null, searchCount: null });
}

