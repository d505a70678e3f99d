// The shown embedding compared with another of the same items (POST .../compare): each item's share of k nearest
// neighbours the two have in common becomes the numeric column `neighbour_overlap`, coloured by at once; a clicked
// point's k nearest neighbours in both are listed side by side (the neighbours route of each embedding).
import { api } from "../api/client";
import type { Metric, Neighbor } from "../api/types";
import { fail } from "./failure";
import { withInfo } from "./metadataActions";
import { setColorChoice } from "./scatterActions";
import { store } from "./store";

const BUSY = "Comparing neighbourhoods…";

export interface VersusNeighbors {
  focus: number;
  here: Neighbor[];
  there: Neighbor[]; // their `index` is a row of the other embedding
}

let seq = 0;

/** Compare the shown embedding with embedding `tensor` of run `run`: k neighbours, items matched by label or row. */
export async function compareWith(run: string, tensor: string, k: number, by: "label" | "row" = "label"): Promise<void> {
  const emb = store.get().embedding;
  if (emb === null) return;
  const mine = ++seq;
  store.set({ busy: BUSY, error: null });
  try {
    const answer = await api.compareEmbeddings(emb.run, emb.id, { run, tensor, k, by, metric: store.get().metric });
    const now = store.get();
    if (mine !== seq || now.embedding?.id !== emb.id || now.embedding.run !== emb.run) return;
    const columns = { ...now.columns };
    for (const name of answer.columns) delete columns[name]; // new values: fetched afresh
    store.set({ versus: answer, versusNeighbors: null, embedding: answer.embedding, runs: withInfo(now.runs, answer.embedding), columns });
    await setColorChoice(answer.columns[0] ?? null, "numeric");
    await refreshVersus();
  } catch (err) {
    if (mine === seq) fail(err);
  } finally {
    if (store.get().busy === BUSY) store.set({ busy: null });
  }
}

export function stopComparing(): void {
  seq += 1;
  store.set({ versus: null, versusNeighbors: null });
}

/** What the other embedding calls the clicked point: its label (the server's label column), or its row when items
 * are matched by row. */
export const queryThere = (by: string, label: string, focus: number): number | string => (by === "row" ? focus : label);

/** The clicked point's k nearest neighbours in both embeddings (once per point and comparison). */
export async function refreshVersus(): Promise<void> {
  const s = store.get();
  const v = s.versus;
  const emb = s.embedding;
  if (v === null || emb === null || s.focus === null || s.versusNeighbors?.focus === s.focus) return;
  const focus = s.focus;
  const mine = ++seq;
  try {
    const here = await api.neighbors(emb.run, emb.id, focus, v.k, v.metric as Metric);
    let there: Neighbor[] = [];
    try {
      const query = queryThere(v.by, here.query?.label ?? String(focus), focus);
      there = (await api.neighbors(v.other.run, v.other.tensor, query, v.k, v.metric as Metric)).neighbors;
    } catch {
      there = []; // the point is not in the other embedding: its list stays empty (the panel says so)
    }
    if (mine === seq && store.get().focus === focus) store.set({ versusNeighbors: { focus, here: here.neighbors, there } });
  } catch (err) {
    if (mine === seq) fail(err);
  }
}

// Another point clicked while comparing: its neighbours in both.
store.subscribe((s) => {
  if (s.versus !== null && s.focus !== null && s.versusNeighbors?.focus !== s.focus) void refreshVersus();
});
