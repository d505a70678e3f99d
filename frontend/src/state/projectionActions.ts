// Projections beyond the first PCA: every method with its parameters, job steering, isolate / show all.
import { api } from "../api/client";
import { watchJob } from "../api/stream";
import type { Coords, EmbeddingInfo, JobStatus, ProjectionRequest } from "../api/types";
import { errorSentence } from "./errorSentence";
import { failProjection as fail } from "./failure";
import { rowsOf, spread } from "./isolation";
import { type ProjectionChoice, type ProjectionParams, type State, store } from "./store";
import { showTiles, tiledMap } from "./tileActions";

let stopWatching: (() => void) | null = null;
let watchedJob: string | null = null;
let calls = 0; // project() calls so far: an answer to an older call than the latest is dropped

const BUSY: Record<ProjectionChoice["method"], string> = {
  pca: "Computing PCA…",
  tsne: "Running t-SNE…",
  umap: "Running UMAP…",
  custom: "Computing custom axes…",
  precomputed: "Reading the coordinates…",
};

/** The embedding's numeric columns: the candidates for precomputed coordinates. */
export const numericColumns = (emb: EmbeddingInfo | null): string[] =>
  (emb?.columns ?? []).filter((c) => c.type === "numeric").map((c) => c.name);

/** The columns a first look draws: x, y (and z) when there are such columns, else the first numeric ones. */
export function defaultCoords(emb: EmbeddingInfo | null): string[] {
  const numeric = numericColumns(emb);
  const named = ["x", "y", "z"].filter((n) => numeric.includes(n));
  return named.length >= 2 ? named : numeric.slice(0, 3);
}

/** The precomputed columns embedding `emb` draws when it is chosen: the ones chosen for the last one when it has them
 * all, else its own defaults; null when it has fewer than two numeric columns (nothing to draw). */
export function coordsFor(emb: EmbeddingInfo, chosen: string[]): string[] | null {
  const numeric = numericColumns(emb);
  const kept = chosen.length >= 2 && chosen.every((c) => numeric.includes(c)) ? chosen : defaultCoords(emb);
  return kept.length >= 2 ? kept : null;
}

/** The server spherizes (centres each row and scales it to unit length) by default from this many dimensions. */
export const SPHERIZE_MIN_DIM = 50;

/** Whether the projections spherize the rows: the user's choice, else the server's default for the dimension. */
export function spherizeOn(state: Pick<State, "spherize" | "embedding">): boolean {
  if (state.spherize !== null) return state.spherize;
  return (state.embedding?.shape[1] ?? 0) >= SPHERIZE_MIN_DIM;
}

/** t-SNE's learning rate to send: a positive number, else "auto" (a bookmark of an older page saved 0 for it). */
export const learningRate = (p: Pick<ProjectionParams, "learningRate">): number | "auto" =>
  typeof p.learningRate === "number" && p.learningRate > 0 ? p.learningRate : "auto";

/** The API request for a projection choice (and the rows to project, when isolating). `spherize`: null leaves the
 * choice to the server (on for D >= 50). `step`: a training step, drawn in the latest step's frame (aligned, so a
 * sweep over the steps moves the points smoothly); null: the latest. */
export function requestFor(
  choice: ProjectionChoice,
  p: ProjectionParams,
  subset: number[] | null,
  spherize: boolean | null = null,
  step: number | null = null,
): ProjectionRequest {
  const base = {
    n_components: choice.dims,
    subset: subset && subset.length >= 3 ? subset : null,
    ...(spherize === null ? {} : { spherize }),
    ...(step === null ? {} : { step, align: true }),
  };
  switch (choice.method) {
    case "pca":
      return { ...base, method: "pca", params: { axes: choice.axes.slice(0, choice.dims) } };
    case "tsne":
      return {
        ...base,
        method: "tsne",
        params: {
          perplexity: p.perplexity,
          n_iter: p.iterations,
          learning_rate: learningRate(p),
          neighbors: p.graph,
          ...(p.supervise
            ? { supervise: p.supervise, supervise_strength: p.superviseStrength, supervise_ignore: p.superviseIgnore }
            : {}),
        },
        random_state: p.tsneSeed,
      };
    case "umap":
      return {
        ...base,
        method: "umap",
        params: { n_neighbors: p.neighbors, min_dist: p.minDist, neighbors: p.graph, parallel: p.parallel },
        random_state: p.umapSeed,
      };
    case "custom": {
      const params: Record<string, unknown> = { column: p.column, regex: p.regex };
      for (const side of ["left", "right", "up", "down"] as const) if (p[side].trim()) params[side] = p[side];
      return { ...base, method: "custom", n_components: 2, params };
    }
    case "precomputed": {
      const columns = p.coords.slice(0, choice.dims);
      return { ...base, method: "precomputed", params: columns.length === choice.dims ? { columns: columns.join(",") } : {} };
    }
  }
}

