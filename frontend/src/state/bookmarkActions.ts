// Bookmarks to and from a file: download every bookmark as one JSON file; upload one, saving (merging) each bookmark
// through the server's API (`PUT /api/bookmarks/{name}`; a bookmark of the same name is replaced).
import { bookmarksApi } from "../api/bookmarks";
import { type BookmarkRecord, encodeBookmarkFile, parseBookmarkFile } from "./bookmarkFile";
import { errorMessage, fail } from "./failure";
import { showNotice } from "./notice";
import { downloadBlob } from "./scatterActions";
import { store } from "./store";


export async function downloadBookmarks(): Promise<void> {
  try {
    const bookmarks = (await bookmarksApi.list()) as BookmarkRecord[];
    if (bookmarks.length === 0) {
      store.set({ error: "There are no bookmarks to download yet: save one first." });
      return;
    }
    const blob = new Blob([encodeBookmarkFile(bookmarks)], { type: "application/json" });
    downloadBlob(blob, "embedscope-bookmarks.json");
  } catch (err) {
    fail(err);
  }
}

/** Save the file's bookmarks on the server; the page's error banner names any that could not be saved. */
export async function uploadBookmarks(file: File): Promise<number> {
  let records: BookmarkRecord[];
  try {
    records = parseBookmarkFile(await file.text(), file.name);
  } catch (err) {
    store.set({ error: errorMessage(err) });
    showNotice(null);
    return 0;
  }
  const failed: string[] = [];
  let saved = 0;
  for (const record of records) {
    try {
      await bookmarksApi.save(record.name, record.state);
      saved += 1;
    } catch (err) {
      failed.push(`"${record.name}": ${errorMessage(err)}`);
    }
  }
  if (failed.length) store.set({ error: `${file.name}: ${failed.length} bookmark(s) not saved: ${failed.join("; ")}` });
  showNotice(`Loaded ${saved} bookmark${saved === 1 ? "" : "s"} from ${file.name}`);
  return saved;
}
