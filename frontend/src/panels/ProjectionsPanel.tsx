// Projections panel: PCA (components and their variance), t-SNE (live iterations, pause/resume, stop, re-run),
// UMAP (progress), custom axes (patterns with live match counts); the quality figure of the result.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { JobStatus } from "../api/types";
import {
  choose,
  pauseJob,
  project,
  rerunTsne,
  resumeJob,
  setParams,
  stopJob,
} from "../state/projectionActions";
import type { ProjectionParams, State } from "../state/store";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const AXES = ["X", "Y", "Z"] as const;
const METHODS = [
  ["pca", "PCA"],
  ["tsne", "t\u2011SNE"], // a non-breaking hyphen: the tab stays on one line
  ["umap", "UMAP"],
  ["custom", "Custom"],
] as const;
const SIDES = [
  ["left", "Left"],
  ["right", "Right"],
  ["up", "Up"],
  ["down", "Down"],
] as const;
const W = { minWidth: "92px" }; // one label column for the parameter rows
const num = (e: Event) => Number((e.currentTarget as HTMLInputElement).value);

const isRunning = (job: JobStatus | null) =>
  job !== null && (job.state === "running" || job.state === "queued" || job.state === "paused");

export function ProjectionsPanel({ state }: { state: State }) {
  const choice = state.projection;
  const job = state.job;
  const quality = job?.state === "done" && job.method === choice.method ? job.summary?.quality : null;
  return (
    <section class="panel" aria-labelledby="proj-title">
      <h2 id="proj-title">Projection</h2>
      <div class="tabs" role="tablist">
        {METHODS.map(([m, name]) => (
          <button
            key={m}
            type="button"
            role="tab"
            id={`tab-${m}`}
            aria-selected={choice.method === m}
            onClick={() => void choose(m === "custom" ? { method: m, dims: 2 } : { method: m }, m === "pca")}
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
              onClick={() => void choose({ dims: d }, choice.method === "pca")}
            >
              {d}-D
            </button>
          ))}
        </div>
      )}
      {choice.method === "pca" && <Pca state={state} />}
      {choice.method === "tsne" && <Tsne state={state} />}
      {choice.method === "umap" && <Umap state={state} />}
      {choice.method === "custom" && <Custom state={state} />}
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
    </section>
  );
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
            onChange={(e) => {
              const axes = [...choice.axes] as [number, number, number];
              axes[a] = Number((e.currentTarget as HTMLSelectElement).value);
              void choose({ axes });
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
  );
}

function Tsne({ state }: { state: State }) {
  const choice = state.projection;
  const p = state.params;
  const job = state.job?.method === "tsne" ? state.job : null;
  const running = isRunning(job);
  return (
    <div class="tsne">
      <label class="field inline">
        <span style={W}>Perplexity</span>
        <input
          id="tsne-perplexity"
          type="number"
          min={2}
          max={100}
          value={choice.perplexity}
          onChange={(e) => void choose({ perplexity: num(e) }, false)}
        />
      </label>
      <label class="field inline">
        <span style={W}>Learning rate</span>
        <input
          id="tsne-learning-rate"
          type="number"
          min={0}
          max={10000}
          step={10}
          placeholder="auto"
          title="0 or empty: auto (N / early exaggeration / 4)"
          value={p.learningRate > 0 ? p.learningRate : ""}
          onChange={(e) => setParams({ learningRate: Math.max(0, num(e) || 0) })}
        />
      </label>
      <label class="field inline">
        <span style={W}>Iterations</span>
        <input
          id="tsne-iterations"
          type="number"
          min={250}
          max={10000}
          step={50}
          value={choice.iterations}
          onChange={(e) => void choose({ iterations: num(e) }, false)}
        />
      </label>
      <Seed id="tsne-seed" value={p.tsneSeed} set={(v) => setParams({ tsneSeed: v })} />
      <div class="buttons" style={{ flexWrap: "wrap" }}>
        <button type="button" class="primary" id="tsne-run" disabled={running} onClick={() => void project()}>
          Run
        </button>
        {job?.state === "paused" ? (
          <button type="button" id="tsne-resume" onClick={() => void resumeJob()}>
            Resume
          </button>
        ) : (
          <button type="button" id="tsne-pause" disabled={!running} onClick={() => void pauseJob()}>
            Pause
          </button>
        )}
        <button type="button" id="tsne-stop" disabled={!running} onClick={() => void stopJob()}>
          Stop
        </button>
        <button type="button" id="tsne-rerun" title="Start again with the next seed" onClick={() => void rerunTsne()}>
          Re{"\u2011"}run
        </button>
      </div>
      {job && (
        <p class="note" id="tsne-iteration">
          {job.iteration !== null ? `Iteration ${job.iteration.toLocaleString("en-US")}` : job.stage}
          {job.total ? ` / ${job.total.toLocaleString("en-US")}` : ""} · {job.state}
        </p>
      )}
    </div>
  );
}

