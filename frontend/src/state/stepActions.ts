// Training steps (an embedding logged at several steps): the step shown, playing through the steps, and how the
// clicked point's neighbours changed between the shown step and another one.
import { api } from "../api/client";
import type { EmbeddingInfo } from "../api/types";
import { fail } from "./failure";
import { project } from "./projectionActions";
import { type State, store } from "./store";

/** How long play shows each step once it is drawn, in ms. */
const DWELL = 700;
/** How long the slider waits after the last move before projecting, in ms. */
const SETTLE = 120;

/** The embedding's steps, oldest first ([] when it has fewer than two: nothing to step through). */
export function stepsOf(emb: EmbeddingInfo | null): number[] {
  const steps = emb?.steps ?? [];
  return steps.length >= 2 ? steps : [];
}

/** The step shown: the store's, else the latest; null without steps. */
export function shownStep(state: Pick<State, "embedding" | "step">): number | null {
  const steps = stepsOf(state.embedding);
  if (steps.length === 0) return null;
  return state.step !== null && steps.includes(state.step) ? state.step : steps[steps.length - 1];
}

/** The step to compare the shown one with by default: the one before it, else the one after. */
export function defaultCompareStep(steps: number[], shown: number | null): number | null {
  if (steps.length < 2 || shown === null) return null;
  const at = steps.indexOf(shown);
  if (at < 0) return steps[steps.length - 2];
  return at > 0 ? steps[at - 1] : steps[1];
}

/** The two steps of a comparison in training order: [from, to]. */
export function compareSteps(a: number, b: number): [number, number] {
  return a <= b ? [a, b] : [b, a];
}

let settleTimer: ReturnType<typeof setTimeout> | undefined;

/** Show another step: the store knows at once (the slider's number), the projection follows when the slider rests
 * (`now`: at once). The points glide from this step's layout to the next, which is drawn in the same frame. */
export async function setStep(step: number, { now = false }: { now?: boolean } = {}): Promise<void> {
  const steps = stepsOf(store.get().embedding);
  if (!steps.includes(step)) return;
  const latest = steps[steps.length - 1];
  store.set({ step: step === latest ? null : step });
  clearTimeout(settleTimer);
  if (now) {
    await project(undefined, { morph: true });
    return;
  }
  settleTimer = setTimeout(() => void project(undefined, { morph: true }), SETTLE);
}

/** Show the step `delta` places later (earlier when negative), stopping play (the keys [ and ]). */
export function stepBy(delta: number): void {
  const s = store.get();
  const steps = stepsOf(s.embedding);
  const at = steps.indexOf(shownStep(s) ?? -1);
  if (at < 0) return;
  const next = Math.min(steps.length - 1, Math.max(0, at + delta));
  if (s.playing) pause();
  if (next !== at) void setStep(steps[next]);
}

/** How often the page asks whether training logged new steps, in ms (while the embedding has steps). */
export const STEP_POLL_MS = 10_000;

/** Ask the server for the embedding's steps again (training may have logged more since): the slider grows, and a
 * page following the latest step (step null, not playing) glides to the new latest. */
export async function refreshSteps(): Promise<void> {
  const before = store.get().embedding;
  if (before === null || before.steps === null || before.steps === undefined) return;
  let runs;
  try {
    runs = await api.runs();
  } catch {
    return; // the connection banner says so when the server is gone; the next poll tries again
  }
  const now = store.get();
  const emb = runs.runs.find((r) => r.id === before.run)?.embeddings.find((e) => e.id === before.id);
  if (!emb || now.embedding !== before || String(emb.steps) === String(before.steps)) return;
  store.set({ runs, embedding: { ...before, steps: emb.steps } });
  const latest = stepsOf(store.get().embedding).at(-1);
  if (now.step === null && !now.playing && latest !== undefined && latest !== (before.steps ?? []).at(-1)) {
    await project(undefined, { morph: true });
  }
}

