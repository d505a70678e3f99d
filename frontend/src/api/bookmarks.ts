// The bookmarks saved on the server (named page states): list, save, rename, delete. Failures follow http.ts.
import { getJson, request, sendJson } from "./http";
import type { BookmarkEntry } from "./types";

const mark = (name: string) => `bookmarks/${encodeURIComponent(name)}`;

export const bookmarksApi = {
  list: async () => (await bookmarksApi.listing()).bookmarks,
  /** The bookmarks, and why each damaged entry of the server's file is not among them (kept aside there). */
  listing: async () => {
    const got = await getJson<{ bookmarks: BookmarkEntry[]; skipped?: string[] }>("bookmarks");
    return { bookmarks: got.bookmarks, skipped: got.skipped ?? [] };
  },
  save: (name: string, state: unknown) => sendJson<BookmarkEntry>(mark(name), { state }, "PUT"),
  rename: (name: string, newName: string) => sendJson<BookmarkEntry>(`${mark(name)}/rename`, { new_name: newName }),
  remove: async (name: string) => (await request(mark(name), { method: "DELETE" })).json() as Promise<{ deleted: string }>,
};
