// Data panel: the embedding (EmbeddingPicker), shape and point count, label by, colour by with its legend, spherize, sprites,
// the density map and loading a metadata TSV.
import { useRef, useState } from "preact/hooks";
import { categorical, selectCategory, setLabelBy } from "../state/actions";
import { type LoadResult, loadMetadata } from "../state/metadataActions";
import { SPHERIZE_MIN_DIM, setSpherize, spherizeOn } from "../state/projectionActions";
import { setColorChoice, setDensity, setShowSprites } from "../state/scatterActions";
import { type State, densityOn } from "../state/store";
import { css, legendOf, numericRange } from "../render/palette";
import { staticData } from "../api/staticFile";
import { EmbeddingPicker } from "./EmbeddingPicker";
import { NumericLegend } from "./NumericLegend";
import { VersusControl } from "./Versus";

const fmt = (n: number) => n.toLocaleString("en-US");

/** "Load": a file picker for a metadata TSV, and what came of the last upload (the server's error, readably). */
function MetadataLoader({ disabled }: { disabled: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<LoadResult | { ok: null; message: string } | null>(null);
  const onFile = async (e: Event) => {
    const target = e.currentTarget as HTMLInputElement;
    const file = target.files?.[0];
    if (!file) return;
    setStatus({ ok: null, message: `Loading ${file.name}…` });
    setStatus(await loadMetadata(file));
    target.value = ""; // choosing the same file again uploads it again
  };
  return (
    <div class="metadata-load" style={{ marginTop: "12px" }}>
      <div class="buttons">
        <button
          type="button"
          id="load-metadata"
          disabled={disabled || status?.ok === null}
          title="Replace the labels and columns with a metadata TSV: one row per point, a header row when it has several columns"
          onClick={() => input.current?.click()}
        >
          Load metadata…
        </button>
        <input
          ref={input}
          type="file"
          id="metadata-file"
          accept=".tsv,.txt,.csv,text/tab-separated-values,text/plain"
          hidden
          onChange={(e) => void onFile(e)}
        />
      </div>
      {status && (
        <p
          class={`note ${status.ok === false ? "error" : ""}`}
          id="metadata-status"
          role={status.ok === false ? "alert" : "status"}
        >
          {status.message}
        </p>
      )}
    </div>
  );
}

export function DataPanel({ state }: { state: State }) {
  const emb = state.embedding;
  const colourColumns = emb ? categorical(emb) : [];
  const numericColumns = emb ? emb.columns.filter((c) => c.type === "numeric").map((c) => c.name) : [];
  const numeric = state.colorMode === "numeric" && state.colorBy !== null;
  const legend = numeric ? [] : legendOf(emb?.columns.find((c) => c.name === state.colorBy), state.theme);
  const range = numeric && state.colorBy ? numericRange(state.columns[state.colorBy]) : null;
  const colorValue = state.colorBy === null ? "" : `${numeric ? "num" : "cat"}:${state.colorBy}`;
  return (
    <section class="panel" aria-labelledby="data-title">
      <h2 id="data-title">Data</h2>
      <div class="field">
        <span id="embedding-label">Embedding</span>
        <EmbeddingPicker state={state} />
      </div>
      {emb && (
        <p class="shape" id="point-count">
          <span>
            {state.isolated ? (
              <>
                <strong>{fmt(state.isolated.length)}</strong> of {fmt(emb.shape[0])} points
              </>
            ) : (
              <>
                <strong>{fmt(emb.shape[0])}</strong> points
              </>
            )}
          </span>{" "}
          · <span><strong>{fmt(emb.shape[1])}</strong> dimensions</span>
        </p>
      )}
      <label class="field">
        <span>Label by</span>
        <select
          id="label-by"
          value={state.labelBy ?? ""}
          onChange={(e) => void setLabelBy((e.currentTarget as HTMLSelectElement).value)}
        >
          {emb?.columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>Colour by</span>
        <select
          id="color-by"
          value={colorValue}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLSelectElement).value;
            if (value === "") void setColorChoice(null, "category");
            else void setColorChoice(value.slice(4), value.startsWith("num:") ? "numeric" : "category");
          }}
        >
          <option value="">No colour</option>
          {colourColumns.map((name) => (
            <option key={`cat:${name}`} value={`cat:${name}`}>
              {name}
            </option>
          ))}
          {numericColumns.map((name) => (
            <option key={`num:${name}`} value={`num:${name}`}>
              {name} (continuous)
            </option>
          ))}
        </select>
      </label>
      {range && state.colorBy && <NumericLegend column={state.colorBy} range={range} chosen={state.colorScale} />}
      {state.colorBy && legend.length > 0 && (
        <ul class="legend" id="legend" aria-label={`Colours of ${state.colorBy}`}>
          {legend.map((entry) => (
            <li key={entry.label}>
              <button
                type="button"
                title={`Select the ${fmt(entry.count)} points with ${state.colorBy} = ${entry.label}`}
                onClick={() => state.colorBy && entry.label !== "other" && selectCategory(state.colorBy, entry.value)}
              >
                <i class="swatch" style={{ background: css(entry.color) }} />
                <span class="legend-label">{entry.label}</span>
                <span class="count">{fmt(entry.count)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {emb && (
        <label
          class="toggle"
          title={`Centre the data and scale each point to unit length before projecting (on by default from ${SPHERIZE_MIN_DIM} dimensions)`}
        >
          <input
            type="checkbox"
            id="spherize"
            checked={spherizeOn(state)}
            onChange={(e) => void setSpherize((e.currentTarget as HTMLInputElement).checked)}
          />
          <span>Spherize data</span>
        </label>
      )}
      {emb?.sprite && (
        <label class="toggle" title="Draw each point as its thumbnail image">
          <input
            type="checkbox"
            id="show-sprites"
            checked={state.showSprites}
            onChange={(e) => setShowSprites((e.currentTarget as HTMLInputElement).checked)}
          />
          <span>Show sprites</span>
        </label>
      )}
      {emb && <DensityField state={state} />}
      {emb && staticData() === null && <VersusControl state={state} />}
      {staticData() === null && <MetadataLoader disabled={emb === null} />}
    </section>
  );
}

/** The density layer: on or off, on by default from a number of points drawn. */
function DensityField({ state }: { state: State }) {
  return (
    <div class="density-field">
      <label
        class="toggle"
        title="Shade the 2-D map by how many points are near (a smoothed histogram on a grid, with contour lines); points fade where they crowd and come back when you zoom in"
      >
        <input
          type="checkbox"
          id="density"
          checked={densityOn(state)}
          onChange={(e) => setDensity((e.currentTarget as HTMLInputElement).checked)}
        />
        <span>Density map</span>
      </label>
      <label class="field inline density-from" title="The density map is on by default from this many points drawn">
        <span>on from</span>
        <input
          id="density-from"
          type="number"
          min={0}
          step={1000}
          value={state.densityFrom}
          onChange={(e) => setDensity(null, Number((e.currentTarget as HTMLInputElement).value))}
        />
        <span>points</span>
      </label>
    </div>
  );
}
