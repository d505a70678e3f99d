// The data panel's "Load": upload a metadata TSV, then show its columns (label by, colour by, legends).
import { uploadMetadata } from "../api/upload";
import type { EmbeddingInfo, RunsInfo } from "../api/types";
import { categorical, loadColumn } from "./actions";
import { errorMessage } from "./failure";
import { refreshNeighbours } from "./inspectorActions";
import { type State, store } from "./store";

export type LoadResult = { ok: true; message: string } | { ok: false; message: string };

/** The store's change once an embedding has new metadata: its info everywhere, columns fetched afresh, and label
 * and colour choices kept where the new file has those columns, else the defaults of a newly opened embedding. */
export function afterNewMetadata(state: State, info: EmbeddingInfo): Partial<State> {
  const names = new Set(info.columns.map((c) => c.name));
  const labelBy =
    state.labelBy !== null && names.has(state.labelBy) ? state.labelBy : (info.label_column ?? info.columns[0]?.name ?? null);
  let colorBy = state.colorBy;
  let colorMode = state.colorMode;
  const stillThere =
    colorBy !== null &&
    (colorMode === "numeric"
      ? info.columns.some((c) => c.name === colorBy && c.type === "numeric")
      : categorical(info).includes(colorBy));
  if (!stillThere) {
    colorBy = categorical(info)[0] ?? null;
    colorMode = "category";
  }
  return { runs: withInfo(state.runs, info), embedding: info, columns: {}, labelBy, colorBy, colorMode };
}

/** The runs with one embedding's new description (new metadata columns) in place of its old one. */
export function withInfo(runs: RunsInfo | null, info: EmbeddingInfo): RunsInfo | null {
  return (
    runs && {
      ...runs,
      runs: runs.runs.map((r) =>
        r.id !== info.run ? r : { ...r, embeddings: r.embeddings.map((e) => (e.id === info.id ? info : e)) },
      ),
    }
  );
}

/** What the page says after a successful load. */
export function loadedText(filename: string, info: EmbeddingInfo): string {
  const n = info.columns.length;
  return `Loaded ${filename}: ${n} column${n === 1 ? "" : "s"} (${info.columns.map((c) => c.name).join(", ")})`;
}

/** Upload the file as the current embedding's metadata; the answer says what happened, in words for the page. */
export async function loadMetadata(file: File): Promise<LoadResult> {
  const emb = store.get().embedding;
  if (emb === null) return { ok: false, message: "choose an embedding first" };
  try {
    const info = await uploadMetadata(emb.run, emb.id, file, file.name);
    if (store.get().embedding?.id !== emb.id || store.get().embedding?.run !== emb.run) {
      return { ok: false, message: "another embedding was chosen meanwhile" };
    }
    const patch = afterNewMetadata(store.get(), info);
    store.set(patch);
    await Promise.all([loadColumn(patch.labelBy ?? null), loadColumn(patch.colorBy ?? null)]);
    void refreshNeighbours(); // their labels come from the new metadata
    return { ok: true, message: loadedText(file.name, info) };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}
