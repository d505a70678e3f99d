// Keyboard shortcuts of the page (listed by the help, `?`). Keys typed into a field stay the field's, except Escape.
import { clearSelection } from "./actions";
import { cameraView } from "./camera";
import { stepBy } from "./stepActions";
import { store } from "./store";

export const SHORTCUTS: [string, string][] = [
  ["/", "Search"],
  ["Esc", "Clear the selection (or close this help)"],
  ["r", "Reset the view"],
  ["← ↑ → ↓", "Pan (with Shift: farther)"],
  ["+  −", "Zoom in, out"],
  ["[  ]", "Previous, next training step (when the data has steps)"],
  ["?", "Show or hide this help"],
  ["Shift-drag / Alt-drag", "Add to / remove from the selection: a box in 2-D, a sphere in 3-D"],
];

const PAN = 60; // CSS pixels per arrow key press

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName));

function onKey(e: KeyboardEvent): void {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === "Escape") {
    if (store.get().helpOpen) store.set({ helpOpen: false });
    else {
      if (typing(e.target)) (e.target as HTMLElement).blur();
      clearSelection();
    }
    return;
  }
  if (typing(e.target)) return;
  const step = e.shiftKey ? PAN * 4 : PAN;
  const act: Record<string, () => void> = {
    "/": () => document.querySelector<HTMLInputElement>("#search")?.focus(),
    "?": () => store.set({ helpOpen: !store.get().helpOpen }),
    r: () => cameraView.reset(),
    R: () => cameraView.reset(),
    ArrowLeft: () => cameraView.pan(-step, 0),
    ArrowRight: () => cameraView.pan(step, 0),
    ArrowUp: () => cameraView.pan(0, -step),
    ArrowDown: () => cameraView.pan(0, step),
    "+": () => cameraView.zoom(1),
    "=": () => cameraView.zoom(1),
    "-": () => cameraView.zoom(-1),
    _: () => cameraView.zoom(-1),
    "[": () => stepBy(-1),
    "]": () => stepBy(1),
  };
  const action = act[e.key];
  if (!action) return;
  e.preventDefault();
  action();
}

/** Listen for the shortcuts; returns the function that stops. */
export function installShortcuts(): () => void {
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}
