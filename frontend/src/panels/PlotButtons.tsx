// The plot toolbar's buttons that the whole-map view (ScatterPane) and the tiled one (TilePane) share.
import { setTheme } from "../state/scatterActions";
import type { State } from "../state/store";

export function ResetViewButton({ reset }: { reset: () => void }) {
  return (
    <button type="button" id="reset-view" title="Reset the view (r)" onClick={reset}>
      Reset view
    </button>
  );
}

export function ThemeButton({ state }: { state: State }) {
  const dark = state.theme === "dark";
  return (
    <button
      type="button"
      id="theme-toggle"
      title={`Switch to the ${dark ? "light" : "dark"} theme`}
      aria-label="Toggle dark theme"
      aria-pressed={dark}
      onClick={() => setTheme(dark ? "light" : "dark")}
    >
      {dark ? "☀" : "☾"}
    </button>
  );
}
