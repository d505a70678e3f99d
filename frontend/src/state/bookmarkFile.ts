// The bookmark file: every bookmark as one JSON document to download, and reading one back (with readable errors)
// to upload through the server's API. Pure functions.

const FORMAT = "embedscope-bookmarks";
const MAX_NAME = 200; // as the server's bookmarks.check_name

export interface BookmarkRecord {
  name: string;
  state: Record<string, unknown>;
  created?: string;
  updated?: string;
}

export function encodeBookmarkFile(bookmarks: BookmarkRecord[], now = new Date()): string {
  const doc = { format: FORMAT, version: 1, exported: now.toISOString(), bookmarks };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60));

/** The bookmarks a file holds: `{"format": "embedscope-bookmarks", "bookmarks": [...]}` or a bare list of them. */
export function parseBookmarkFile(text: string, filename: string): BookmarkRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${filename} is not a bookmark file: it is not JSON (${(err as Error).message})`);
  }
  let list: unknown = doc;
  if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
    const d = doc as Record<string, unknown>;
    if (d.format !== undefined && d.format !== FORMAT) {
      throw new Error(`${filename} is not a bookmark file: its format is ${JSON.stringify(d.format)}, expected "${FORMAT}"`);
    }
    list = d.bookmarks;
  }
  if (!Array.isArray(list)) {
    throw new Error(
      `${filename} is not a bookmark file: expected {"bookmarks": [...]} (as "Download" saves), found ${kind(list === undefined ? doc : list)}`,
    );
  }
  if (list.length === 0) throw new Error(`${filename} holds no bookmarks`);
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const where = `${filename}, bookmark ${i + 1}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new Error(`${where}: expected an object with "name" and "state", found ${kind(entry)}`);
    }
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== "string" || e.name.trim() === "") {
      throw new Error(`${where}: "name" must be non-empty text, found ${kind(e.name)}`);
    }
    const bad = /[\x00-\x1f\x7f-\x9f/\\]/.exec(e.name);
    if (bad || e.name.length > MAX_NAME) {
      const what = bad ? `may not contain ${JSON.stringify(bad[0])}` : `is longer than ${MAX_NAME} characters`;
      throw new Error(`${where}: the name "${e.name}" ${what} (rename it in the file)`);
    }
    if (typeof e.state !== "object" || e.state === null || Array.isArray(e.state)) {
      throw new Error(`${where} ("${e.name}"): "state" must be an object, found ${kind(e.state)}`);
    }
    if (seen.has(e.name)) throw new Error(`${where}: the name "${e.name}" appears twice`);
    seen.add(e.name);
    return { name: e.name, state: e.state as Record<string, unknown> };
  });
}
