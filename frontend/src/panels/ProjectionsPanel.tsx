// Projections panel: the method's tab, 2-D / 3-D, PCA (components and their variance), the other methods' settings
// (TsneSettings, UmapSettings, CustomAxes: shown once the server's options are loaded); the quality of the result.
import { axisShowing, withAxis } from "../state/pcaAxes";
import { choose, defaultCoords, numericColumns, setParams } from "../state/projectionActions";
import { runNeeded } from "../state/runNeeded";
import type { State } from "../state/store";
import { ClustersControl } from "./ClustersControl";
import { CustomAxes } from "./CustomAxes";
import { Precomputed } from "./Precomputed";
import { TsneSettings } from "./TsneSettings";
import { UmapSettings } from "./UmapSettings";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const AXES = ["X", "Y", "Z"] as const;
const METHODS = [
  ["pca", "PCA"],
  ["tsne", "t\u2011SNE"], // a non-breaking hyphen: the tab stays on one line
  ["umap", "UMAP"],
  ["custom", "Custom"],
  ["precomputed", "Precomputed"],
] as const;

export function ProjectionsPanel({ state }: { state: State }) {
  const choice = state.projection;
  const job = state.job;
  const finished = job?.state === "done" && job.method === choice.method ? job.summary : null;
  const quality = finished?.quality;
  const trust = finished?.trustworthiness;
  const continuity = finished?.continuity;
  const recall = finished?.knn_engine === "hnsw" ? finished.knn_recall : null;
  return (
    <section class="panel" aria-labelledby="proj-title">
      <h2 id="proj-title">Projection</h2>
      <div class="tabs" role="tablist">
        {METHODS.filter(([m]) => m !== "precomputed" || offerPrecomputed(state)).map(([m, name]) => (
          <button
            key={m}
            type="button"
            role="tab"
            id={`tab-${m}`}
            aria-selected={choice.method === m}
            onClick={() => void chooseTab(state, m)}
          >
            {name}
          </button>
        ))}
      </div>
      {choice.method !== "custom" && (
        <div class="segmented" role="group" aria-label="Dimensions">
          {([2, 3] as const).map((d) => (
            <button
              key={d}
              type="button"
              id={`dims-${d}`}
              aria-pressed={choice.dims === d}
              disabled={d === 3 && choice.method === "precomputed" && numericColumns(state.embedding).length < 3}
              title={d === 3 && choice.method === "precomputed" ? "needs a third numeric column (z)" : undefined}
              onClick={() => void choose({ dims: d }, choice.method === "pca" || choice.method === "precomputed")}
            >
              {d}-D
            </button>
          ))}
        </div>
      )}
      <RunNeeded state={state} />
      {choice.method === "pca" && <Pca state={state} />}
      {choice.method === "tsne" && state.options && <TsneSettings state={state} options={state.options} />}
      {choice.method === "umap" && state.options && <UmapSettings state={state} options={state.options} />}
      {choice.method === "custom" && <CustomAxes state={state} />}
      {choice.method === "precomputed" && <Precomputed state={state} />}
      {state.isolated && (
        <p class="note" id="isolated-note">
          Showing <strong>{state.isolated.length.toLocaleString("en-US")}</strong> isolated points.
        </p>
      )}
      {typeof quality === "number" && (
        <p
          class="note quality"
          id="quality"
          title="Share of each point's 10 nearest neighbours (original space) that are also among its 10 nearest in this projection"
        >
          Neighbour quality <strong>{pct(quality)}</strong>: how many of each point's 10 nearest neighbours stay near here.
        </p>
      )}
      {typeof trust === "number" && typeof continuity === "number" && (
        <p
          class="note quality"
          id="trust"
          title="Among 1,000 sampled points, 10 neighbours: trustworthiness falls with points drawn close that are far apart in the data, continuity with neighbours in the data drawn far apart (1 is perfect, about 0.5 random)"
        >
          Trustworthiness <strong>{trust.toFixed(3)}</strong> · continuity <strong>{continuity.toFixed(3)}</strong>
        </p>
      )}
      {typeof recall === "number" && (
        <p
          class="note"
          id="knn-recall"
          title="Above 50,000 points the neighbour graph is approximate (HNSW); its recall is measured against exact neighbours on a sample"
        >
          Approximate neighbour graph: recall <strong>{pct(recall)}</strong> on a sample; a re-run can differ slightly.
        </p>
      )}
      <ClustersControl state={state} />
    </section>
  );
}

/** The Precomputed tab is offered when the data has two numeric columns to draw (or is already drawn by them). */
const offerPrecomputed = (state: State) =>
  state.projection.method === "precomputed" || numericColumns(state.embedding).length >= 2;

/** A method's tab: PCA, custom axes and precomputed coordinates draw at once; t-SNE and UMAP wait for Run. */
function chooseTab(state: State, method: (typeof METHODS)[number][0]): Promise<void> {
  if (method === "custom") return choose({ method, dims: 2 }, false);
  if (method !== "precomputed") return choose({ method }, method === "pca");
  const coords = state.params.coords.length ? state.params.coords : defaultCoords(state.embedding);
  setParams({ coords });
  return choose({ method, dims: coords.length >= 3 && state.projection.dims === 3 ? 3 : 2 });
}

function RunNeeded({ state }: { state: State }) {
  const text = runNeeded(state);
  return text ? (
    <p class="note run-needed" id="run-needed" role="status">
      {text}
    </p>
  ) : null;
}

function Pca({ state }: { state: State }) {
  const choice = state.projection;
  const variance = state.variance;
  const shown = choice.axes.slice(0, choice.dims);
  return (
    <div class="pca">
      {AXES.slice(0, choice.dims).map((axis, a) => (
        <label class="field inline" key={axis}>
          <span>{axis}</span>
          <select
            id={`pca-${axis.toLowerCase()}`}
            value={String(choice.axes[a])}
            onChange={(e) => void choose({ axes: withAxis(choice.axes, a, Number((e.currentTarget as HTMLSelectElement).value)) })}
          >
            {Array.from({ length: state.options?.projection.pca_components ?? 0 }, (_, c) => {
              const on = axisShowing(choice.axes, choice.dims, a, c); // chosen here: the two axes swap
              return (
                <option key={c} value={String(c)}>
                  {`PC${c + 1}${variance ? ` · ${pct(variance[c] ?? 0)}` : ""}${on ? ` (on ${on}: swap)` : ""}`}
                </option>
              );
            })}
          </select>
        </label>
      ))}
      {variance && (
        <p class="note" id="pca-variance">
          Variance shown: <strong>{pct(shown.reduce((s, c) => s + (variance[c] ?? 0), 0))}</strong>
        </p>
      )}
    </div>
  );
}
