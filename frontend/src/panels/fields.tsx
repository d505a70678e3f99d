// The projection panel's parameter inputs: a number input whose bounds, default and help are the server's
// (GET /api/options, state/options.ts), and the seed input.
import type { JobStatus, ParamOption, RangeOption } from "../api/types";
import { etaTracker, timeLeftText } from "../state/eta";
import { attr, boundsOf, clampTo, graphChoice } from "../state/options";
import type { NeighborGraph } from "../state/store";

export const W = { minWidth: "92px" }; // one label column for the parameter rows
const numberOf = (e: Event) => Number((e.currentTarget as HTMLInputElement).value);

export const isRunning = (job: JobStatus | null) =>
  job !== null && (job.state === "running" || job.state === "queued" || job.state === "paused");

interface NumberFieldProps {
  id: string;
  label: string;
  param: ParamOption | RangeOption; // the server's description: min, max, help
  value: number | "";
  set: (value: number) => void; // the number typed (NaN when the box is empty)
  step?: number;
  placeholder?: string;
}

/** A parameter's number input, bounded as the server bounds it, with the server's help as its tooltip. */
export function NumberField({ id, label, param, value, set, step, placeholder }: NumberFieldProps) {
  const b = boundsOf(param);
  const help = "help" in param ? (param.help ?? undefined) : undefined;
  return (
    <label class="field inline">
      <span style={W}>{label}</span>
      <input
        id={id}
        type="number"
        min={attr(b.min)}
        max={attr(b.max)}
        step={step}
        placeholder={placeholder}
        title={help}
        value={value}
        onChange={(e) => set(numberOf(e))}
      />
    </label>
  );
}

/** The random seed: a whole number within the server's bounds (an empty box: the lowest). */
export function Seed({ id, range, value, set }: { id: string; range: RangeOption; value: number; set: (v: number) => void }) {
  return (
    <NumberField
      id={id}
      label="Seed"
      param={range}
      step={1}
      value={value}
      set={(v) => set(clampTo(Math.floor(v || 0), boundsOf(range)))}
    />
  );
}

const GRAPH_LABELS: Record<NeighborGraph, string> = {
  auto: "auto", // exact below 50,000 points, approximate from there (the select's title says so)
  exact: "exact",
  approximate: "approximate",
};

/** t-SNE's and UMAP's k-NN graph: exact, approximate, or chosen by size (the server's choices and help). */
export function GraphField({ id, param, value, set }: { id: string; param: ParamOption; value: NeighborGraph; set: (v: NeighborGraph) => void }) {
  const choices = (param.choices ?? ["auto", "exact", "approximate"]).map(graphChoice).filter((c) => c !== undefined);
  return (
    <label class="field inline">
      <span style={W}>Graph</span>
      <select id={id} title={param.help ?? undefined} value={value} onChange={(e) => set(graphChoice(e.currentTarget.value) ?? "auto")}>
        {choices.map((c) => (
          <option value={c} key={c}>
            {GRAPH_LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}

const eta = etaTracker();

/** " · about 2 min left" for a running job whose stage has gone long enough to tell, else "". */
export function timeLeft(job: JobStatus | null): string {
  const seconds = eta(job, performance.now());
  return seconds === null ? "" : ` · ${timeLeftText(seconds)}`;
}
