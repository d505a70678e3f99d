// Bookmarks that come with a TensorBoard log dir: the JSON file a projector config's `bookmarks_path` names
// (TensorBoard's own format: a list of saved states), served as `config_bookmarks` of the embedding. Each maps onto
// a page state that restore() brings back: method, 2-D/3-D, PCA components, t-SNE and UMAP parameters, custom axes,
// selection, colour by and label by. TensorBoard's camera and stored coordinates do not carry over: the projection
// is computed again.
import type { EmbeddingInfo } from "../api/types";
import type { ProjectionChoice, ProjectionParams } from "./store";
import type { UrlState } from "./urlState";

interface ConfigBookmark {
  label: string;
  doc: UrlState;
}

type Raw = Record<string, unknown>;

const METHODS = ["pca", "tsne", "umap", "custom"] as const;
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const indices = (v: unknown, n: number): number[] =>
  Array.isArray(v) ? v.filter((i): i is number => Number.isInteger(i) && i >= 0 && i < n) : [];

/** PCA components (0-based, 10 of them) for X, Y, Z: the ones saved, then the lowest unused. */
function pcaAxes(saved: number[]): [number, number, number] {
  const axes = saved.filter((a, i) => Number.isInteger(a) && a >= 0 && a < 10 && saved.indexOf(a) === i).slice(0, 3);
  for (let a = 0; axes.length < 3; a++) if (!axes.includes(a)) axes.push(a);
  return axes as [number, number, number];
}

function projectionOf(s: Raw): { projection: Partial<ProjectionChoice>; params: Partial<ProjectionParams> } {
  const selected = str(s.selectedProjection);
  const method = METHODS.find((m) => m === selected) ?? "pca";
  const pcaDims = Array.isArray(s.pcaComponentDimensions) ? (s.pcaComponentDimensions as number[]) : [];
  const projection: Partial<ProjectionChoice> = { method, axes: pcaAxes(pcaDims) };
  const params: Partial<ProjectionParams> = {};
  if (method === "pca") projection.dims = pcaDims.length >= 3 ? 3 : 2;
  if (method === "tsne") projection.dims = s.tSNEis3d === false ? 2 : 3; // TensorBoard's default is 3-D
  if (method === "umap") projection.dims = s.umapIs3d === false ? 2 : 3;
  if (method === "custom") projection.dims = 2;
  const perplexity = num(s.tSNEPerplexity);
  if (perplexity !== null && perplexity > 0) params.perplexity = perplexity;
  const iterations = num(s.tSNEIteration);
  if (iterations !== null && iterations >= 50) params.iterations = Math.round(iterations);
  const rate = num(s.tSNELearningRate);
  if (rate !== null && rate > 0) params.learningRate = rate;
  const neighbors = num(s.umapNeighbors);
  if (neighbors !== null && neighbors >= 2) params.neighbors = Math.round(neighbors);
  if (method === "custom") {
    params.column = str(s.customSelectedSearchByMetadataOption);
    params.left = str(s.customXLeftText) ?? "";
    params.right = str(s.customXRightText) ?? "";
    params.up = str(s.customYUpText) ?? "";
    params.down = str(s.customYDownText) ?? "";
    const flags = [s.customXLeftRegex, s.customXRightRegex, s.customYUpRegex, s.customYDownRegex];
    params.regex = flags.some((r) => r === true);
  }
  return { projection, params };
}

/** The bookmarks of an embedding's log dir as page states; malformed entries are left out. */
export function configBookmarksOf(emb: EmbeddingInfo | null): ConfigBookmark[] {
  const raw = emb?.config_bookmarks;
  if (!emb || !Array.isArray(raw)) return [];
  const n = emb.shape[0];
  const columns = new Map(emb.columns.map((c) => [c.name, c]));
  const out: ConfigBookmark[] = [];
  raw.forEach((entry, i) => {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return;
    const s = entry as Raw;
    const doc: UrlState = { embedding: { run: emb.run, id: emb.id }, ...projectionOf(s), isolated: null };
    const selected = indices(s.selectedPoints, n);
    // one point selected is a clicked point in TensorBoard: it and its neighbours; several are a selection
    if (selected.length === 1) doc.focus = selected[0];
    else doc.selection = selected;
    const colorBy = str(s.selectedColorOptionName);
    if (colorBy !== null) {
      const column = columns.get(colorBy);
      doc.colorBy = column ? colorBy : null; // "No color map" and columns this metadata lacks: no colour
      const categorical = (column?.distinct?.length ?? 0) > 1;
      doc.colorMode = column && column.type === "numeric" && !categorical ? "numeric" : "category";
    }
    const labelBy = str(s.selectedLabelOption);
    if (labelBy !== null && columns.has(labelBy)) doc.labelBy = labelBy;
    out.push({ label: str(s.label)?.trim() || `State ${i + 1}`, doc });
  });
  return out;
}
