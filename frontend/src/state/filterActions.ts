// The filters panel's actions: add a filter on a column (its kind from the column: values, range or text), change or
// remove one, and act on the points that match (select them, isolate them).
import type { ColumnInfo } from "../api/types";
import { loadColumn } from "./actions";
import { type Filter, filterMask, maskRows } from "./filters";
import { project } from "./projectionActions";
import { type State, store } from "./store";

/** A new filter on a column that lets every point through: every value kept (a column with few values), the whole
 * range (numbers), or an empty text (anything else). */
export function filterFor(info: ColumnInfo): Filter {
  if (info.distinct && info.distinct.length > 0) {
    return { column: info.name, kind: "values", values: info.distinct.map((d) => String(d.value)) };
  }
  if (info.type === "numeric" && typeof info.min === "number" && typeof info.max === "number") {
    return { column: info.name, kind: "range", min: info.min, max: info.max };
  }
  return { column: info.name, kind: "text", text: "" };
}

/** The points matching the filters (null: no filter, or a column still loading). */
export function matching(state: State): Uint8Array | null {
  return filterMask(state.filters, state.columns, state.embedding?.shape[0] ?? 0);
}

export async function addFilter(column: string): Promise<void> {
  const info = store.get().embedding?.columns.find((c) => c.name === column);
  if (!info) return;
  const others = store.get().filters.filter((f) => f.column !== column); // one filter a column
  store.set({ filters: [...others, filterFor(info)] });
  await loadColumn(column);
}

export function setFilter(filter: Filter): void {
  store.set({ filters: store.get().filters.map((f) => (f.column === filter.column ? filter : f)) });
}

/** Keep (`on`) or drop one value of a value filter, from the filter as it is now (two quick clicks both count). */
export function toggleFilterValue(column: string, value: string, on: boolean): void {
  const filter = store.get().filters.find((f) => f.column === column);
  if (filter?.kind !== "values") return;
  const values = filter.values.filter((v) => v !== value);
  setFilter({ ...filter, values: on ? [...values, value] : values });
}

export function removeFilter(column: string): void {
  store.set({ filters: store.get().filters.filter((f) => f.column !== column) });
}

export function clearFilters(): void {
  store.set({ filters: [] });
}

/** Filters from a bookmark or a link: those on columns this embedding has, their columns loaded. */
export async function restoreFilters(filters: Filter[]): Promise<void> {
  const names = new Set(store.get().embedding?.columns.map((c) => c.name) ?? []);
  const kept = filters.filter((f) => names.has(f.column));
  store.set({ filters: kept });
  await Promise.all(kept.map((f) => loadColumn(f.column)));
}

/** Select the points that match. */
export function selectMatches(): void {
  const mask = matching(store.get());
  if (mask === null) return;
  store.set({ selection: maskRows(mask), selectionSource: "filter", focus: null, neighbors: null, searchCount: null });
}

/** Project only the points that match (as "Isolate" does with a selection). */
export async function isolateMatches(): Promise<void> {
  const mask = matching(store.get());
  if (mask === null) return;
  const rows = maskRows(mask);
  if (rows.length < 3) {
    store.set({ error: "At least 3 points must match the filters to isolate them." });
    return;
  }
  await project(rows);
}