function showCoords(coords: Coords, rows: number[] | null, morph = false): void {
  if (coords.n === 0 || coords.dims === 0) return;
  const data = spread(coords, rows, store.get().embedding?.shape[0] ?? coords.n);
  const version = (store.get().coords?.version ?? 0) + 1;
  store.set({ coords: { n: data.length / coords.dims, dims: coords.dims, data, version, morph }, tiles: null });
}

function showStatus(job: JobStatus): void {
  if (watchedJob !== null && job.id !== watchedJob) return;
  const shown = store.get().job;
  if (shown?.id === job.id && shown.version > job.version) return; // a stale status
  const patch: Parameters<typeof store.set>[0] = { job };
  const summary = job.summary;
  const ratio = summary?.explained_variance_ratio;
  if (job.method === "pca" && ratio) patch.variance = ratio.map((v) => v ?? 0);
  if ((job.method === "custom" || job.method === "precomputed") && summary?.x_label) {
    patch.axisLabels = { x: summary.x_label, y: summary.y_label ?? "" };
  }
  if (job.state === "failed" && job.error) {
    const column = (job.params as { column?: string | null }).column;
    patch.error = errorSentence(job.error, { column });
  }
  if (job.state === "done" || job.state === "failed" || job.state === "cancelled") patch.busy = null;
  if (job.state === "paused") patch.busy = null;
  store.set(patch);
}

function detach(): void {
  stopWatching?.();
  stopWatching = null;
  watchedJob = null;
}

/** Run the chosen projection (of the isolated rows, if any) at the store's step; coordinates stream in while it
 * runs. `morph`: the points glide from where they are to where they go (another step of the same projection), when
 * the first coordinates shown are final ones (a t-SNE's intermediate frames just replace each other). */
export async function project(
  subset: number[] | null = store.get().isolated,
  { morph = false }: { morph?: boolean } = {},
): Promise<void> {
  const emb = store.get().embedding;
  if (emb === null) return;
  detach();
  const call = ++calls;
  const superseded = () => call !== calls; // a newer project() started while this one waited
  const choice = store.get().projection;
  store.set({
    busy: BUSY[choice.method],
    error: null,
    isolated: subset,
    axisLabels: choice.method === "custom" || choice.method === "precomputed" ? store.get().axisLabels : null,
  });
  try {
    const { params, spherize, step } = store.get();
    const request = requestFor(choice, params, subset, spherize, emb.steps?.length ? step : null);
    const job = await api.startProjection(emb.run, emb.id, request);
    if (superseded()) return;
    if (tiledMap(store.get(), subset?.length ?? emb.shape[0], choice.dims)) await followTiled(job, superseded);
    else await follow(job, subset, morph, superseded);
  } catch (err) {
    if (!superseded()) fail(err);
  }
}

