// The map's cluster labels over the plot (render/clusterLabels.ts chooses the level and places them): click one to
// select its cluster, double-click to rename it (Enter keeps the name, Escape leaves it; an empty name gives back the
// one made from the cluster's terms).
import { useEffect, useRef, useState } from "preact/hooks";
import type { ScatterView } from "../render/scatter";
import { chooseClusterLabels, coarse } from "../render/clusterLabels";
import { clusterMarks, clustersShown, renameCluster, selectCluster } from "../state/clusterActions";
import type { State } from "../state/store";

interface Props {
  state: State;
  view: ScatterView | null;
  moves: Set<() => void>; // called when the camera moves
}

export function ClusterLabels({ state, view, moves }: Props) {
  const [, setTick] = useState(0);
  const [editing, setEditing] = useState<number | null>(null);
  const frame = useRef(0);
  useEffect(() => {
    const again = () => {
      if (frame.current === 0) {
        frame.current = requestAnimationFrame(() => {
          frame.current = 0;
          setTick((t) => t + 1);
        });
      }
    };
    moves.add(again);
    again(); // the points were just drawn (their effect ran before this one)
    return () => {
      moves.delete(again);
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [moves, view, state.coords?.version, state.clusters]);

  const clusters = clustersShown(state);
  const canvas = view?.canvas;
  if (!clusters || !view || !canvas || !state.coords) return null;
  const { level, placed } = chooseClusterLabels(
    clusterMarks(clusters, (row) => view.screenPosition(row)),
    clusters.levels,
    canvas.clientWidth,
    canvas.clientHeight,
  );
  const byId = new Map(clusters.clusters.map((c) => [c.id, c]));
  return (
    <div
      class="cluster-labels"
      id="cluster-labels"
      data-level={level}
      aria-label="Cluster labels"
    >
      {placed.map((p) => {
        const c = byId.get(p.id);
        const where = { left: `${p.x}px`, top: `${p.y}px` };
        if (editing === p.id) {
          return (
            <input
              key={p.id}
              class="cluster-rename"
              style={where}
              aria-label="Cluster name"
              defaultValue={p.text}
              ref={(el) => el?.focus()}
              onKeyDown={(e) => {
                e.stopPropagation(); // the page's shortcuts stay out of the name
                if (e.key === "Enter") {
                  setEditing(null);
                  void renameCluster(p.id, e.currentTarget.value);
                } else if (e.key === "Escape") setEditing(null);
              }}
              onBlur={() => setEditing(null)}
            />
          );
        }
        const terms = c?.terms.map(([t]) => t).join(", ") ?? "";
        return (
          <button
            key={p.id}
            type="button"
            class={`cluster-label${coarse(p.level, clusters.levels) ? " coarse" : ""}${c?.renamed ? " renamed" : ""}`}
            data-cluster={p.id}
            data-level={p.level}
            style={where}
            title={`${p.text}: ${p.size.toLocaleString("en-US")} points${c?.renamed ? ` (named; made from ${terms})` : ""}. Click to select, double-click to rename.`}
            onClick={() => void selectCluster(p.id)}
            onDblClick={() => setEditing(p.id)}
          >
            {p.text}
          </button>
        );
      })}
    </div>
  );
}
