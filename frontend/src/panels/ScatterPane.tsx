// The scatter view's host: the deck.gl canvas, the hover tooltip, the reset button, the busy note and the training
// steps' slider. The renderer (deck.gl and luma.gl, most of the page's code) loads after the panels are drawn.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { focusPoint, loadColumn } from "../state/actions";
import { SEQUENCE_COLUMNS, sequenceLinks } from "../render/sequenceLinks";
import { type State, densityOn, store } from "../state/store";
import { greyOut, legendOf, numericColors, numericRange, pointColors, scaleOf } from "../render/palette";
import { matching } from "../state/filterActions";
import type { ScatterView } from "../render/scatter";
import { apiUrl } from "../api/http";
import { stepsOf } from "../state/stepActions";
import { Banners } from "./Banners";
import { ResetViewButton, ThemeButton } from "./PlotButtons";
import { ClusterLabels } from "./ClusterLabels";
import { FigureDialog } from "./FigureDialog";
import { StepBar } from "./StepBar";
import { Tooltip } from "./Tooltip";
import { boxSelect } from "../state/boxSelection";
import { applyTheme, downloadDataUrl } from "../state/scatterActions";
import { cameraView } from "../state/camera";
import { clustersShown } from "../state/clusterActions";
import { markViewReady } from "../state/viewReady";

interface Hover {
  index: number;
  x: number;
  y: number;
}


