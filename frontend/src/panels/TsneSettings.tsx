// t-SNE's settings (perplexity, learning rate, iterations, seed: bounds, defaults and help from the server) and its
// live run: iterations as they come, pause / resume, stop, re-run with the next seed.
import type { Options } from "../api/types";
import { paramOf } from "../state/options";
import { pauseJob, perturbJob, project, rerunTsne, resumeJob, setParams, stopJob } from "../state/projectionActions";
import type { State } from "../state/store";
import { GraphField, NumberField, Seed, W, isRunning, timeLeft } from "./fields";

export function TsneSettings({ state, options }: { state: State; options: Options }) {
  const p = state.params;
  const job = state.job?.method === "tsne" ? state.job : null;
  const running = isRunning(job);
  const param = (name: string) => paramOf(options, "tsne", name);
  return (
    <div class="tsne">
      <NumberField
        id="tsne-perplexity"
        label="Perplexity"
        param={param("perplexity")}
        value={p.perplexity}
        set={(v) => setParams({ perplexity: v })}
      />
      <NumberField
        id="tsne-learning-rate"
        label="Learning rate"
        param={param("learning_rate")}
        step={10}
        placeholder="auto"
        value={typeof p.learningRate === "number" && p.learningRate > 0 ? p.learningRate : ""}
        set={(v) => setParams({ learningRate: v > 0 ? v : "auto" })}
      />
      <NumberField
        id="tsne-iterations"
        label="Iterations"
        param={param("n_iter")}
        step={50}
        value={p.iterations}
        set={(v) => setParams({ iterations: v })}
      />
      <Seed id="tsne-seed" range={options.projection.random_state} value={p.tsneSeed} set={(v) => setParams({ tsneSeed: v })} />
      <GraphField id="tsne-graph" param={param("neighbors")} value={p.graph} set={(v) => setParams({ graph: v })} />
      <label class="field inline">
        <span style={W}>Supervise</span>
        <select
          id="tsne-supervise"
          title={param("supervise").help ?? undefined}
          value={p.supervise ?? ""}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLSelectElement).value;
            setParams({ supervise: value === "" ? null : value });
          }}
        >
          <option value="">no</option>
          {state.embedding?.columns.map((c) => (
            <option key={c.name} value={c.name}>
              with {c.name}
            </option>
          ))}
        </select>
      </label>
      {p.supervise && (
        <>
          <NumberField
            id="tsne-supervise-strength"
            label="Strength"
            param={param("supervise_strength")}
            step={0.1}
            value={p.superviseStrength}
            set={(v) => setParams({ superviseStrength: v })}
          />
          <label class="field inline" title={param("supervise_ignore").help ?? undefined}>
            <span style={W}>Unlabelled</span>
            <input
              id="tsne-supervise-ignore"
              type="text"
              placeholder="(empty)"
              value={p.superviseIgnore}
              onChange={(e) => setParams({ superviseIgnore: (e.currentTarget as HTMLInputElement).value })}
            />
          </label>
        </>
      )}
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
        <button
          type="button"
          id="tsne-perturb"
          disabled={job?.state !== "running" && job?.state !== "done"}
          title="Nudge the layout with small noise and let it settle again (to leave a poor local layout); a finished layout settles for 250 more iterations"
          onClick={() => void perturbJob()}
        >
          Perturb
        </button>
        <button type="button" id="tsne-rerun" title="Start again with the next seed" onClick={() => void rerunTsne()}>
          Re{"\u2011"}run
        </button>
      </div>
      {job && (
        <p class="note" id="tsne-iteration">
          {job.iteration !== null ? `Iteration ${job.iteration.toLocaleString("en-US")}` : job.stage}
          {job.total ? ` / ${job.total.toLocaleString("en-US")}` : ""} · {job.state}
          {timeLeft(job)}
        </p>
      )}
    </div>
  );
}
