// Isolated points ("Isolate N points"): the rows a projection was made of, how its coordinates spread over every row,
// and whether the selection differs from what is isolated (else isolating it again would change nothing).
import type { Coords } from "../api/types";

/** Coordinates of a subset projection over all `total` rows: the isolated rows' own, NaN (not drawn) for the others.
 * The answer for the subset has a row per isolated row; an answer over every row (a server that projects all rows
 * for a subset) keeps only the isolated rows'. */
export function spread(coords: Coords, rows: number[] | null, total: number): Float32Array {
  if (rows === null || rows.length >= total) return coords.data;
  const dims = coords.dims;
  const out = new Float32Array(total * dims).fill(Number.NaN);
  const whole = coords.n === total && coords.n !== rows.length; // a row per row of the data, not per isolated row
  if (!whole && coords.n !== rows.length) return coords.data; // neither: drawn as it came
  for (let r = 0; r < rows.length; r++) {
    const from = (whole ? rows[r] : r) * dims;
    for (let d = 0; d < dims; d++) out[rows[r] * dims + d] = coords.data[from + d];
  }
  return out;
}

/** The distinct rows of a selection, in order. */
export const rowsOf = (selection: readonly number[]): number[] => [...new Set(selection)].sort((a, b) => a - b);

/** Whether "Isolate" would show something else: at least 3 points selected, and not the ones already isolated. */
export function canIsolate(selection: readonly number[], isolated: readonly number[] | null): boolean {
  const rows = rowsOf(selection);
  if (rows.length < 3) return false;
  return isolated === null || rows.length !== isolated.length || rows.some((r, k) => r !== isolated[k]);
}

/** How many points a projection draws: the isolated ones, else every row. */
export function shownCount(total: number, isolated: readonly number[] | null): number {
  return isolated === null ? total : isolated.length;
}
