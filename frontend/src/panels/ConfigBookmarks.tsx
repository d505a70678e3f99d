// The bookmarks that came with the log dir (its projector config's bookmarks_path, saved by TensorBoard): listed
// read-only under the page's own bookmarks; clicking one restores what maps onto this page (configBookmarks.ts).
import { configBookmarksOf } from "../state/configBookmarks";
import { fail } from "../state/failure";
import { restore } from "../state/snapshot";
import type { State } from "../state/store";

const METHOD = { pca: "PCA", tsne: "t-SNE", umap: "UMAP", custom: "Custom", precomputed: "Precomputed" } as const;

export function ConfigBookmarks({ state }: { state: State }) {
  const marks = configBookmarksOf(state.embedding);
  if (marks.length === 0) return null;
  return (
    <div class="config-bookmarks">
      <h3 id="config-bookmarks-title">From the log dir</h3>
      <ol class="list" id="config-bookmark-list" aria-labelledby="config-bookmarks-title">
        {marks.map((b, i) => (
          <li key={i} data-name={b.label}>
            <button
              type="button"
              class="config-bookmark-restore"
              title={`Restore "${b.label}" (saved with the log dir; read-only)`}
              onClick={() => void restore(b.doc).catch(fail)}
            >
              <span class="label">{b.label}</span>
              <span class="meta">
                {METHOD[b.doc.projection?.method ?? "pca"]} {b.doc.projection?.dims ?? 2}-D
              </span>
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