export function ScatterPane({ state }: { state: State }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<ScatterView | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  const [ready, setReady] = useState(false); // the renderer is loaded: every effect below runs again
  const moves = useRef(new Set<() => void>()).current; // told when the camera moves (the cluster labels follow)

  useEffect(() => {
    let scatter: ScatterView | null = null;
    let gone = false;
    import("../render/scatter").then(
      ({ ScatterView }) => {
        if (gone) return;
        scatter = new ScatterView(host.current as HTMLDivElement, {
          hover: (index, x, y) => setHover(index === null ? null : { index, x, y }),
          click: (index) => {
            if (index !== null) void focusPoint(index);
          },
          box: boxSelect,
          camera: (camera) => {
            cameraView.changed(camera);
            for (const moved of moves) moved();
          },
        });
        view.current = scatter;
        cameraView.attach(scatter);
        markViewReady(scatter); // the page may show points now
        setReady(true);
      },
      (err) => store.set({ error: `The plot could not be loaded (${String(err)}). Reload the page.` }),
    );
    return () => {
      gone = true;
      cameraView.attach(null);
      scatter?.destroy();
    };
  }, []);

  const coords = state.coords;
  useEffect(() => {
    if (coords) view.current?.setPoints(coords.data, coords.n, coords.dims, coords.morph ?? false);
  }, [ready, coords?.version]);

  const n = coords?.n ?? 0;
  const colorValues = state.colorBy ? state.columns[state.colorBy] : undefined;
  const colors = useMemo(() => {
    if (state.colorBy && state.colorMode === "numeric" && colorValues) {
      const range = numericRange(colorValues);
      if (range) return numericColors(n, colorValues, range, scaleOf(range, state.colorScale));
    }
    const legend = legendOf(state.embedding?.columns.find((c) => c.name === state.colorBy), state.theme);
    return pointColors(n, state.colorBy ? colorValues : undefined, legend);
  }, [n, state.colorBy, state.colorMode, state.colorScale, colorValues, state.embedding, state.theme]);
  const mask = useMemo(() => matching(state), [state.filters, state.columns, state.embedding]);
  const shownColors = useMemo(() => (mask ? greyOut(colors, mask, state.theme) : colors), [colors, mask, state.theme]);
  useEffect(() => view.current?.setColors(shownColors, state.colorBy !== null), [ready, shownColors]);
  useEffect(() => view.current?.setSelection(state.selection, state.focus), [ready, state.selection, state.focus]);
  useEffect(() => view.current?.setNeighbors(state.neighbors?.map((nb) => nb.index) ?? []), [ready, state.neighbors]);
  // the clicked point's neighbours, or as many selected points, are all labelled
  useEffect(() => view.current?.setMustLabel(Number.isFinite(state.k) ? state.k + 1 : 0), [ready, state.k]);
  const density = densityOn(state);
  useEffect(() => view.current?.setDensity(density), [ready, density]);
  const sequenceColumn = SEQUENCE_COLUMNS.find((c) => state.embedding?.columns.some((info) => info.name === c)) ?? null;
  useEffect(() => void loadColumn(sequenceColumn), [sequenceColumn, state.embedding]);
  const sequenceValues = sequenceColumn ? state.columns[sequenceColumn] : undefined;
  const links = useMemo(() => (sequenceValues ? sequenceLinks(sequenceValues, n) : new Int32Array(0)), [sequenceValues, n]);
  useEffect(() => view.current?.setSequences(links), [ready, links]);
  const clusterLabels = clustersShown(state) !== null;
  useEffect(() => view.current?.setBackgroundLabels(!clusterLabels, mask), [ready, clusterLabels, mask]);
  const labelValues = state.labelBy ? state.columns[state.labelBy] : undefined;
  useEffect(() => {
    view.current?.setLabelText((i) => {
      const v = labelValues?.[i];
      return v === null || v === undefined ? `#${i}` : String(v);
    });
  }, [ready, labelValues]);
  const emb = state.embedding;
  const sprite = emb?.sprite && state.showSprites ? emb.sprite : null;
  useEffect(() => {
    view.current?.setSprite(
      sprite && emb
        ? {
            url: apiUrl(`runs/${encodeURIComponent(emb.run)}/embeddings/${encodeURIComponent(emb.id)}/sprite.png`),
            width: sprite.single_image_dim[0],
            height: sprite.single_image_dim[1],
            columns: sprite.grid[0],
          }
        : null,
    );
  }, [ready, sprite, emb]);
  useEffect(() => {
    applyTheme(state.theme);
    view.current?.setLook({ theme: state.theme });
  }, [ready, state.theme]);
  const [boxMode, setBoxMode] = useState(false);
  const [figure, setFigure] = useState(false);
  useEffect(() => {
    if (view.current) view.current.boxMode = boxMode;
  }, [ready, boxMode]);
  const savePng = () => {
    const styles = getComputedStyle(document.documentElement);
    const url = view.current?.toPNG(
      styles.getPropertyValue("--panel").trim() || "#fff",
      coords?.dims === 2 ? state.axisLabels : null,
      styles.getPropertyValue("--text").trim() || "#000",
    );
    if (url) downloadDataUrl(url, "embedscope.png");
  };
  const axes = coords && coords.dims === 2 ? state.axisLabels : null;
  const shape = coords && coords.dims >= 3 ? "sphere" : "box";

  return (
    <main class={stepsOf(state.embedding).length ? "scatter has-steps" : "scatter"} aria-label="Scatter plot">
      <div
        ref={host}
        class="deck-host"
        id="scatter"
        tabIndex={0}
        role="application"
        aria-label="Scatter plot: arrow keys pan, + and − zoom, r resets the view, ? lists the shortcuts"
      />
      {hover && host.current && (
        <Tooltip
          state={state}
          index={hover.index}
          x={hover.x}
          y={hover.y}
          width={host.current.clientWidth}
          height={host.current.clientHeight}
        />
      )}
      <ClusterLabels state={state} view={ready ? view.current : null} moves={moves} />
      {axes && (
        <>
          <div class="axis-label x" id="axis-x">
            {axes.x}
          </div>
          <div class="axis-label y" id="axis-y">
            {axes.y}
          </div>
        </>
      )}
      <div class="plot-top">
        <div class="overlay toolbar">
          <button
            type="button"
            id="box-select"
            aria-pressed={boxMode}
            title={`Drag a ${shape} to select (or shift-drag to add, alt-drag to remove, in any mode)`}
            onClick={() => setBoxMode(!boxMode)}
          >
            {shape === "sphere" ? "Sphere select" : "Box select"}
          </button>
          <ResetViewButton reset={() => view.current?.resetView()} />
          <button type="button" id="save-png" title="Save the view as a PNG image" onClick={savePng}>
            Save PNG
          </button>
          <button
            type="button"
            id="save-figure"
            title="Save the view as a figure: SVG or PNG at a chosen size and resolution, with a title and the legend"
            aria-pressed={figure}
            onClick={() => setFigure(!figure)}
          >
            Figure…
          </button>
          <ThemeButton state={state} />
        </div>
        <Banners state={state} />
      </div>
      {figure && ready && view.current && <FigureDialog state={state} view={view.current} onClose={() => setFigure(false)} />}
      <StepBar state={state} />
      {state.busy && (
        <div class="overlay bottom-left busy" role="status">
          <span class="spinner" /> {state.busy}
        </div>
      )}
    </main>
  );
}
