// Keeps the URL's hash in step with the page (replaceState, at most a few times a second) and opens the view a URL
// names. A hash edited by hand (or a link pasted into the same tab) is restored too.
import type { RunsInfo } from "../api/types";
import { cameraView } from "./camera";
import { defaultEmbedding } from "./embeddingChoice";
import { embedInHash } from "./layout";
import { restore, snapshot } from "./snapshot";
import { store } from "./store";
import { decodeState, encodeState } from "./urlState";

const DELAY = 300; // ms between a change and the URL's update

let timer: number | undefined;
let written: string | null = null; // the hash this module wrote last
let started = false;

function write(): void {
  timer = undefined;
  const state = store.get();
  if (state.embedding === null) return;
  const encoded = encodeState(snapshot(state), state.options);
  // `embed=1` (the compact layout, state/layout.ts) stays in the hash it came in
  const hash = embedInHash(window.location.hash) ? `${encoded}${encoded ? "&" : ""}embed=1` : encoded;
  written = hash;
  const url = new URL(window.location.href);
  url.hash = hash;
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
}

function schedule(): void {
  if (timer === undefined) timer = window.setTimeout(write, DELAY);
}

function start(): void {
  if (started) return;
  started = true;
  store.subscribe(schedule);
  cameraView.listen(schedule);
  window.addEventListener("hashchange", () => {
    const hash = window.location.hash.replace(/^#/, "");
    if (hash !== "" && hash !== written) void openHash(hash);
  });
  schedule();
}

async function openHash(hash: string): Promise<boolean> {
  const options = store.get().options;
  if (options === null) return false; // boot.ts opens the URL's view once they are loaded
  const doc = decodeState(hash, options);
  const runs = store.get().runs?.runs ?? [];
  const fallback = store.get().embedding || !store.get().runs ? null : defaultEmbedding(store.get().runs as RunsInfo);
  const wanted = doc.embedding ?? fallback;
  if (wanted && !runs.some((r) => r.id === wanted.run && r.embeddings.some((e) => e.id === (wanted as { id: string }).id))) {
    store.set({ error: `The link names the embedding ${wanted.run}/${wanted.id}, which this server does not serve.` });
    return false;
  }
  await restore({ ...doc, embedding: wanted ? { run: wanted.run, id: wanted.id } : null });
  return true;
}

/** Open the view the URL's hash names, if it names one; then keep the URL up to date. True when a view was opened. */
export async function openFromUrl(): Promise<boolean> {
  const hash = window.location.hash.replace(/^#/, "");
  let opened = false;
  try {
    if (hash !== "") opened = await openHash(hash);
  } finally {
    start();
  }
  return opened;
}
