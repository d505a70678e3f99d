import { describe, expect, it } from "vitest";
import { etaTracker, timeLeftText } from "./eta";

const job = (fraction: number | null, stage = "umap", state = "running", id = "j1") => ({ id, stage, state, fraction });

describe("etaTracker", () => {
  it("estimates from the current stage's pace", () => {
    const eta = etaTracker();
    expect(eta(job(0.1), 0)).toBeNull(); // first sight of the stage
    expect(eta(job(0.15), 1_000)).toBeNull(); // too early
    expect(eta(job(0.3), 10_000)).toBeCloseTo(35, 5); // 0.2 in 10 s: 0.7 left takes 35 s
  });

  it("starts again with a new stage or a new job", () => {
    const eta = etaTracker();
    eta(job(0.0, "knn"), 0);
    expect(eta(job(0.5, "knn"), 10_000)).toBeCloseTo(10, 5);
    expect(eta(job(0.0, "tsne"), 11_000)).toBeNull();
    expect(eta(job(0.25, "tsne"), 16_000)).toBeCloseTo(15, 5);
    expect(eta(job(0.5, "tsne", "running", "j2"), 17_000)).toBeNull();
  });

  it("leaves out the time a job spends paused, and says nothing while paused or finished", () => {
    const eta = etaTracker();
    eta(job(0.0), 0);
    expect(eta(job(0.1), 5_000)).toBeCloseTo(45, 5);
    expect(eta(job(0.1, "umap", "paused"), 6_000)).toBeNull();
    expect(eta(job(0.2, "umap", "running"), 66_000)).toBeCloseTo(24, 5); // 60 s paused: 0.2 in 6 s running
    expect(eta(job(1, "umap", "done"), 70_000)).toBeNull();
    expect(eta(job(null), 71_000)).toBeNull();
    expect(eta(null, 72_000)).toBeNull();
  });
});

describe("timeLeftText", () => {
  it("rounds to what a reader needs", () => {
    expect(timeLeftText(0.3)).toBe("about 1 s left");
    expect(timeLeftText(42)).toBe("about 40 s left");
    expect(timeLeftText(170)).toBe("about 3 min left");
    expect(timeLeftText(3_900)).toBe("about 1 h 5 min left");
  });
});
