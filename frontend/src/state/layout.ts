// The page's layout: wide (panels left and right of the plot), or compact in a narrow frame or when asked for with
// `embed=1` (the notebook widget's frame): one panel at a time beside the plot, chosen by tabs, and none at all when
// the shown panel's tab is clicked again. The plot keeps most of the room.
import { useEffect, useState } from "preact/hooks";

/** Below this width (CSS pixels) the page is compact. */
export const COMPACT_WIDTH = 900; // the wide layout's side panels take about 630

export type Pane = "data" | "filters" | "projection" | "inspector" | "bookmarks";

export const PANES: [Pane, string][] = [
  ["data", "Data"],
  ["filters", "Filters"],
  ["projection", "Projection"],
  ["inspector", "Inspector"],
  ["bookmarks", "Bookmarks"],
];

/** `embed=1` in the query (`?embed=1`) or in the hash (`#embed=1&run=…`). */
export function embedAsked(where: { search: string; hash: string }): boolean {
  const flag = (params: string) => new URLSearchParams(params).get("embed") === "1";
  return flag(where.search.replace(/^\?/, "")) || flag(where.hash.replace(/^#/, ""));
}

/** `embed=1` in the hash: written back with the page's state (urlSync.ts), so a reload stays compact. */
export function embedInHash(hash: string): boolean {
  return new URLSearchParams(hash.replace(/^#/, "")).get("embed") === "1";
}

export const compactFor = (width: number, embed: boolean) => embed || width < COMPACT_WIDTH;

/** Whether the page is compact now (its width followed). */
export function useCompact(): boolean {
  const [embed] = useState(() => embedAsked(window.location));
  const [width, setWidth] = useState(() => window.innerWidth);
  useEffect(() => {
    const resized = () => setWidth(window.innerWidth);
    window.addEventListener("resize", resized);
    return () => window.removeEventListener("resize", resized);
  }, []);
  return compactFor(width, embed);
}
