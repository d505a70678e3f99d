// Maps too large to send whole (more points than the server's `tiles_from`): the page draws them from their tile
// pyramid (render/tileView.ts) instead of holding every coordinate, takes no metadata column whole, and asks the
// server for what needs every point: a box selection (GET .../within), search and neighbours (by row, as ever).
import { api } from "../api/client";
import type { JobStatus } from "../api/types";
import { fail } from "./failure";
import { type BoxMode, boxSelect } from "./boxSelection";
import { type State, largeTable, store } from "./store";


/** Whether a map of `rows` points in `dims` dimensions is drawn from tiles (3-D maps are always sent whole). */
export function tiledMap(state: Pick<State, "options">, rows: number, dims: number): boolean {
  const from = state.options?.map?.tiles_from;
  return dims === 2 && from !== undefined && rows > from;
}

/** Show a finished job's map from its tiles: the pyramid (the server builds it on the first request), then the view
 * loads the tiles it needs. `superseded`: a newer projection started meanwhile. */
export async function showTiles(job: JobStatus, superseded: () => boolean): Promise<void> {
  store.set({ busy: "Building the map's tiles…" });
  try {
    const pyramid = await api.tilePyramid(job.id);
    if (superseded()) return;
    store.set({ tiles: { job: job.id, pyramid }, coords: null, busy: null });
  } catch (err) {
    if (superseded()) return;
    store.set({ busy: null });
    fail(err);
  }
}

let boxes = 0;

/** A box dragged over a tiled map: its rows over the whole map, from the server, then as boxSelect does. */
export async function selectWithin(rect: [number, number, number, number], mode: BoxMode): Promise<void> {
  const tiles = store.get().tiles;
  if (!tiles) return;
  const call = ++boxes;
  try {
    const inside = await api.within(tiles.job, rect);
    if (call !== boxes || store.get().tiles?.job !== tiles.job) return;
    boxSelect(inside, mode);
  } catch (err) {
    fail(err);
  }
}

const LISTED = 100; // the selection's rows the inspector lists

/** The rows a large table's lists show whose labels the page lacks: the clicked point, the first listed of the
 * selection, the neighbours (which come with their labels: kept at once). */
export function missingLabels(state: State): number[] {
  const known = state.rowLabels;
  const rows = [...(state.focus === null ? [] : [state.focus]), ...state.selection.slice(0, LISTED)];
  return [...new Set(rows)].filter((r) => !(r in known));
}

/** Keep a large table's listed rows labelled (its columns are not loaded): ask the server for what the lists show,
 * anew when the label column or the embedding changes. Returns the function that stops watching. */
let watching: (() => void) | null = null;

export function watchRowLabels(): () => void {
  if (watching) return watching; // boot runs again after a lost connection
  let seen: { emb: unknown; labelBy: string | null } = { emb: null, labelBy: null };
  let asking = false;
  const check = (s: State): void => {
    if (s.embedding !== seen.emb || s.labelBy !== seen.labelBy) {
      seen = { emb: s.embedding, labelBy: s.labelBy };
      if (Object.keys(s.rowLabels).length) store.set({ rowLabels: {} });
      return;
    }
    if (!largeTable(s) || asking || !s.embedding) return;
    const fromNeighbors = (s.neighbors ?? []).filter((n) => !(n.index in s.rowLabels) && s.labelBy === s.embedding?.label_column);
    if (fromNeighbors.length) {
      store.set({ rowLabels: { ...s.rowLabels, ...Object.fromEntries(fromNeighbors.map((n) => [n.index, n.label])) } });
      return;
    }
    const rows = missingLabels(s);
    if (!rows.length) return;
    const { embedding: emb, labelBy } = s;
    asking = true;
    api.labels(emb.run, emb.id, rows, labelBy).then(
      (answer) => {
        asking = false;
        const now = store.get();
        if (now.embedding !== emb || now.labelBy !== labelBy) return;
        store.set({ rowLabels: { ...now.rowLabels, ...Object.fromEntries(rows.map((r, i) => [r, answer.labels[i]])) } });
      },
      (err) => {
        asking = false;
        fail(err);
      },
    );
  };
  const stop = store.subscribe(check);
  watching = () => {
    stop();
    watching = null;
  };
  return watching;
}
