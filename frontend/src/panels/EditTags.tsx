// The inspector's "Edit by" / "Tag selection as" (TensorBoard's): choose a column or name a new one, type a value,
// and the selected points get it (Enter or Tag); "Undo last tag"; the metadata with the tags downloads as TSV or
// Parquet. The server keeps the tags (state/editActions.ts).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { staticData } from "../api/staticFile";
import { loadEdits, tagBlocked, tagSelection, undoTag, type EditResult } from "../state/editActions";
import type { State } from "../state/store";

const NEW = ""; // the "Edit by" choice that names a new column
const fmt = (n: number) => n.toLocaleString("en-US");

export function EditTags({ state }: { state: State }) {
  const emb = state.embedding;
  const [choice, setChoice] = useState(NEW);
  const [newName, setNewName] = useState("");
  const [value, setValue] = useState("");
  const [said, setSaid] = useState<EditResult | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => void loadEdits(), [emb?.run, emb?.id]);
  if (!emb || staticData() !== null) return null;
  const editable = emb.columns.filter((c) => c.type === "string" || c.type === "numeric");
  const column = choice !== NEW && editable.some((c) => c.name === choice) ? choice : NEW;
  const name = column === NEW ? newName.trim() : column;
  const blocked = tagBlocked(state, name, value);
  const count = state.selection.length;
  const last = state.edits?.[state.edits.length - 1] ?? null;
  const run = async (action: () => Promise<EditResult>) => {
    setBusy(true);
    const result = await action();
    setBusy(false);
    setSaid(result);
  };
  const tag = () => {
    if (blocked === null && !busy) void run(() => tagSelection(name, value));
  };
  return (
    <section class="edit-tags" aria-label="Edit metadata">
      <label class="field inline">
        <span>Edit by</span>
        <select
          id="edit-column"
          value={column}
          onChange={(e) => setChoice((e.currentTarget as HTMLSelectElement).value)}
          title="The column the selected points get a value in"
        >
          <option value={NEW}>New column…</option>
          {editable.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
              {c.type === "numeric" ? " (numbers)" : ""}
            </option>
          ))}
        </select>
      </label>
      {column === NEW && (
        <label class="field inline">
          <span>Named</span>
          <input
            id="edit-new-column"
            type="text"
            placeholder="new column name"
            maxLength={200}
            value={newName}
            onInput={(e) => setNewName((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
      )}
      <div class="field edit-value">
        <label for="edit-value">Tag selection as</label>
        <div class="edit-value-row">
          <input
            id="edit-value"
            type="text"
            placeholder={column !== NEW && editable.find((c) => c.name === column)?.type === "numeric" ? "a number" : "value"}
            maxLength={1000}
            value={value}
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") tag();
            }}
          />
          <button
            type="button"
            id="edit-tag"
            disabled={blocked !== null || busy}
            title={blocked ?? `Give the ${fmt(count)} selected points this value`}
            onClick={tag}
          >
            Tag {fmt(count)}
          </button>
        </div>
      </div>
      <div class="edit-row">
        <button
          type="button"
          class="link"
          id="edit-undo"
          disabled={last === null || busy}
          title={last ? `Undo “${last.value}” in ${last.column} (${fmt(last.rows)} points)` : "No tag to undo"}
          onClick={() => void run(undoTag)}
        >
          Undo last tag
        </button>
        <span class="downloads">
          Download metadata:{" "}
          <a id="download-tsv" href={api.metadataFileUrl(emb.run, emb.id, "tsv")} download title="TensorBoard's metadata TSV, tags included">
            TSV
          </a>
          {" · "}
          <a id="download-parquet" href={api.metadataFileUrl(emb.run, emb.id, "parquet")} download title="Every column with its type, tags included">
            Parquet
          </a>
        </span>
      </div>
      {count === 0 && (
        <p class="note" id="edit-reason">
          {blocked}
        </p>
      )}
      {said !== null && (
        <p class={said.ok ? "note" : "note error"} id="edit-message" role="status">
          {said.message}
        </p>
      )}
    </section>
  );
}
