// Opening the page, and opening it again after a lost connection. The only state module that starts things: the
// others are imported by it (and by the panels), never the other way round.
import { api } from "../api/client";
import { staticData } from "../api/staticFile";
import { chooseEmbedding, loadColumn } from "./actions";
import { watchClusters } from "./clusterActions";
import { defaultEmbedding } from "./embeddingChoice";
import { watchConnection } from "./connection";
import { fail } from "./failure";
import { withOptions } from "./options";
import { project } from "./projectionActions";
import { store } from "./store";
import { watchRowLabels } from "./tileActions";
import { openFromUrl } from "./urlSync";
import { exposeStore, viewReady } from "./viewReady";

/** The server's options, once: its limits and the defaults the page starts from (state/options.ts). */
async function loadOptions(): Promise<void> {
  if (store.get().options !== null) return; // loaded before a lost connection: the user's choices stay
  const options = await api.loadOptions();
  store.set(withOptions(options, store.get()));
}

/** Open the page: the runs and the server's options, then (once the plot's renderer is loaded) the view the URL names
 * (a shared link) or the default embedding's PCA. */
export async function init(): Promise<void> {
  watchConnection(recover);
  watchClusters();
  watchRowLabels();
  exposeStore();
  try {
    const [runs] = await Promise.all([api.runs(), loadOptions()]);
    store.set({ runs });
    await viewReady;
    const first = defaultEmbedding(runs); // the loader's choice (a model's word embeddings), else the first
    if (!first) {
      store.set({ error: "The server has no embeddings to show." });
      return;
    }
    const saved = staticData(); // a saved page opens on the view it was saved with, unless its link names another
    if (saved?.view && window.location.hash === "") window.history.replaceState(null, "", `#${saved.view}`);
    if (!(await openFromUrl())) await chooseEmbedding(first.run, first.id);
  } catch (err) {
    fail(err);
  }
}

/** After a lost connection: fetch again what the page is missing (the runs, the columns, an unfinished projection). */
async function recover(): Promise<void> {
  const s = store.get();
  if (s.runs === null || s.embedding === null) {
    await init();
    return;
  }
  await Promise.all([loadColumn(s.labelBy), loadColumn(s.colorBy)]);
  const job = store.get().job;
  if (store.get().coords === null || (job !== null && job.state !== "done" && job.state !== "failed" && job.state !== "cancelled")) {
    await project();
  }
}
