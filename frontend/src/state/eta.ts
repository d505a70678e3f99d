// The time left of a running job, estimated from how fast its current stage has advanced so far (the server's
// fraction is per stage: the k-NN graph, then t-SNE's iterations or UMAP's epochs), as the CLI's bar does.

export interface Progressing {
  id: string;
  stage: string;
  state: string;
  fraction?: number | null;
}

interface Mark {
  key: string; // job and stage
  t0: number; // when the stage was first seen (ms)
  f0: number; // its fraction then
}

const MIN_ELAPSED_MS = 2_000; // too early to say before this
const MIN_ADVANCE = 0.01;

/** A tracker: call it with each status seen and the time (ms); it answers the seconds left, or null (unknown). */
export function etaTracker(): (job: Progressing | null, now: number) => number | null {
  let mark: Mark | null = null;
  let pausedAt: number | null = null;
  return (job, now) => {
    if (!job || job.fraction === null || job.fraction === undefined) return null;
    const key = `${job.id}\u0000${job.stage}`;
    if (mark?.key !== key) {
      mark = { key, t0: now, f0: job.fraction };
      pausedAt = null;
      return null;
    }
    if (job.state === "paused") {
      pausedAt ??= now;
      return null;
    }
    if (pausedAt !== null) {
      mark.t0 += now - pausedAt; // a pause does not count as time spent
      pausedAt = null;
    }
    if (job.state !== "running") return null;
    const elapsed = now - mark.t0;
    const advanced = job.fraction - mark.f0;
    if (elapsed < MIN_ELAPSED_MS || advanced < MIN_ADVANCE) return null;
    return ((elapsed / advanced) * (1 - job.fraction)) / 1000;
  };
}

/** "about 40 s left", "about 3 min left", "about 1 h 5 min left". */
export function timeLeftText(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds / 5) * 5 || 1)} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}
