// Bookmarks: named page states saved on the server (projection and parameters, selection, colour and label
// choices); save, list, restore, rename, delete.
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { type BookmarkEntry, apiExtra } from "../api/extra";
import { chooseEmbedding, setColorBy, setLabelBy } from "../state/actions";
import { project } from "../state/projectionActions";
import { type ProjectionChoice, type ProjectionParams, type State, store } from "../state/store";

interface Snapshot {
  version: 1;
  embedding: { run: string; id: string } | null;
  projection: ProjectionChoice;
  params: ProjectionParams;
  isolated: number[] | null;
  selection: number[];
  focus: number | null;
  labelBy: string | null;
  colorBy: string | null;
  k: number;
  metric: "cosine" | "euclidean";
}

function snapshot(state: State): Snapshot {
  return {
    version: 1,
    embedding: state.embedding ? { run: state.embedding.run, id: state.embedding.id } : null,
    projection: state.projection,
    params: state.params,
    isolated: state.isolated,
    selection: state.selection,
    focus: state.focus,
    labelBy: state.labelBy,
    colorBy: state.colorBy,
    k: state.k,
    metric: state.metric,
  };
}

export async function restore(doc: Snapshot): Promise<void> {
  const now = store.get();
  if (doc.embedding && (now.embedding?.run !== doc.embedding.run || now.embedding?.id !== doc.embedding.id)) {
    await chooseEmbedding(doc.embedding.run, doc.embedding.id);
  }
  store.set({
    projection: { ...store.get().projection, ...doc.projection },
    params: { ...store.get().params, ...doc.params },
    k: doc.k ?? store.get().k,
    metric: doc.metric ?? "cosine",
  });
  await Promise.all([
    doc.labelBy ? setLabelBy(doc.labelBy) : Promise.resolve(),
    setColorBy(doc.colorBy ?? null),
  ]);
  await project(doc.isolated ?? null);
  const selection = doc.selection ?? [];
  store.set({
    selection,
    selectionSource: selection.length ? "search" : null,
    focus: null,
    neighbors: null,
    searchCount: null,
  });
}

const message = (err: unknown) => (err instanceof ApiError || err instanceof Error ? err.message : String(err));

export function BookmarksPanel({ state }: { state: State }) {
  const [items, setItems] = useState<BookmarkEntry[] | null>(null);
  const [name, setName] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [newName, setNewName] = useState("");
  const fail = (err: unknown) => store.set({ error: message(err) });
  const reload = () => apiExtra.bookmarks().then(setItems, fail);
  useEffect(() => void reload(), []);

  const save = async () => {
    const chosen = name.trim() || `View ${(items?.length ?? 0) + 1}`;
    try {
      await apiExtra.saveBookmark(chosen, snapshot(state));
      setName("");
      await reload();
    } catch (err) {
      fail(err);
    }
  };
  const rename = async (old: string) => {
    try {
      if (newName.trim() && newName.trim() !== old) await apiExtra.renameBookmark(old, newName.trim());
      setEditing(null);
      await reload();
    } catch (err) {
      fail(err);
    }
  };
  const remove = async (which: string) => {
    try {
      await apiExtra.deleteBookmark(which);
      await reload();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section class="panel" aria-labelledby="bookmarks-title">
      <h2 id="bookmarks-title">Bookmarks</h2>
      <form
        class="buttons"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <input
          id="bookmark-name"
          type="text"
          placeholder="Name this view"
          aria-label="Bookmark name"
          value={name}
          style={{ flex: 1, minWidth: 0 }}
          onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="primary" id="bookmark-save" disabled={!state.embedding}>
          Save
        </button>
      </form>
      {items !== null && items.length === 0 && <p class="note">No bookmarks yet.</p>}
      <ol class="list" id="bookmark-list">
        {items?.map((b) => (
          <li key={b.name} data-name={b.name} style={{ display: "flex", alignItems: "center", gap: "4px" }}>
            {editing === b.name ? (
              <form
                style={{ display: "flex", flex: 1, gap: "4px" }}
                onSubmit={(e) => {
                  e.preventDefault();
                  void rename(b.name);
                }}
              >
                <input
                  class="bookmark-rename-input"
                  type="text"
                  aria-label={`New name for ${b.name}`}
                  value={newName}
                  style={{ flex: 1, minWidth: 0 }}
                  onInput={(e) => setNewName((e.currentTarget as HTMLInputElement).value)}
                />
                <button type="submit" class="link">
                  OK
                </button>
              </form>
            ) : (
              <>
                <button
                  type="button"
                  class="bookmark-restore"
                  style={{ flex: 1 }}
                  title={`Restore "${b.name}" (saved ${b.updated})`}
                  onClick={() => void restore(b.state as Snapshot).catch(fail)}
                >
                  <span class="label">{b.name}</span>
                </button>
                <button
                  type="button"
                  class="link bookmark-rename"
                  style={{ flex: "none", width: "auto", padding: "4px 6px" }}
                  aria-label={`Rename ${b.name}`}
                  onClick={() => {
                    setEditing(b.name);
                    setNewName(b.name);
                  }}
                >
                  ✎
                </button>
                <button
                  type="button"
                  class="link bookmark-delete"
                  style={{ flex: "none", width: "auto", padding: "4px 6px" }}
                  aria-label={`Delete ${b.name}`}
                  onClick={() => void remove(b.name)}
                >
                  ✕
                </button>
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
