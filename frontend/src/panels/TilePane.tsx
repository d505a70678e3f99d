// The scatter view of a map too large to send whole (state/tileActions.ts): the tile view (render/tileView.ts), the
// hover tooltip, the toolbar (box select, reset, theme), a line saying how much of the map is drawn, and the busy note.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { TileViewInfo, TileView } from "../render/tileView";
import { parseTile, tilePaint } from "../render/tiles";
import { focusPoint } from "../state/actions";
import { cameraView } from "../state/camera";
import { applyTheme } from "../state/scatterActions";
import { type State, densityOn, store } from "../state/store";
import { selectWithin } from "../state/tileActions";
import { markTileView } from "../state/viewReady";
import { Banners } from "./Banners";
import { ResetViewButton, ThemeButton } from "./PlotButtons";
import { Tooltip } from "./Tooltip";

interface Hover {
  row: number;
  label: string | null;
  x: number;
  y: number;
}

const count = (n: number) => n.toLocaleString("en-US");

export function TilePane({ state }: { state: State }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<TileView | null>(null);
  const [ready, setReady] = useState(false);
  const [hover, setHover] = useState<Hover | null>(null);
  const [info, setInfo] = useState<TileViewInfo | null>(null);
  const [boxMode, setBoxMode] = useState(false);
  const tiles = state.tiles;

  useEffect(() => {
    let made: TileView | null = null;
    let gone = false;
    Promise.all([import("../render/tileView"), import("apache-arrow")]).then(
      ([{ TileView }, arrow]) => {
        if (gone) return;
        made = new TileView(host.current as HTMLDivElement, {
          load: async (key) => {
            const s = store.get();
            const t = s.tiles;
            if (!t) throw new Error("no map");
            const bytes = await api.tileBytes(t.job, key, s.labelBy, s.colorBy);
            return parseTile(key, bytes, arrow, t.pyramid.grid);
          },
          hover: (row, x, y, label) => setHover(row === null ? null : { row, label, x, y }),
          click: (row) => {
            if (row !== null) void focusPoint(row);
          },
          box: (rect, mode) => void selectWithin(rect, mode),
          info: setInfo,
          camera: (camera) => cameraView.changed(camera),
        });
        view.current = made;
        cameraView.attach(made);
        markTileView(made);
        setReady(true);
      },
      (err) => store.set({ error: `The plot could not be loaded (${String(err)}). Reload the page.` }),
    );
    return () => {
      gone = true;
      cameraView.attach(null);
      markTileView(null);
      made?.destroy();
    };
  }, []);

  // a new map, or the same one labelled or coloured by another column: its tiles load anew (they bring the values)
  useEffect(() => {
    if (tiles) view.current?.setPyramid(tiles.pyramid);
  }, [ready, tiles?.job, state.labelBy, state.colorBy]);
  const colorInfo = state.embedding?.columns.find((c) => c.name === state.colorBy);
  useEffect(
    () => view.current?.setPaint(tilePaint(colorInfo, state.colorMode, state.colorScale, state.theme)),
    [ready, colorInfo, state.colorMode, state.colorScale, state.theme],
  );
  useEffect(
    () => view.current?.setHighlight(state.selection, state.focus, state.neighbors?.map((nb) => nb.index) ?? []),
    [ready, state.selection, state.focus, state.neighbors],
  );
  useEffect(() => {
    applyTheme(state.theme);
    view.current?.setTheme(state.theme);
  }, [ready, state.theme]);
  useEffect(() => {
    if (view.current) view.current.boxMode = boxMode;
  }, [ready, boxMode]);
  const density = densityOn(state);
  useEffect(() => view.current?.setDensity(density), [ready, density]);

  const total = tiles?.pyramid.rows ?? 0;
  return (
    <main class="scatter" aria-label="Scatter plot">
      <div
        ref={host}
        class="deck-host"
        id="scatter"
        tabIndex={0}
        role="application"
        aria-label="Scatter plot of a large map, drawn from tiles: arrow keys pan, + and − zoom, r resets the view"
        data-tiled="true"
      />
      {hover && host.current && (
        <Tooltip
          state={state}
          index={hover.row}
          label={hover.label}
          x={hover.x}
          y={hover.y}
          width={host.current.clientWidth}
          height={host.current.clientHeight}
        />
      )}
      <div class="plot-top">
        <div class="overlay toolbar">
          <button
            type="button"
            id="box-select"
            aria-pressed={boxMode}
            title="Drag a box to select every point in it, loaded or not (or shift-drag to add, alt-drag to remove)"
            onClick={() => setBoxMode(!boxMode)}
          >
            Box select
          </button>
          <ResetViewButton reset={() => view.current?.resetView()} />
          <ThemeButton state={state} />
        </div>
        <Banners state={state} />
      </div>
      {info && (
        <div
          class="overlay bottom-right tile-status meta"
          id="tile-status"
          role="status"
          data-drawn={info.drawn}
          data-level={info.level}
          data-loading={info.loading}
          title="A map this large is drawn from tiles: a sample of the view, denser as you zoom in, with the density of the rest underneath; search, click and box selection answer over every point"
        >
          {count(info.drawn)} of {count(total)} points loaded · level {info.level + 1} of {tiles?.pyramid.levels}
          {info.loading > 0 ? ` · loading ${info.loading} tiles` : ""}
        </div>
      )}
      {state.busy && (
        <div class="overlay bottom-left busy" role="status">
          <span class="spinner" /> {state.busy}
        </div>
      )}
    </main>
  );
}
