// Data panel: run and embedding, shape and point count, label by, colour by with its legend.
import { categorical, chooseEmbedding, selectCategory, setColorBy, setLabelBy } from "../state/actions";
import { type State } from "../state/store";
import { css, legendOf } from "../render/palette";

const fmt = (n: number) => n.toLocaleString("en-US");

export function DataPanel({ state }: { state: State }) {
  const runs = state.runs?.runs ?? [];
  const emb = state.embedding;
  const choices = runs.flatMap((r) => r.embeddings.map((e) => ({ run: r, emb: e })));
  const colourColumns = emb ? categorical(emb) : [];
  const legend = legendOf(emb?.columns.find((c) => c.name === state.colorBy));
  return (
    <section class="panel" aria-labelledby="data-title">
      <h2 id="data-title">Data</h2>
      <label class="field">
        <span>Embedding</span>
        <select
          id="embedding-select"
          value={emb ? `${emb.run}/${emb.id}` : ""}
          onChange={(e) => {
            const [run, tensor] = (e.currentTarget as HTMLSelectElement).value.split("/");
            void chooseEmbedding(run, tensor);
          }}
        >
          {choices.map(({ run, emb: e }) => (
            <option key={`${e.run}/${e.id}`} value={`${e.run}/${e.id}`}>
              {runs.length > 1 ? `${run.name} / ${e.name}` : e.name}
            </option>
          ))}
        </select>
      </label>
      {emb && (
        <p class="shape" id="point-count">
          <strong>{fmt(emb.shape[0])}</strong> points · <strong>{fmt(emb.shape[1])}</strong> dimensions
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
          value={state.colorBy ?? ""}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLSelectElement).value;
            void setColorBy(value === "" ? null : value);
          }}
        >
          <option value="">No colour</option>
          {colourColumns.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
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
    </section>
  );
}
