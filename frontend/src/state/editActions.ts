// The inspector's "Edit by" / "Tag selection as" (TensorBoard's): give the selected points a value in a column (an
// existing one or a new one), undo the last tag. The server keeps the tags (server/edits.py) and serves the metadata
// with them, so colour by, label by, search and filters read the new values once the column is fetched again.
import { api } from "../api/client";
import { staticData } from "../api/staticFile";
import type { EditsResponse } from "../api/types";
import { categorical, loadColumn } from "./actions";
import { errorMessage, fail } from "./failure";
import { withInfo } from "./metadataActions";
import { type State, store } from "./store";

export type EditResult = { ok: boolean; message: string };

let listedFor = ""; // the embedding (run/id) whose tags the store holds or is asking for

const keyOf = (state: State) => (state.embedding ? `${state.embedding.run}/${state.embedding.id}` : "");
const points = (n: number) => `${n.toLocaleString("en-US")} point${n === 1 ? "" : "s"}`;

/** Why the selection cannot be tagged as `value` in `column` now (null: it can). */
export function tagBlocked(state: State, column: string, value: string): string | null {
  if (state.embedding === null) return "Choose an embedding first.";
  if (state.selection.length === 0) return "Select points to tag them.";
  if (column.trim() === "") return "Name the new column, or choose one.";
  if (value === "") return "Type the value to give them.";
  return null;
}

/** List the shown embedding's tags (once per embedding; a saved page has none). */
export async function loadEdits(): Promise<void> {
  const key = keyOf(store.get());
  if (key === "" || key === listedFor || staticData() !== null) return;
  listedFor = key;
  store.set({ edits: null });
  try {
    const answer = await api.edits(store.get().embedding!.run, store.get().embedding!.id);
    if (keyOf(store.get()) === key) store.set({ edits: answer.edits });
  } catch (err) {
    listedFor = "";
    fail(err);
  }
}

/** The store once `column` changed on the server: the embedding's new description everywhere, the column's values
 * fetched afresh; where the column went (its last tag undone), the choices that used it fall back. */
export function afterEdit(state: State, answer: EditsResponse, column: string): Partial<State> {
  const info = answer.embedding;
  const columns = { ...state.columns };
  delete columns[column];
  const patch: Partial<State> = { embedding: info, runs: withInfo(state.runs, info), columns, edits: answer.edits };
  if (info.columns.some((c) => c.name === column)) return patch;
  if (state.labelBy === column) patch.labelBy = info.label_column ?? info.columns[0]?.name ?? null;
  if (state.colorBy === column) {
    patch.colorBy = categorical(info)[0] ?? null;
    patch.colorMode = "category";
  }
  if (state.searchColumn === column) patch.searchColumn = null;
  if (state.filters.some((f) => f.column === column)) patch.filters = state.filters.filter((f) => f.column !== column);
  return patch;
}

/** Fetch again the columns the page shows (label, colour, search, filters, custom axes). */
async function reloadShown(): Promise<void> {
  const s = store.get();
  const used = new Set([s.labelBy, s.colorBy, s.searchColumn, s.params.column, ...s.filters.map((f) => f.column)]);
  await Promise.all([...used].map((c) => loadColumn(c)));
}

async function changed(request: () => Promise<EditsResponse>, column: string, said: string): Promise<EditResult> {
  const key = keyOf(store.get());
  try {
    const answer = await request();
    if (keyOf(store.get()) !== key) return { ok: false, message: "Another embedding was chosen meanwhile." };
    store.set(afterEdit(store.get(), answer, column));
    await reloadShown();
    return { ok: true, message: said };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}

/** Tag the selected points with `value` in `column` (created when new). */
export async function tagSelection(column: string, value: string): Promise<EditResult> {
  const state = store.get();
  const blocked = tagBlocked(state, column, value);
  if (blocked !== null || state.embedding === null) return { ok: false, message: blocked ?? "" };
  const rows = [...new Set(state.selection)].sort((a, b) => a - b);
  const name = column.trim();
  const emb = state.embedding;
  return changed(() => api.tag(emb.run, emb.id, { column: name, value, rows }), name, `Tagged ${points(rows.length)} “${value}” in ${name}.`);
}

/** Undo the last tag. */
export async function undoTag(): Promise<EditResult> {
  const { embedding: emb, edits } = store.get();
  const last = edits?.[edits.length - 1];
  if (emb === null || !last) return { ok: false, message: "There is no tag to undo." };
  return changed(() => api.undoTag(emb.run, emb.id), last.column, `Undid “${last.value}” in ${last.column} (${points(last.rows)}).`);
}
