// Which embedding the page opens (the loader's default: MiniLM's word embeddings, not the first of its 40 tensors),
// and the embedding picker's words: each choice's whole name and shape, and the filter over many choices.
import type { EmbeddingInfo, RunsInfo } from "../api/types";

export interface Choice {
  value: string; // "run/id"
  run: string; // the run's name ("" when there is one run)
  emb: EmbeddingInfo;
}

/** The embedding the page opens on: the one the server marks as the loader's default, else the first. */
export function defaultEmbedding(runs: RunsInfo): EmbeddingInfo | null {
  const all = runs.runs.flatMap((r) => r.embeddings);
  return all.find((e) => e.default === true) ?? all[0] ?? null;
}

/** Every embedding of every run, in the server's order. */
export function choicesOf(runs: RunsInfo | null): Choice[] {
  const list = runs?.runs ?? [];
  return list.flatMap((r) =>
    r.embeddings.map((emb) => ({ value: `${emb.run}/${emb.id}`, run: list.length > 1 ? r.name : "", emb })),
  );
}

/** "30,522 × 384": rows by dimensions. */
export const shapeOf = (emb: Pick<EmbeddingInfo, "shape">) =>
  emb.shape.map((n) => n.toLocaleString("en-US")).join(" × ");

/** The choices whose name (or run) holds every word of the filter, in any case and order. */
export function filterChoices(choices: Choice[], filter: string): Choice[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return choices;
  return choices.filter((c) => {
    const text = `${c.run} ${c.emb.name}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** From this many embeddings on, the picker has a filter box. */
export const FILTER_FROM = 8;
