// Bookmarks: named page states saved on the server (projection and parameters, camera, selection, colour and label
// choices); save, list, restore, rename, delete; download them all as a file, upload such a file; and, read-only,
// the bookmarks that came with the log dir (ConfigBookmarks).
import { useEffect, useRef, useState } from "preact/hooks";
import { bookmarksApi } from "../api/bookmarks";
import type { BookmarkEntry } from "../api/types";
import { downloadBookmarks, uploadBookmarks } from "../state/bookmarkActions";
import { ConfigBookmarks } from "./ConfigBookmarks";
import { dismissNotice } from "../state/notice";
import { fail } from "../state/failure";
import { restore, snapshot } from "../state/snapshot";
import type { State } from "../state/store";


export function BookmarksPanel({ state }: { state: State }) {
  const [items, setItems] = useState<BookmarkEntry[] | null>(null);
  const [name, setName] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [newName, setNewName] = useState("");
  const fileInput = useRef<HTMLInputElement>(null);
  const [skipped, setSkipped] = useState<string[]>([]);
  const reload = () =>
    bookmarksApi.listing().then((got) => {
      setItems(got.bookmarks);
      setSkipped(got.skipped);
    }, fail);
  useEffect(() => void reload(), []);

  const save = async () => {
    const chosen = name.trim() || `View ${(items?.length ?? 0) + 1}`;
    try {
      await bookmarksApi.save(chosen, snapshot(state));
      setName("");
      await reload();
    } catch (err) {
      fail(err);
    }
  };
  const rename = async (old: string) => {
    try {
      if (newName.trim() && newName.trim() !== old) await bookmarksApi.rename(old, newName.trim());
      setEditing(null);
      await reload();
    } catch (err) {
      fail(err);
    }
  };
  const remove = async (which: string) => {
    try {
      await bookmarksApi.remove(which);
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
      <div class="buttons">
        <button
          type="button"
          id="bookmark-download"
          disabled={!items?.length}
          title="Download every bookmark as one JSON file"
          onClick={() => void downloadBookmarks()}
        >
          Download
        </button>
        <button
          type="button"
          id="bookmark-upload-button"
          title="Load bookmarks from a file saved by Download (same names are replaced)"
          onClick={() => fileInput.current?.click()}
        >
          Upload…
        </button>
        <input
          ref={fileInput}
          id="bookmark-upload"
          type="file"
          accept=".json,application/json"
          hidden
          tabIndex={-1}
          aria-label="Bookmark file to upload"
          onChange={async (e) => {
            const input = e.currentTarget as HTMLInputElement;
            const file = input.files?.[0];
            input.value = "";
            if (file && (await uploadBookmarks(file)) > 0) await reload();
          }}
        />
      </div>
      {state.notice && (
        <p class="note notice" id="bookmark-notice" role="status" key={state.notice}>
          <span>{state.notice}</span>
          <button type="button" class="link" id="bookmark-notice-dismiss" aria-label="Dismiss" onClick={dismissNotice}>
            ✕
          </button>
        </p>
      )}
      {items !== null && items.length === 0 && <p class="note">No bookmarks yet.</p>}
      {skipped.length > 0 && (
        <p class="note error" id="bookmarks-skipped" role="status" title={skipped.join("\n")}>
          {skipped.length === 1 ? "One saved bookmark" : `${skipped.length.toLocaleString()} saved bookmarks`} could
          not be read and {skipped.length === 1 ? "is" : "are"} not listed ({skipped[0]}
          {skipped.length > 1 ? "; …" : ""}). The server keeps the file as it was beside the new one when the
          bookmarks next change.
        </p>
      )}
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
                  onClick={() => void restore(b.state as Parameters<typeof restore>[0]).catch(fail)}
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
      <ConfigBookmarks state={state} />
    </section>
  );
}
