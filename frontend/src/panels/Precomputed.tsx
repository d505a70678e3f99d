// Precomputed coordinates: numeric metadata columns (x, y, z by default, or an exported projection read back with
// --coords) drawn as they are; the neighbours stay those of the original space.
import { choose, defaultCoords, numericColumns, setParams } from "../state/projectionActions";
import type { State } from "../state/store";
import { W } from "./fields";

const AXES = ["X", "Y", "Z"] as const;

export function Precomputed({ state }: { state: State }) {
  const numeric = numericColumns(state.embedding);
  const dims = state.projection.dims;
  const chosen = state.params.coords.length ? state.params.coords : defaultCoords(state.embedding);
  const missing = state.job?.method === "precomputed" && state.job.state === "done" ? state.job.summary?.missing : null;
  const pick = (axis: number, name: string) => {
    const next = [...chosen];
    const other = next.indexOf(name);
    if (other >= 0 && other !== axis) next[other] = next[axis] ?? ""; // a column already on another axis: they swap
    next[axis] = name;
    setParams({ coords: next });
    void choose({});
  };
  return (
    <div class="precomputed">
      {AXES.slice(0, dims).map((axis, a) => (
        <label class="field inline" key={axis}>
          <span style={W}>{axis}</span>
          <select
            id={`coords-${axis.toLowerCase()}`}
            value={chosen[a] ?? ""}
            onChange={(e) => pick(a, (e.currentTarget as HTMLSelectElement).value)}
          >
            {chosen[a] === undefined && <option value="">(choose)</option>}
            {numeric.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      ))}
      <p class="note">Coordinates computed elsewhere, drawn as they are; neighbours are still found in the original space.</p>
      {typeof missing === "number" && missing > 0 && (
        <p class="note" id="coords-missing">
          {missing.toLocaleString("en-US")} rows have no coordinates and are not drawn.
        </p>
      )}
    </div>
  );
}
