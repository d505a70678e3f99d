// The scatter view's host: the deck.gl canvas, the hover tooltip, the reset button and the busy note.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { focusPoint } from "../state/actions";
import { labelOf, type State, store } from "../state/store";
import { legendOf, pointColors } from "../render/palette";
import { ScatterView } from "../render/scatter";

interface Hover {
  index: number;
  x: number;
  y: number;
}

declare global {
  interface Window {
    embedscope?: { view: ScatterView; store: typeof store };
  }
}

export function ScatterPane({ state }: { state: State }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<ScatterView | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);

  useEffect(() => {
    const scatter = new ScatterView(host.current as HTMLDivElement, {
      hover: (index, x, y) => setHover(index === null ? null : { index, x, y }),
      click: (index) => {
        if (index !== null) void focusPoint(index);
      },
    });
    view.current = scatter;
    window.embedscope = { view: scatter, store }; // for the browser tests and the console
    return () => scatter.destroy();
  }, []);

  const coords = state.coords;
  useEffect(() => {
    if (coords) view.current?.setPoints(coords.data, coords.n, coords.dims);
  }, [coords?.version]);

  const n = coords?.n ?? 0;
  const colorValues = state.colorBy ? state.columns[state.colorBy] : undefined;
  const colors = useMemo(() => {
    const legend = legendOf(state.embedding?.columns.find((c) => c.name === state.colorBy));
    return pointColors(n, state.colorBy ? colorValues : undefined, legend);
  }, [n, state.colorBy, colorValues, state.embedding]);
  useEffect(() => view.current?.setColors(colors), [colors]);
  useEffect(() => view.current?.setSelection(state.selection, state.focus), [state.selection, state.focus]);

  const colorValue = hover && state.colorBy && state.colorBy !== state.labelBy ? colorValues?.[hover.index] : undefined;
  return (
    <main class="scatter" aria-label="Scatter plot">
      <div ref={host} class="deck-host" id="scatter" />
      {hover && (
        <div class="tooltip" id="tooltip" style={{ left: `${hover.x + 14}px`, top: `${hover.y + 14}px` }}>
          <strong>{labelOf(state, hover.index)}</strong>
          <span class="meta">#{hover.index}</span>
          {colorValue !== undefined && colorValue !== null && (
            <div class="meta">
              {state.colorBy}: {String(colorValue)}
            </div>
          )}
        </div>
      )}
      <div class="overlay top-right">
        <button type="button" id="reset-view" title="Reset the view" onClick={() => view.current?.resetView()}>
          Reset view
        </button>
      </div>
      {state.busy && (
        <div class="overlay bottom-left busy" role="status">
          <span class="spinner" /> {state.busy}
        </div>
      )}
    </main>
  );
}
