// Inspector: search (matches selected and listed), the selection count, tags of the selection (EditTags), the clicked
// point's neighbours (and, with training steps, how they changed between two steps).
import { useState } from "preact/hooks";
import type { ExportFormat } from "../api/types";
import { clearSelection, focusPoint } from "../state/actions";
import { exportRows, setK, setMetric } from "../state/inspectorActions";
import { canIsolate } from "../state/isolation";
import { isolateSelection, showAllData } from "../state/projectionActions";
import { stepsOf } from "../state/stepActions";
import { listLabel, numericLabels, type State, store } from "../state/store";
import { SearchBox } from "./SearchBox";
import { CompareControl, CompareLists } from "./StepCompare";
import { EditTags } from "./EditTags";
import { MeaningList } from "./MeaningList";
import { VersusLists } from "./Versus";

const SHOWN = 100;
const fmt = (n: number) => n.toLocaleString("en-US");

export function Inspector({ state }: { state: State }) {
  const count = state.selection.length;
  return (
    <aside class="inspector panel" aria-labelledby="inspector-title">
      <h2 id="inspector-title">Inspector</h2>
      <SearchBox state={state} />
      <div class="selection-bar">
        <span id="selection-count" aria-live="polite">
          {state.searchCount === 0
            ? "No matches"
            : count === 0
              ? "Nothing selected"
              : `${fmt(count)} point${count === 1 ? "" : "s"} selected`}
        </span>
        {count > 0 && (
          <button type="button" class="link" id="clear-selection" onClick={clearSelection}>
            Clear
          </button>
        )}
      </div>
      <Tools state={state} />
      <EditTags state={state} />
      {state.focus !== null ? (
        <Neighbours state={state} />
      ) : state.selectionSource === "meaning" && state.meaning ? (
        <MeaningList state={state} />
      ) : count > 0 ? (
        <Matches state={state} />
      ) : state.searchCount === 0 ? (
        <p class="note" id="no-matches">
          No matches for “{state.searchText}”{state.searchRegex ? " (regular expression)" : ""}.
        </p>
      ) : (
        <Hint />
      )}
    </aside>
  );
}

function Tools({ state }: { state: State }) {
  const [format, setFormat] = useState<ExportFormat>("csv");
  const count = state.selection.length;
  const done = state.job?.state === "done";
  return (
    <div class="tools">
      <div class="buttons" style={{ flexWrap: "wrap" }}>
        <button
          type="button"
          id="isolate"
          disabled={!canIsolate(state.selection, state.isolated)}
          title={
            count < 3
              ? "Select at least 3 points to project them alone"
              : canIsolate(state.selection, state.isolated)
                ? "Project only the selected points, with the current method"
                : "These points are the ones shown already"
          }
          onClick={() => void isolateSelection()}
        >
          Isolate {fmt(count)} point{count === 1 ? "" : "s"}
        </button>
        <button type="button" id="show-all" disabled={state.isolated === null} onClick={() => void showAllData()}>
          Show all data
        </button>
      </div>
      <label class="field inline" style={{ marginBottom: "4px" }}>
        <span>Export as</span>
        <select
          id="export-format"
          value={format}
          onChange={(e) => setFormat((e.currentTarget as HTMLSelectElement).value as ExportFormat)}
        >
          <option value="csv">CSV</option>
          <option value="tsv">TSV</option>
          <option value="parquet">Parquet</option>
        </select>
      </label>
      <div class="buttons">
        <button
          type="button"
          id="export-selection"
          disabled={count === 0}
          title="The selected rows: index, label, coordinates (when a projection is done), metadata"
          onClick={() => void exportRows("selection", format)}
        >
          Selection
        </button>
        <button
          type="button"
          id="export-coords"
          disabled={!done}
          title="Every projected row's coordinates, with index, label and metadata"
          onClick={() => void exportRows("coords", format)}
        >
          Coordinates
        </button>
      </div>
      <label class="field inline">
        <span>Neighbours</span>
        <input
          id="k-slider"
          type="range"
          aria-label="Neighbour count slider"
          min={state.options?.neighbors.k.min}
          max={state.options?.neighbors.k.max}
          value={state.k}
          onInput={(e) => setK(Number((e.currentTarget as HTMLInputElement).value))}
        />
        <input
          id="k-value"
          class="k-value"
          type="number"
          aria-label="Neighbour count"
          min={state.options?.neighbors.k.min}
          max={state.options?.neighbors.k.max}
          step={1}
          value={Number.isFinite(state.k) ? state.k : ""}
          onChange={(e) => {
            const value = Number((e.currentTarget as HTMLInputElement).value);
            if (Number.isFinite(value) && (e.currentTarget as HTMLInputElement).value !== "") setK(value);
            else (e.currentTarget as HTMLInputElement).value = String(store.get().k); // an empty box: as it was
          }}
        />
      </label>
      <div class="segmented" role="group" aria-label="Distance">
        {(["cosine", "euclidean"] as const).map((m) => (
          <button key={m} type="button" id={`metric-${m}`} aria-pressed={state.metric === m} onClick={() => setMetric(m)}>
            {m === "cosine" ? "Cosine" : "Euclidean"}
          </button>
        ))}
      </div>
    </div>
  );
}

