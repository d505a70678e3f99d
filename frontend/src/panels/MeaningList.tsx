// The answer of a search by meaning: how the text was understood (the model, or the words used and those the table
// lacks) and the nearest points with their angles; a click shows a point's own neighbours.
import { focusPoint } from "../state/actions";
import { listLabel, type State } from "../state/store";

export function MeaningList({ state }: { state: State }) {
  const m = state.meaning;
  if (m === null) return null;
  return (
    <div class="meaning" id="meaning">
      <h3>
        Nearest in meaning to <span class="focus-label">“{m.text}”</span>
      </h3>
      <p class="note" id="meaning-how">
        {m.how === "model"
          ? `The text embedded by the model that made these vectors${m.model ? ` (${m.model})` : ""}.`
          : `The mean of the words ${m.words.join(", ")}${m.unknown.length ? `; not in this table: ${m.unknown.join(", ")}` : ""}.`}
      </p>
      <ol class="list" id="meaning-list">
        {m.neighbors.map((n) => (
          <li key={n.index} data-index={n.index}>
            <button type="button" onClick={() => void focusPoint(n.index)} title={`#${n.index}`}>
              <span class="label">{listLabel(state, n.index)}</span>
              <span class="meta">
                {n.angle !== null && n.angle !== undefined ? `${n.angle.toFixed(1)}°` : n.distance !== null ? n.distance.toFixed(3) : ""}
              </span>
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
