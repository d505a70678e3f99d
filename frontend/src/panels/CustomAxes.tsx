// Custom axes: a metadata column and four patterns (left, right, up, down) whose matching rows' means span the axes,
// each with a live count of the rows it matches (once applied, the count the server's projection reports).
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { errorMessage } from "../state/failure";
import { project, setParams } from "../state/projectionActions";
import type { ProjectionParams, State } from "../state/store";
import { W } from "./fields";

const SIDES = [
  ["left", "Left"],
  ["right", "Right"],
  ["up", "Up"],
  ["down", "Down"],
] as const;

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
        (err: unknown) => mine === seq.current && setCount(errorMessage(err)),
      );
    }, 200);
    return () => window.clearTimeout(timer);
  }, [emb, pattern, column, regex]);
  return count;
}

export function CustomAxes({ state }: { state: State }) {
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

/** The rows the shown custom projection's pattern matched (the server's summary), when it is this very pattern. */
function appliedCount(state: State, side: string, pattern: string, column: string | null): number | null {
  const job = state.job;
  if (job?.method !== "custom" || job.state !== "done" || !job.summary?.counts) return null;
  const params = job.params as Record<string, unknown>;
  const same = params[side] === pattern && params.column === column && params.regex === state.params.regex;
  return same ? (job.summary.counts[side] ?? null) : null;
}

function Pattern(props: { state: State; side: keyof ProjectionParams; name: string; column: string | null }) {
  const p = props.state.params;
  const value = p[props.side] as string;
  const live = useMatchCount(props.state, value, props.column, p.regex);
  const count = appliedCount(props.state, props.side, value, props.column) ?? live;
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