function Hint() {
  return <p class="hint">Click a point to see its nearest neighbours, or search for a label.</p>;
}

const HEADING: Record<string, string> = { search: "Matches", legend: "Points of this colour", cluster: "Points of this cluster", filter: "Points matching the filters" };

function Matches({ state }: { state: State }) {
  const rows = state.selection.slice(0, SHOWN);
  // a search in another column than the labels: its values beside the labels
  const searched = state.selectionSource === "search" ? state.searchColumn : null;
  const values = searched !== null && searched !== state.labelBy ? state.columns[searched] : undefined;
  return (
    <>
      {/* a selection made elsewhere (a box, the notebook) is not a search's matches */}
      <h3 id="selection-heading">{HEADING[state.selectionSource ?? ""] ?? "Selected"}</h3>
      <ol class="list" id="match-list">
        {rows.map((i) => (
          <li key={i} data-index={i}>
            <button type="button" onClick={() => void focusPoint(i)}>
              <span class="label">{listLabel(state, i)}</span>
              <span class="meta">
                {[values?.[i] ?? null, numericLabels(state) ? null : `#${i}`]
                  .filter((part) => part !== null)
                  .join(" · ")}
              </span>
            </button>
          </li>
        ))}
      </ol>
      {state.selection.length > SHOWN && <p class="note">First {SHOWN} of {fmt(state.selection.length)} shown.</p>}
    </>
  );
}

function Neighbours({ state }: { state: State }) {
  const focus = state.focus as number;
  const steps = stepsOf(state.embedding);
  return (
    <>
      <h3>
        Nearest to <span class="focus-label">{listLabel(state, focus)}</span>{" "}
        {!numericLabels(state) && <span class="meta">#{focus}</span>}
      </h3>
      <p class="note">
        {state.metric === "cosine" ? "Cosine" : "Euclidean"}, in the original space
        {steps.length > 0
          ? state.step === null
            ? `, at the latest step (${fmt(steps[steps.length - 1])})`
            : `, at step ${fmt(state.step)}`
          : ""}
      </p>
      <CompareControl state={state} />
      {state.compareWith !== null && steps.length > 0 ? (
        <CompareLists state={state} />
      ) : state.versus !== null ? (
        <VersusLists state={state} />
      ) : state.neighbors === null ? (
        <p class="note">Loading…</p>
      ) : (
        <ol class="list" id="neighbor-list">
          {state.neighbors.map((n) => (
            <li key={n.index} data-index={n.index}>
              <button type="button" onClick={() => void focusPoint(n.index)} title={`#${n.index}`}>
                <span class="label">{listLabel(state, n.index)}</span>
                <span class="meta">
                  {[
                    n.angle !== null && n.angle !== undefined ? `${n.angle.toFixed(1)}°` : null,
                    n.distance !== null ? n.distance.toFixed(3) : null,
                  ]
                    .filter((part) => part !== null)
                    .join(" · ")}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
