// What the scatter view's own controls do: sprites, colour mode, theme and saving a PNG (boxSelection.ts: box selection).
import { loadColumn } from "./actions";
import { store } from "./store";

export function setShowSprites(on: boolean): void {
  store.set({ showSprites: on });
}

/** The density layer on or off (null: on from `densityFrom` points); `from`: that size. */
export function setDensity(on: boolean | null, from?: number): void {
  const size = from !== undefined && Number.isFinite(from) && from >= 0 ? Math.round(from) : store.get().densityFrom;
  store.set({ density: on, densityFrom: size });
}

/** Colour by a column, either one palette colour per value or on a continuous scale. */
export async function setColorChoice(
  name: string | null,
  mode: "category" | "numeric",
  scale: "linear" | "log" | null = null,
): Promise<void> {
  store.set({ colorBy: name, colorMode: mode, colorScale: scale });
  await loadColumn(name);
}

/** The continuous colour scale: linear or log (null: the default for the column's values). */
export function setColorScale(scale: "linear" | "log" | null): void {
  store.set({ colorScale: scale });
}

export function applyTheme(theme: "light" | "dark"): void {
  document.documentElement.dataset.theme = theme;
}

export function setTheme(theme: "light" | "dark"): void {
  applyTheme(theme);
  store.set({ theme });
}

/** Offer a file to download. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  downloadDataUrl(url, name);
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Offer a PNG file to download. */
export function downloadDataUrl(url: string, name: string): void {
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
