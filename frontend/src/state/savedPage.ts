// Save the view as one HTML file (server/routes/export_html.py): the map's coordinates, the columns it uses (every
// column when they are not too many values), its clusters, and the view in the URL's form (as it is now: the URL's
// hash is written a moment after a change).
import { api } from "../api/client";
import { errorMessage } from "./failure";
import { downloadBlob } from "./scatterActions";
import { clustersShown, CLUSTER_COLUMNS } from "./clusterActions";
import { snapshot } from "./snapshot";
import type { State } from "./store";
import { encodeState } from "./urlState";

const ALL_COLUMNS_UP_TO = 2_000_000; // values: below this, every metadata column goes in (the tooltip shows them all)

/** The metadata columns the file holds. */
export function columnsFor(state: State): string[] {
  const emb = state.embedding;
  if (!emb) return [];
  const names = emb.columns.map((c) => c.name);
  if (names.length * emb.shape[0] <= ALL_COLUMNS_UP_TO) return names;
  const used = [state.labelBy, state.colorBy, state.searchColumn, ...state.filters.map((f) => f.column)];
  if (clustersShown(state)) used.push(...CLUSTER_COLUMNS);
  return names.filter((n) => used.includes(n));
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Save the file; the sentence saying what was saved (or why not). */
export async function saveHtml(state: State, title: string): Promise<string> {
  const emb = state.embedding;
  const job = state.job;
  if (!emb || !job || job.state !== "done") return "Wait until the projection is done.";
  try {
    const { blob, filename, points } = await api.exportHtml(emb.run, emb.id, {
      job_id: job.id,
      columns: columnsFor(state),
      title,
      view: encodeState(snapshot(state), state.options),
      clusters: clustersShown(state) !== null,
    });
    downloadBlob(blob, filename);
    return `Saved ${filename}: ${points.toLocaleString("en-US")} points, ${megabytes(blob.size)}.`;
  } catch (err) {
    return errorMessage(err);
  }
}