function Seed({ id, value, set }: { id: string; value: number; set: (v: number) => void }) {
  return (
    <label class="field inline">
      <span style={W}>Seed</span>
      <input
        id={id}
        type="number"
        min={0}
        step={1}
        value={value}
        onChange={(e) => set(Math.max(0, Math.floor(num(e) || 0)))}
      />
    </label>
  );
}

function Umap({ state }: { state: State }) {
  const p = state.params;
  const job = state.job?.method === "umap" ? state.job : null;
  const running = isRunning(job);
  return (
    <div class="umap">
      <label class="field inline">
        <span style={W}>Neighbours</span>
        <input
          id="umap-neighbors"
          type="number"
          min={2}
          max={200}
          value={p.neighbors}
          onChange={(e) => setParams({ neighbors: Math.min(200, Math.max(2, Math.round(num(e)))) })}
        />
      </label>
      <label class="field inline">
        <span style={W}>Min distance</span>
        <input
          id="umap-min-dist"
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={p.minDist}
          onChange={(e) => setParams({ minDist: Math.min(1, Math.max(0, num(e))) })}
        />
      </label>
      <Seed id="umap-seed" value={p.umapSeed} set={(v) => setParams({ umapSeed: v })} />
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
              : `${job.stage}${job.fraction !== null ? ` · ${pct(job.fraction)}` : ""} · ${job.state}`}
          </p>
        </div>
      )}
    </div>
  );
}

/** Live count of the rows a pattern matches (the search route, same matching rules as the custom axes). */
function useMatchCount(state: State, pattern: string, column: string | null, regex: boolean): number | string | null {
  const [count, setCount] = useState<number | string | null>(null);
  const seq = useRef(0);
  const emb = state.embedding;
  useEffect(() => {
    const mine = ++seq.current;
    if (!emb || !column || pattern.trim() === "") {
      setCount(null);
      return;
    }
    const timer = window.setTimeout(() => {
      api.search(emb.run, emb.id, pattern, { column, regex }).then(
        (r) => mine === seq.current && setCount(r.count),
        (err: Error) => mine === seq.current && setCount(err.message),
      );
    }, 200);
    return () => window.clearTimeout(timer);
  }, [emb, pattern, column, regex]);
  return count;
}

function Custom({ state }: { state: State }) {
  const p = state.params;
  const column = p.column ?? state.labelBy;
  const any = SIDES.some(([side]) => p[side].trim() !== "");
  return (
    <div class="custom">
      <label class="field inline">
        <span style={W}>Column</span>
        <select
          id="custom-column"
          value={column ?? ""}
          onChange={(e) => setParams({ column: (e.currentTarget as HTMLSelectElement).value })}
        >
          {state.embedding?.columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      {SIDES.map(([side, name]) => (
        <Pattern key={side} state={state} side={side} name={name} column={column} />
      ))}
      <label class="field inline">
        <span style={W}>Regex</span>
        <input
          id="custom-regex"
          type="checkbox"
          checked={p.regex}
          style={{ flex: "none" }}
          onChange={(e) => setParams({ regex: (e.currentTarget as HTMLInputElement).checked })}
        />
      </label>
      <div class="buttons">
        <button
          type="button"
          class="primary"
          id="custom-run"
          disabled={!any}
          onClick={() => {
            if (p.column === null) setParams({ column });
            void project();
          }}
        >
          Apply
        </button>
      </div>
      {state.axisLabels && state.job?.method === "custom" && (
        <p class="note" id="custom-axes">
          X: <strong>{state.axisLabels.x}</strong> · Y: <strong>{state.axisLabels.y}</strong>
        </p>
      )}
    </div>
  );
}

function Pattern(props: { state: State; side: keyof ProjectionParams; name: string; column: string | null }) {
  const p = props.state.params;
  const value = p[props.side] as string;
  const count = useMatchCount(props.state, value, props.column, p.regex);
  return (
    <div class="field" style={{ marginBottom: "6px" }}>
      <label class="field inline" style={{ marginBottom: 0 }}>
        <span style={W}>{props.name}</span>
        <input
          id={`custom-${props.side}`}
          type="text"
          placeholder={p.regex ? "regular expression" : "text"}
          value={value}
          onInput={(e) => setParams({ [props.side]: (e.currentTarget as HTMLInputElement).value })}
        />
      </label>
      {count !== null && (
        <span class="count" id={`custom-${props.side}-count`} style={{ textAlign: "right" }}>
          {typeof count === "number" ? `${count.toLocaleString("en-US")} match${count === 1 ? "" : "es"}` : count}
        </span>
      )}
    </div>
  );
}
