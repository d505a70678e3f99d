// Inspector: search (matches selected and listed), the selection count, the clicked point's neighbours.
import { useRef } from "preact/hooks";
import { clearSelection, focusPoint, search } from "../state/actions";
import { labelOf, type State } from "../state/store";

const SHOWN = 100;
const fmt = (n: number) => n.toLocaleString("en-US");

export function Inspector({ state }: { state: State }) {
  const timer = useRef<number | undefined>(undefined);
  const onInput = (text: string) => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void search(text), 180);
  };
  const count = state.selection.length;
  return (
    <aside class="inspector panel" aria-labelledby="inspector-title">
      <h2 id="inspector-title">Inspector</h2>
      <label class="field">
        <span>Search {state.labelBy ? <em>in {state.labelBy}</em> : null}</span>
        <input
          id="search"
          type="search"
          placeholder="Search labels…"
          value={state.searchText}
          onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              window.clearTimeout(timer.current);
              void search((e.currentTarget as HTMLInputElement).value);
            }
          }}
        />
      </label>
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
      {state.focus !== null ? <Neighbours state={state} /> : count > 0 ? <Matches state={state} /> : <Hint />}
    </aside>
  );
}

function Hint() {
  return <p class="hint">Click a point to see its nearest neighbours, or search for a label.</p>;
}

function Matches({ state }: { state: State }) {
  const rows = state.selection.slice(0, SHOWN);
  return (
    <>
      <h3>{state.selectionSource === "legend" ? "Points of this colour" : "Matches"}</h3>
      <ol class="list" id="match-list">
        {rows.map((i) => (
          <li key={i}>
            <button type="button" onClick={() => void focusPoint(i)}>
              <span class="label">{labelOf(state, i)}</span>
              <span class="meta">#{i}</span>
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
  return (
    <>
      <h3>
        Nearest to <span class="focus-label">{labelOf(state, focus)}</span> <span class="meta">#{focus}</span>
      </h3>
      <p class="note">Cosine, in the original space</p>
      {state.neighbors === null ? (
        <p class="note">Loading…</p>
      ) : (
        <ol class="list" id="neighbor-list">
          {state.neighbors.map((n) => (
            <li key={n.index}>
              <button type="button" onClick={() => void focusPoint(n.index)} title={`#${n.index}`}>
                <span class="label">{labelOf(state, n.index)}</span>
                <span class="meta">
                  {n.angle !== null && n.angle !== undefined ? `${n.angle.toFixed(1)}°` : ""}
                  {n.distance !== null ? ` · ${n.distance.toFixed(3)}` : ""}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
