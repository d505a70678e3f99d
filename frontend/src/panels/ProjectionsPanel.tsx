// Projections panel: PCA with component selectors and their variance, t-SNE with a live iteration count.
import { runProjection, setProjection, stopProjection } from "../state/actions";
import type { State } from "../state/store";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const AXES = ["X", "Y", "Z"] as const;

export function ProjectionsPanel({ state }: { state: State }) {
  const choice = state.projection;
  const job = state.job;
  const running = job !== null && (job.state === "running" || job.state === "queued" || job.state === "paused");
  const variance = state.variance;
  const shown = choice.axes.slice(0, choice.dims);
  const quality = job?.state === "done" ? job.summary?.quality : null;
  return (
    <section class="panel" aria-labelledby="proj-title">
      <h2 id="proj-title">Projection</h2>
      <div class="tabs" role="tablist">
        {(["pca", "tsne"] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            id={`tab-${m}`}
            aria-selected={choice.method === m}
            onClick={() => void setProjection({ method: m }, m === "pca")}
          >
            {m === "pca" ? "PCA" : "t-SNE"}
          </button>
        ))}
      </div>
      <div class="segmented" role="group" aria-label="Dimensions">
        {([2, 3] as const).map((d) => (
          <button
            key={d}
            type="button"
            id={`dims-${d}`}
            aria-pressed={choice.dims === d}
            onClick={() => void setProjection({ dims: d }, choice.method === "pca")}
          >
            {d}-D
          </button>
        ))}
      </div>
      {choice.method === "pca" ? (
        <div class="pca">
          {AXES.slice(0, choice.dims).map((axis, a) => (
            <label class="field inline" key={axis}>
              <span>{axis}</span>
              <select
                id={`pca-${axis.toLowerCase()}`}
                value={String(choice.axes[a])}
                onChange={(e) => {
                  const axes = [...choice.axes] as [number, number, number];
                  axes[a] = Number((e.currentTarget as HTMLSelectElement).value);
                  void setProjection({ axes });
                }}
              >
                {Array.from({ length: 10 }, (_, c) => (
                  <option key={c} value={String(c)}>
                    {`PC${c + 1}${variance ? ` · ${pct(variance[c] ?? 0)}` : ""}`}
                  </option>
                ))}
              </select>
            </label>
          ))}
          {variance && (
            <p class="note" id="pca-variance">
              Variance shown: <strong>{pct(shown.reduce((s, c) => s + (variance[c] ?? 0), 0))}</strong>
            </p>
          )}
        </div>
      ) : (
        <div class="tsne">
          <label class="field inline">
            <span>Perplexity</span>
            <input
              type="number"
              min={2}
              max={100}
              value={choice.perplexity}
              onChange={(e) => void setProjection({ perplexity: Number((e.currentTarget as HTMLInputElement).value) }, false)}
            />
          </label>
          <label class="field inline">
            <span>Iterations</span>
            <input
              id="tsne-iterations"
              type="number"
              min={250}
              max={10000}
              step={50}
              value={choice.iterations}
              onChange={(e) => void setProjection({ iterations: Number((e.currentTarget as HTMLInputElement).value) }, false)}
            />
          </label>
          <div class="buttons">
            <button type="button" class="primary" id="tsne-run" disabled={running} onClick={() => void runProjection()}>
              Run
            </button>
            <button type="button" id="tsne-stop" disabled={!running} onClick={() => void stopProjection()}>
              Stop
            </button>
          </div>
          {job && job.method === "tsne" && (
            <p class="note" id="tsne-iteration">
              {job.iteration !== null ? `Iteration ${job.iteration.toLocaleString("en-US")}` : job.stage}
              {job.total ? ` / ${job.total.toLocaleString("en-US")}` : ""} · {job.state}
            </p>
          )}
        </div>
      )}
      {typeof quality === "number" && (
        <p class="note quality" id="quality" title="Share of each point's 10 nearest neighbours (original space) that are also among its 10 nearest in this projection">
          Neighbour quality <strong>{pct(quality)}</strong>: how many of each point's 10 nearest neighbours stay near here.
        </p>
      )}
    </section>
  );
}
