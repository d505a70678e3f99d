// "Label clusters": the map's clusters named on the plot (ClusterLabels.tsx), the column they are named from, and what
// was found (state/clusterActions.ts).
import { CLUSTER_COLUMNS, clustersShown, setClusterColumn, setClustersOn } from "../state/clusterActions";
import type { State } from "../state/store";

const fmt = (n: number) => n.toLocaleString("en-US");
const KIND: Record<string, string> = {
  text: "the words that set each apart",
  categorical: "their commonest values",
  members: "their most typical members",
};

export function ClustersControl({ state }: { state: State }) {
  const emb = state.embedding;
  if (!emb) return null;
  const shown = clustersShown(state);
  const names = emb.columns.map((c) => c.name).filter((n) => !(CLUSTER_COLUMNS as readonly string[]).includes(n));
  const count = (level: number) => (shown ? shown.clusters.filter((c) => c.level === level).length : 0);
  const base = shown ? count(shown.base_level) : 0;
  const parts = shown && shown.levels > shown.base_level + 1 ? count(shown.base_level + 1) : 0;
  return (
    <div class="clusters-control">
      <label
        class="toggle"
        title="Find the map's clusters (HDBSCAN on the points drawn) and name them on the plot, coarse groups when zoomed out and their parts when zoomed in; they become the columns cluster and cluster_label"
      >
        <input
          type="checkbox"
          id="clusters-on"
          checked={state.clustersOn}
          onChange={(e) => setClustersOn((e.currentTarget as HTMLInputElement).checked)}
        />
        <span>Label clusters</span>
      </label>
      {state.clustersOn && names.length > 0 && (
        <label class="field inline">
          <span>Named by</span>
          <select
            id="cluster-column"
            value={state.clusterColumn ?? ""}
            onChange={(e) => {
              const value = (e.currentTarget as HTMLSelectElement).value;
              setClusterColumn(value === "" ? null : value);
            }}
          >
            <option value="">{emb.label_column ? `${emb.label_column} (labels)` : "labels"}</option>
            {names
              .filter((n) => n !== emb.label_column)
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </select>
        </label>
      )}
      {shown && (
        <p class="note" id="cluster-summary">
          <strong>{fmt(base)}</strong> clusters{parts ? `, ${fmt(parts)} parts` : ""}
          {shown.base_level > 0 ? ` in ${fmt(count(0))} groups` : ""}
          {shown.noise > 0 ? `, ${fmt(shown.noise)} points in none` : ""}
          {shown.label_kind ? `; named by ${KIND[shown.label_kind] ?? shown.label_kind}` : ""}. Click a label to
          select its points, double-click to rename it.
        </p>
      )}
    </div>
  );
}