/** Resolves once the shown projection is of `step` and finished (or failed, or was replaced by another). */
function whenShown(step: number): Promise<void> {
  const settled = (s: State) =>
    s.busy === null && s.job !== null && (s.job.state !== "running" && s.job.state !== "queued") && s.coords !== null;
  return new Promise((resolve) => {
    const check = (s: State) => {
      if ((s.job?.step === step && settled(s)) || shownStep(s) !== step || (s.busy === null && s.error !== null)) {
        stop();
        resolve();
      }
    };
    const stop = store.subscribe(check);
    check(store.get());
  });
}

let playToken = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Step through the steps from the shown one (from the first when at the last), each drawn and shown for DWELL ms. */
export async function play(): Promise<void> {
  const token = ++playToken;
  store.set({ playing: true });
  try {
    let steps = stepsOf(store.get().embedding);
    if (shownStep(store.get()) === steps[steps.length - 1] && steps.length > 0) {
      await setStep(steps[0], { now: true });
      await whenShown(steps[0]);
      await sleep(DWELL);
    }
    while (token === playToken) {
      steps = stepsOf(store.get().embedding);
      const at = steps.indexOf(shownStep(store.get()) ?? -1);
      if (at < 0 || at >= steps.length - 1) break;
      const next = steps[at + 1];
      await setStep(next, { now: true });
      await whenShown(next);
      if (store.get().error !== null) break;
      await sleep(DWELL);
    }
  } catch (err) {
    fail(err);
  } finally {
    if (token === playToken) store.set({ playing: false });
  }
}

export function pause(): void {
  playToken += 1;
  store.set({ playing: false });
}

// --- comparing the clicked point's neighbours between two steps ---

let compareSeq = 0;
let inflight: { key: string; promise: Promise<void> } | null = null; // the comparison in the store, or on its way

/** [from, to] of the comparison the state asks for; null when there is none to make. */
export function compareRange(s: Pick<State, "embedding" | "step" | "focus" | "compareWith">): [number, number] | null {
  const shown = shownStep(s);
  if (s.embedding === null || s.focus === null || s.compareWith === null || shown === null) return null;
  if (s.compareWith === shown) return null;
  return compareSteps(s.compareWith, shown);
}

function compareKey(s: State): string | null {
  const range = compareRange(s);
  if (range === null || s.embedding === null) return null;
  return `${s.embedding.run}/${s.embedding.id}:${s.focus}:${range[0]}:${range[1]}:${s.k}:${s.metric}`;
}

/** The store's comparison when it answers what the state asks for now (else null: one is on its way). */
export function currentCompare(s: State): State["compare"] {
  const c = s.compare;
  const range = compareRange(s);
  if (c === null || range === null) return null;
  const same = c.query.index === s.focus && c.from_step === range[0] && c.to_step === range[1];
  return same && c.k === s.k && c.metric === s.metric ? c : null;
}

/** Compare the clicked point's neighbours at the shown step with those at `step` (null: stop comparing). */
export function setCompareWith(step: number | null): Promise<void> {
  if (step === null) inflight = null;
  store.set({ compareWith: step });
  return refreshCompare();
}

/** Ask the server how the clicked point's k nearest neighbours changed between the two steps (once per question). */
function refreshCompare(): Promise<void> {
  const s = store.get();
  const key = compareKey(s);
  const range = compareRange(s);
  if (key === null || range === null || s.embedding === null || s.focus === null) return Promise.resolve();
  if (inflight?.key === key) return inflight.promise;
  const mine = ++compareSeq;
  const body = { query: s.focus, k: s.k, metric: s.metric, from_step: range[0], to_step: range[1] };
  const promise = api.compareNeighbors(s.embedding.run, s.embedding.id, body).then(
    (result) => {
      if (mine === compareSeq) store.set({ compare: result });
    },
    (err) => {
      if (mine === compareSeq) fail(err);
    },
  );
  inflight = { key, promise };
  return promise;
}

// Another point, step, k or metric while comparing: compare again.
store.subscribe((s) => {
  const key = compareKey(s);
  if (key !== null && inflight?.key !== key) void refreshCompare();
});