/** Show a job: a finished one's coordinates at once, else its frames as they stream in (see project()). */
async function follow(job: JobStatus, subset: number[] | null, morph: boolean, superseded: () => boolean): Promise<void> {
  if (job.state === "done") {
    // a finished job (cached, or attached to): its coordinates first, then its status with them, so that the
    // page never says "done" over the previous projection's points
    const coords = await api.coords(job.id);
    if (superseded()) return;
    watchedJob = job.id;
    showStatus(job);
    showCoords(coords, subset, morph);
    return;
  }
  watchedJob = job.id;
  showStatus(job);
  let final = false;
  let first = true;
  stopWatching = watchJob(job.id, {
    status: showStatus,
    frame: (coords) => {
      if (watchedJob !== job.id) return;
      final ||= coords.final;
      showCoords(coords, subset, morph && first && coords.final);
      first = false;
    },
    error: fail,
    closed: () => {
      const last = store.get().job;
      if (!final && watchedJob === job.id && last?.id === job.id && last.state === "done") {
        api.coords(job.id).then((c) => {
          if (!superseded() && watchedJob === job.id) showCoords(c, subset, morph && first);
        }, fail);
      }
    },
  });
}

/** Show a job whose map is drawn from tiles: its status as it runs (no coordinates come over the stream), then,
 * once done, its tiles (tileActions.ts). */
async function followTiled(job: JobStatus, superseded: () => boolean): Promise<void> {
  watchedJob = job.id;
  showStatus(job);
  if (job.state === "done") {
    await showTiles(job, superseded);
    return;
  }
  let shown = false;
  stopWatching = watchJob(
    job.id,
    {
      status: (status) => {
        showStatus(status);
        if (status.state === "done" && !shown && watchedJob === job.id) {
          shown = true;
          void showTiles(status, superseded);
        }
      },
      frame: () => undefined,
      error: fail,
      closed: () => undefined,
    },
    { frames: false },
  );
}

/** Change the choice; run it now unless `run` is false. */
export async function choose(patch: Partial<ProjectionChoice>, run = true): Promise<void> {
  store.set({ projection: { ...store.get().projection, ...patch } });
  if (run) await project();
}

/** "Spherize data": remember the choice and run the current projection again (of the same rows). */
export async function setSpherize(on: boolean): Promise<void> {
  store.set({ spherize: on });
  await project();
}

export function setParams(patch: Partial<ProjectionParams>): void {
  store.set({ params: { ...store.get().params, ...patch } });
}

const STEER = {
  pause: (id: string) => api.pauseProjection(id),
  resume: (id: string) => api.resumeProjection(id),
  cancel: (id: string) => api.cancelProjection(id),
  perturb: (id: string) => api.perturbProjection(id),
};

async function steer(action: keyof typeof STEER): Promise<void> {
  const job = store.get().job;
  if (!job || job.state === "done" || job.state === "failed" || job.state === "cancelled") return;
  try {
    showStatus(await STEER[action](job.id));
    if (action === "resume") store.set({ busy: BUSY[store.get().projection.method] });
  } catch (err) {
    fail(err);
  }
}

export const pauseJob = () => steer("pause");
export const resumeJob = () => steer("resume");
export const stopJob = () => steer("cancel");

/** TensorBoard's Perturb: a running t-SNE is nudged where it is; a finished one goes on in a new job from its layout
 * plus the noise, which the page then follows (its frames stream in, the points staying near where they were). */
export async function perturbJob(): Promise<void> {
  const job = store.get().job;
  if (job?.method !== "tsne" || job.state !== "done") return steer("perturb");
  detach();
  const call = ++calls;
  const superseded = () => call !== calls;
  store.set({ busy: BUSY.tsne, error: null });
  try {
    const next = await api.perturbProjection(job.id);
    if (!superseded()) await follow(next, store.get().isolated, false, superseded);
  } catch (err) {
    if (!superseded()) fail(err);
  }
}

/** Run t-SNE again from a fresh start: the next seed (the same one would give the same, cached, answer). */
export async function rerunTsne(): Promise<void> {
  await stopJob();
  setParams({ tsneSeed: store.get().params.tsneSeed + 1 });
  await project();
}

/** Re-project only the selected rows with the current method. */
export async function isolateSelection(): Promise<void> {
  const rows = rowsOf(store.get().selection);
  if (rows.length < 3) {
    store.set({ error: "Select at least 3 points to isolate them." });
    return;
  }
  await project(rows);
}

export async function showAllData(): Promise<void> {
  await project(null);
}
