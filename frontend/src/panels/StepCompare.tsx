// The clicked point's neighbours compared between two training steps: which appeared, which left, which stayed,
// with their ranks and distances at both steps (POST .../neighbors/compare).
import type { StepNeighbor } from "../api/types";
import { focusPoint } from "../state/actions";
import {
  compareRange,
  currentCompare,
  defaultCompareStep,
  setCompareWith,
  shownStep,
  stepsOf,
} from "../state/stepActions";
import { labelOf, type State } from "../state/store";

const fmt = (n: number) => n.toLocaleString("en-US");
const dist = (d: number | null) => (d === null ? "–" : d.toFixed(3));

/** "Compare with step N": the control, shown under the neighbours' heading when the embedding has steps. */
export function CompareControl({ state }: { state: State }) {
  const steps = stepsOf(state.embedding);
  const shown = shownStep(state);
  if (steps.length === 0 || shown === null) return null;
  const open = state.compareWith !== null;
  const other = state.compareWith ?? defaultCompareStep(steps, shown) ?? steps[0];
  return (
    <div class="compare-bar">
      <button
        type="button"
        id="compare-toggle"
        aria-pressed={open}
        title={`Which neighbours appeared, left or stayed between step ${fmt(other)} and the shown step ${fmt(shown)}`}
        onClick={() => void setCompareWith(open ? null : other)}
      >
        {open ? "Comparing with step" : "Compare with step"}
      </button>
      <select
        id="compare-step"
        aria-label="Step to compare with"
        value={String(other)}
        onChange={(e) => void setCompareWith(Number((e.currentTarget as HTMLSelectElement).value))}
      >
        {steps.map((s) => (
          <option key={s} value={String(s)} disabled={s === shown}>
            {fmt(s)}
            {s === shown ? " (shown)" : ""}
          </option>
        ))}
      </select>
    </div>
  );
}

function Row({ state, n, kind }: { state: State; n: StepNeighbor; kind: "appeared" | "left" | "stayed" }) {
  const rank = (r: number | null) => (r === null ? "–" : `#${r}`);
  const ranks = kind === "appeared" ? `new ${rank(n.rank_to)}` : kind === "left" ? `${rank(n.rank_from)} → out` : `${rank(n.rank_from)} → ${rank(n.rank_to)}`;
  return (
    <li data-index={n.index}>
      <button
        type="button"
        onClick={() => void focusPoint(n.index)}
        title={`#${n.index}: distance ${dist(n.distance_from)} → ${dist(n.distance_to)}`}
      >
        <span class="label">{labelOf(state, n.index)}</span>
        <span class="meta">
          {ranks} · {dist(n.distance_from)} → {dist(n.distance_to)}
        </span>
      </button>
    </li>
  );
}

const GROUPS = [
  ["appeared", "Appeared"],
  ["left", "Left"],
  ["stayed", "Stayed"],
] as const;

/** The comparison's three lists (replacing the neighbours list while comparing). */
export function CompareLists({ state }: { state: State }) {
  const range = compareRange(state);
  if (range === null) return <p class="note">Choose a step other than the shown one to compare with.</p>;
  const result = currentCompare(state);
  if (result === null) return <p class="note">Comparing…</p>;
  return (
    <div class="list compare" id="compare">
      <p class="note" id="compare-summary">
        The {fmt(result.k)} nearest at step <strong>{fmt(result.from_step)}</strong> → step{" "}
        <strong>{fmt(result.to_step)}</strong>: rank and {result.metric === "cosine" ? "cosine" : "euclidean"} distance
        at each
      </p>
      {GROUPS.map(([kind, title]) => (
        <section key={kind} class={`compare-group ${kind}`} aria-label={`${title} neighbours`}>
          <h4>
            {title} <span class="count">{fmt(result[kind].length)}</span>
          </h4>
          {result[kind].length === 0 ? (
            <p class="note">None.</p>
          ) : (
            <ol class="compare-list" id={`compare-${kind}`}>
              {result[kind].map((n) => (
                <Row key={n.index} state={state} n={n} kind={kind} />
              ))}
            </ol>
          )}
        </section>
      ))}
    </div>
  );
}
