// Clusters of the map shown: found on the server once the projection is done (while "Label clusters" is on), as the
// embedding's `cluster` and `cluster_label` columns; selected by clicking a label; renamed (the server keeps names).
import { api } from "../api/client";
import type { ClustersResponse, EmbeddingInfo } from "../api/types";
import type { ClusterMark } from "../render/clusterLabels";
import { loadColumn } from "./actions";
import { fail } from "./failure";
import { withInfo } from "./metadataActions";
import { type State, store } from "./store";

export const CLUSTER_COLUMNS = ["cluster", "cluster_label", "subcluster", "subcluster_label"] as const;
const BUSY = "Finding clusters…";

let asked: string | null = null; // the request in flight, or the last one that failed (not asked again on its own)

/** What a request for the state's clusters is: the job and the naming column (null: the server's label column). */
function askOf(state: State): string | null {
  const job = state.job;
  if (!state.clustersOn || job === null || job.state !== "done" || state.embedding === null) return null;
  return `${job.id}|${state.clusterColumn ?? ""}`;
}

/** Whether the clusters held are those of the map shown, named from the column chosen. */
export function clustersShown(state: State): ClustersResponse | null {
  const c = state.clusters;
  if (!state.clustersOn || c === null || c.job_id !== state.job?.id) return null;
  return c.column === (state.clusterColumn ?? state.embedding?.label_column ?? null) ? c : null;
}

/** The store with an embedding's new description everywhere; the cluster columns' values are fetched afresh. */
export function withClusterColumns(state: State, info: EmbeddingInfo): Partial<State> {
  const columns = { ...state.columns };
  for (const name of CLUSTER_COLUMNS) delete columns[name];
  return { embedding: info, columns, runs: withInfo(state.runs, info) };
}

async function reloadColumns(): Promise<void> {
  const s = store.get();
  const used = new Set<string | null>(["cluster", "subcluster", s.labelBy, s.colorBy, s.searchColumn]);
  await Promise.all(CLUSTER_COLUMNS.filter((c) => used.has(c)).map((c) => loadColumn(c)));
}

function show(answer: ClustersResponse): void {
  store.set({ clusters: answer, ...withClusterColumns(store.get(), answer.embedding) });
}

/** Ask the server for the clusters of the map shown (unless asked already). */
export async function findClusters(): Promise<void> {
  const ask = askOf(store.get());
  const job = store.get().job;
  if (ask === null || job === null || ask === asked) return;
  asked = ask;
  store.set({ busy: store.get().busy ?? BUSY });
  try {
    const answer = await api.findClusters(job.id, store.get().clusterColumn);
    if (askOf(store.get()) !== ask) return; // the map or the choice changed meanwhile
    show(answer);
    asked = null;
    await reloadColumns();
  } catch (err) {
    fail(err); // `asked` stays: the same request is not made again until something changes
  } finally {
    if (store.get().busy === BUSY) store.set({ busy: null });
  }
}

/** Find the clusters whenever a map is done while they are on (boot.ts starts it). */
export function watchClusters(): () => void {
  return store.subscribe((state) => {
    const ask = askOf(state);
    if (ask !== null && ask !== asked && clustersShown(state) === null) void findClusters();
  });
}

export function setClustersOn(on: boolean): void {
  asked = null;
  store.set({ clustersOn: on });
}

export function setClusterColumn(column: string | null): void {
  asked = null;
  store.set({ clusterColumn: column });
}

/** The clusters of level `level` inside cluster `id` (itself when it is of that level). */
export function under(clusters: ClustersResponse, id: number, level: number): Set<number> {
  const parent = new Map(clusters.clusters.map((c) => [c.id, c.parent ?? null]));
  const out = new Set<number>();
  for (const c of clusters.clusters) {
    if (c.level !== level) continue;
    for (let at: number | null = c.id; at !== null; at = parent.get(at) ?? null) {
      if (at === id) {
        out.add(c.id);
        break;
      }
    }
  }
  return out;
}

/** The labels' marks: each cluster at its middle member's screen position (`at`), a cluster worth splitting when
 * its parts' names say more than its own (not "5", "5 (2)", "5 (3)"). */
export function clusterMarks(clusters: ClustersResponse, at: (row: number) => [number, number] | null): ClusterMark[] {
  const stem = (label: string) => label.replace(/ \(\d+\)$/, "");
  const kids = new Map<number, string[]>();
  for (const c of clusters.clusters) if (c.parent !== null) kids.set(c.parent, [...(kids.get(c.parent) ?? []), stem(c.label)]);
  const marks: ClusterMark[] = [];
  for (const c of clusters.clusters) {
    const xy = at(c.row);
    if (!xy) continue;
    const refine = (kids.get(c.id) ?? []).some((k) => k !== stem(c.label));
    marks.push({ id: c.id, level: c.level, size: c.size, text: c.label, x: xy[0], y: xy[1], parent: c.parent ?? null, refine });
  }
  return marks;
}

/** Select the points of a cluster (of any level). */
export async function selectCluster(id: number): Promise<void> {
  const clusters0 = clustersShown(store.get());
  const level = clusters0?.clusters.find((c) => c.id === id)?.level ?? 0;
  const column = clusters0 && level > clusters0.base_level ? "subcluster" : "cluster";
  await loadColumn(column);
  const s = store.get();
  const clusters = clustersShown(s);
  const values = s.columns[column];
  if (clusters === null || !values) return;
  const fine = under(clusters, id, column === "subcluster" ? level : clusters.base_level);
  const selection: number[] = [];
  values.forEach((v, i) => {
    if (typeof v === "number" && fine.has(v)) selection.push(i);
  });
  store.set({ selection, selectionSource: "cluster", focus: null, neighbors: null, searchCount: null });
}

/** Name a cluster (an empty name: back to the one made from its terms). */
export async function renameCluster(id: number, name: string): Promise<void> {
  const clusters = clustersShown(store.get());
  if (clusters === null) return;
  try {
    const answer = await api.nameCluster(clusters.job_id, id, name.trim() === "" ? null : name.trim());
    if (store.get().clusters?.job_id !== answer.job_id) return;
    show(answer);
    await reloadColumns();
  } catch (err) {
    fail(err);
  }
}
