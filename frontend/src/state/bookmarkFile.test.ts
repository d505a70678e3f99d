import { describe, expect, it } from "vitest";
import { encodeBookmarkFile, parseBookmarkFile } from "./bookmarkFile";

describe("bookmark files", () => {
  it("round-trip the bookmarks", () => {
    const marks = [{ name: "a", state: { version: 1 }, created: "t", updated: "t" }];
    const text = encodeBookmarkFile(marks, new Date(0));
    expect(JSON.parse(text).exported).toBe("1970-01-01T00:00:00.000Z");
    expect(parseBookmarkFile(text, "f.json")).toEqual([{ name: "a", state: { version: 1 } }]);
    expect(parseBookmarkFile(JSON.stringify(marks), "f.json")).toHaveLength(1); // a bare list too
  });
  it.each([
    ["{", /f.json is not a bookmark file: it is not JSON/],
    ['{"format": "other", "bookmarks": []}', /its format is "other"/],
    ["3", /expected \{"bookmarks": \[...\]\}.*found number 3/],
    ['{"bookmarks": []}', /f.json holds no bookmarks/],
    ['{"bookmarks": [1]}', /bookmark 1: expected an object/],
    ['{"bookmarks": [{"name": "", "state": {}}]}', /"name" must be non-empty text/],
    ['{"bookmarks": [{"name": "a\\\\b", "state": {}}]}', /may not contain "\\\\"/],
    ['{"bookmarks": [{"name": "x", "state": []}]}', /"state" must be an object, found a list/],
    ['{"bookmarks": [{"name": "x", "state": {}}, {"name": "x", "state": {}}]}', /bookmark 2: the name "x" appears twice/],
  ])("explain what is wrong with %s", (text, message) => {
    expect(() => parseBookmarkFile(text, "f.json")).toThrow(message);
  });
});
