// Compare the shown embedding with another of the same items (two models on one vocabulary, two runs, two layers):
// the control and summary in the data panel (VersusControl), and the clicked point's neighbours in both side by side
// in the inspector (VersusLists).
import { useState } from "preact/hooks";
import type { Neighbor } from "../api/types";
import { focusPoint } from "../state/actions";
import { choicesOf } from "../state/embeddingChoice";
import { compareWith, stopComparing } from "../state/versusActions";
import { listLabel, type State } from "../state/store";

const fmt = (n: number) => n.toLocaleString("en-US");
const pct = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;

export function VersusControl({ state }: { state: State }) {
  const emb = state.embedding;
  const others = choicesOf(state.runs).filter((c) => !(c.emb.run === emb?.run && c.emb.id === emb?.id));
  const [chosen, setChosen] = useState<string>("");
  const [k, setK] = useState(10);
  const [byRow, setByRow] = useState(false);
  if (emb === null || others.length === 0) return null;
  const value = others.some((c) => c.value === chosen) ? chosen : (others[0]?.value ?? "");
  const v = state.versus;
  return (
    <details class="versus" open={v !== null}>
      <summary>Compare with another embedding</summary>
      <div class="versus-form">
        <select id="versus-with" aria-label="Embedding to compare with" value={value} onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)}>
          {others.map((c) => (
            <option key={c.value} value={c.value}>
              {c.run ? `${c.run} / ` : ""}
              {c.emb.name} ({c.emb.shape.map(fmt).join(" × ")})
            </option>
          ))}
        </select>
        <label class="field inline" title="Neighbours compared per item">
          <span>k</span>
          <input id="versus-k" type="number" min={1} max={1000} value={k} onChange={(e) => setK(Number((e.currentTarget as HTMLInputElement).value) || 10)} />
        </label>
        <label class="toggle" title="Match items by row number instead of by label">
          <input id="versus-by-row" type="checkbox" checked={byRow} onChange={(e) => setByRow((e.currentTarget as HTMLInputElement).checked)} />
          <span>by row</span>
        </label>
      </div>
      <div class="buttons">
        <button
          type="button"
          id="versus-run"
          class="primary"
          onClick={() => {
            const [run, tensor] = value.split("/");
            if (run && tensor) void compareWith(run, tensor, k, byRow ? "row" : "label");
          }}
        >
          Compare
        </button>
        {v && (
          <button type="button" id="versus-stop" onClick={stopComparing}>
            Stop comparing
          </button>
        )}
      </div>
      {v && <VersusSummary state={state} />}
    </details>
  );
}

function VersusSummary({ state }: { state: State }) {
  const v = state.versus;
  if (v === null) return null;
  const top = Math.max(1, ...v.histogram);
  return (
    <div class="versus-summary" id="versus-summary">
      <p class="note">
        With <strong>{v.other.name}</strong>, {v.k} neighbours: mean overlap <strong>{pct(v.mean_overlap)}</strong> (chance{" "}
        {pct(v.chance)}), median {pct(v.percentiles.p50 ?? 0)}
        {v.mean_rank_correlation !== null && v.mean_rank_correlation !== undefined
          ? `, rank correlation ${v.mean_rank_correlation.toFixed(2)}`
          : ""}
        .
      </p>
      <div class="versus-histogram" aria-label="Items per overlap, from 0% to 100%">
        {v.histogram.map((count, i) => (
          <i key={i} style={{ height: `${(100 * count) / top}%` }} title={`${v.histogram_bins[i] ?? ""}: ${fmt(count)} items`} />
        ))}
      </div>
      <p class="note" id="versus-counts">
        {fmt(v.shared)} shared · {fmt(v.only_here)} only here · {fmt(v.only_there)} only in {v.other.name}
        {v.only_here > 0 && <span title={v.only_here_labels.join(", ")}> (e.g. {v.only_here_labels.slice(0, 3).join(", ")})</span>}
      </p>
      <p class="note">Coloured by <code>{v.columns[0]}</code>; click a point to see its neighbours in both.</p>
    </div>
  );
}

/** The clicked point's k nearest neighbours here and in the other embedding, side by side; shared ones marked. */
export function VersusLists({ state }: { state: State }) {
  const v = state.versus;
  const pair = state.versusNeighbors;
  if (v === null) return null;
  if (pair === null || pair.focus !== state.focus) return <p class="note">Loading the neighbours in both…</p>;
  const key = (n: Neighbor) => (v.by === "row" ? `#${n.index}` : n.label); // how the two embeddings' items match
  const hereKeys = new Set(pair.here.map(key));
  const thereKeys = new Set(pair.there.map(key));
  const shared = pair.here.filter((n) => thereKeys.has(key(n))).length;
  const byRow = v.by === "row";
  return (
    <div class="versus-lists" id="versus-lists">
      <p class="note">
        {fmt(shared)} of {v.k} neighbours in common with <strong>{v.other.name}</strong>
      </p>
      <div class="versus-columns">
        <List title="Here" items={pair.here} keyOf={key} other={thereKeys} id="versus-here" state={state} clickable />
        <List title={v.other.name} items={pair.there} keyOf={key} other={hereKeys} id="versus-there" state={state} clickable={byRow} />
      </div>
      {pair.there.length === 0 && <p class="note">This point is not in {v.other.name}.</p>}
    </div>
  );
}

interface ListProps {
  title: string;
  items: Neighbor[];
  keyOf: (n: Neighbor) => string;
  other: Set<string>;
  id: string;
  state: State;
  clickable: boolean; // its rows are rows of the shown embedding too (matched by row)
}

function List({ title, items, keyOf, other, id, state, clickable }: ListProps) {
  return (
    <div>
      <h4>{title}</h4>
      <ol class="list" id={id}>
        {items.map((n) => (
          <li key={n.index} class={other.has(keyOf(n)) ? "shared" : "alone"} data-index={n.index}>
            {clickable ? (
              <button type="button" onClick={() => void focusPoint(n.index)} title={`#${n.index}`}>
                <span class="label">{listLabel(state, n.index)}</span>
              </button>
            ) : (
              <span class="label">{n.label}</span>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
