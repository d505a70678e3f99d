// Sequences, as TensorBoard's projector reads them: a metadata column `__seq_next__` (or the older `__next__`) holds
// the row of each point's next point (empty at a sequence's end). Pure functions (the layer is in sequences.ts).
import type { Values } from "../state/store";

export const SEQUENCE_COLUMNS = ["__seq_next__", "__next__"] as const;

/** The links of a `__seq_next__` column: [from, to] pairs, flattened; values that are not a row (empty, out of
 * range, itself) make no link. */
export function sequenceLinks(values: Values, n: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < Math.min(n, values.length); i++) {
    const v = values[i];
    if (v === null || v === "") continue;
    const next = typeof v === "number" ? v : Number(v);
    if (Number.isInteger(next) && next >= 0 && next < n && next !== i) out.push(i, next);
  }
  return Int32Array.from(out);
}

/** The links' end points from the points' positions (x, y, z triples): a link with an undrawn end is left out. */
export function linkEnds(links: Int32Array, positions: Float32Array, keep?: (a: number, b: number) => boolean) {
  const source: number[] = [];
  const target: number[] = [];
  for (let k = 0; k < links.length; k += 2) {
    const a = links[k];
    const b = links[k + 1];
    if (!Number.isFinite(positions[a * 3]) || !Number.isFinite(positions[b * 3]) || (keep && !keep(a, b))) continue;
    source.push(positions[a * 3], positions[a * 3 + 1], positions[a * 3 + 2]);
    target.push(positions[b * 3], positions[b * 3 + 1], positions[b * 3 + 2]);
  }
  return { length: source.length / 3, source: Float32Array.from(source), target: Float32Array.from(target) };
}

