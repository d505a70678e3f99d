// UMAP's settings (neighbours, minimum distance, seed: bounds and defaults from the server) and its progress.
import type { Options } from "../api/types";
import { boundsOf, clampTo, paramOf } from "../state/options";
import { project, setParams, stopJob } from "../state/projectionActions";
import type { State } from "../state/store";
import { GraphField, NumberField, Seed, isRunning, timeLeft } from "./fields";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export function UmapSettings({ state, options }: { state: State; options: Options }) {
  const p = state.params;
  const job = state.job?.method === "umap" ? state.job : null;
  const running = isRunning(job);
  const neighbors = paramOf(options, "umap", "n_neighbors");
  const minDist = paramOf(options, "umap", "min_dist");
  return (
    <div class="umap">
      <NumberField
        id="umap-neighbors"
        label="Neighbours"
        param={neighbors}
        value={p.neighbors}
        set={(v) => setParams({ neighbors: clampTo(Math.round(v), boundsOf(neighbors)) })}
      />
      <NumberField
        id="umap-min-dist"
        label="Min distance"
        param={minDist}
        step={0.05}
        value={p.minDist}
        set={(v) => setParams({ minDist: clampTo(v, boundsOf(minDist)) })}
      />
      <Seed id="umap-seed" range={options.projection.random_state} value={p.umapSeed} set={(v) => setParams({ umapSeed: v })} />
      <GraphField id="umap-graph" param={paramOf(options, "umap", "neighbors")} value={p.graph} set={(v) => setParams({ graph: v })} />
      <label class="field inline" title={paramOf(options, "umap", "parallel").help ?? undefined}>
        <input id="umap-parallel" type="checkbox" checked={p.parallel} onChange={(e) => setParams({ parallel: e.currentTarget.checked })} />
        <span>Parallel layout: faster, not reproducible</span>
      </label>
      <div class="buttons">
        <button type="button" class="primary" id="umap-run" disabled={running} onClick={() => void project()}>
          Run
        </button>
        <button type="button" id="umap-stop" disabled={!running} onClick={() => void stopJob()}>
          Stop
        </button>
      </div>
      {job && (
        <div id="umap-progress">
          <progress
            max={1}
            value={job.state === "done" ? 1 : (job.fraction ?? undefined)}
            style={{ width: "100%" }}
            aria-label="UMAP progress"
          />
          <p class="note" id="umap-status">
            {job.state === "done"
              ? "done"
              : `${job.stage}${job.fraction !== null ? ` · ${pct(job.fraction)}` : ""} · ${job.state}${timeLeft(job)}`}
          </p>
        </div>
      )}
    </div>
  );
}
