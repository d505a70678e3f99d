// Search by meaning: the search box's third mode. The server embeds the text with the model that made the vectors
// (or averages the words' vectors for a word table); the k nearest points (the neighbours' k) are selected and listed
// with their angles, as a search by text selects its matches.
import { api } from "../api/client";
import { fail } from "./failure";
import { store } from "./store";

let seq = 0;

/** Search by meaning (or back to text) from now on; the text typed is searched again in the new mode on Enter. */
export function setMeaningMode(on: boolean): void {
  store.set({ searchMeaning: on, searchError: null });
}

/** The points nearest in meaning to `text`: selected, and listed in the inspector. */
export async function searchMeaning(text: string): Promise<void> {
  const mine = ++seq;
  const s = store.get();
  const emb = s.embedding;
  store.set({ searchText: text });
  if (emb === null) return;
  if (text.trim() === "") {
    store.set({ meaning: null, selection: [], selectionSource: null, searchCount: null, searchError: null });
    return;
  }
  store.set({ busy: "Searching by meaning…", searchError: null });
  try {
    const k = Math.min(Number.isFinite(s.k) ? s.k : 100, s.embedding ? s.embedding.shape[0] : 100);
    const result = await api.meaning(emb.run, emb.id, text, k, s.metric);
    if (mine !== seq) return;
    store.set({
      meaning: { ...result, text },
      selection: result.neighbors.map((n) => n.index),
      selectionSource: "meaning",
      searchCount: result.neighbors.length,
      focus: null,
      neighbors: null,
    });
  } catch (err) {
    if (mine === seq) fail(err);
  } finally {
    if (mine === seq && store.get().busy === "Searching by meaning…") store.set({ busy: null });
  }
}
