import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Frames, LabelSchedule, SETTLE_MS } from "./labelSchedule";

/** Animation frames run by hand. */
function manualFrames() {
  const queued = new Map<number, () => void>();
  let next = 1;
  const frames: Frames = {
    request: (fn) => {
      queued.set(next, fn);
      return next++;
    },
    cancel: (id) => void queued.delete(id),
  };
  const tick = () => {
    const due = [...queued.values()];
    queued.clear();
    due.forEach((fn) => fn());
  };
  return { frames, tick, pending: () => queued.size };
}

describe("LabelSchedule", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("chooses labels once in the next frame however many changes came before it", () => {
    const update = vi.fn();
    const f = manualFrames();
    const s = new LabelSchedule(update, f.frames);
    s.soon();
    s.soon();
    expect(update).not.toHaveBeenCalled();
    f.tick();
    expect(update).toHaveBeenCalledTimes(1);
    f.tick();
    expect(update).toHaveBeenCalledTimes(1);
  });

  it("while the camera moves, waits until it has been still for SETTLE_MS, then chooses once", () => {
    const update = vi.fn();
    const f = manualFrames();
    const s = new LabelSchedule(update, f.frames, () => Date.now());
    for (let step = 0; step < 10; step++) {
      s.moved(); // one pan step per frame: no label work on the way
      f.tick();
      vi.advanceTimersByTime(16);
    }
    expect(update).not.toHaveBeenCalled();
    expect(s.waiting).toBe(true);
    vi.advanceTimersByTime(SETTLE_MS - 17);
    expect(update).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(update).toHaveBeenCalledTimes(1);
    expect(s.waiting).toBe(false);
  });

  it("where the camera's steps come slowly (slow frames), waits 1.5 times their pace, not between two steps", () => {
    const update = vi.fn();
    const f = manualFrames();
    const s = new LabelSchedule(update, f.frames, () => Date.now());
    const drag = () => {
      for (let step = 0; step < 6; step++) {
        s.moved();
        vi.advanceTimersByTime(250); // a software renderer: a frame every 250 ms
      }
    };
    drag(); // the first gesture learns the pace (its first step is chosen for at the plain wait)
    expect(update).toHaveBeenCalledTimes(1);
    expect(s.settleMs).toBe(375);
    vi.advanceTimersByTime(125);
    expect(update).toHaveBeenCalledTimes(2); // once after the gesture
    vi.advanceTimersByTime(5_000);
    drag(); // the next gesture keeps the pace: no label work between its steps
    expect(update).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(125);
    expect(update).toHaveBeenCalledTimes(3);
  });

  it("a change during a move waits for the settle; a frame already asked for gives way to it", () => {
    const update = vi.fn();
    const f = manualFrames();
    const s = new LabelSchedule(update, f.frames);
    s.soon(); // e.g. the hovered point changed
    s.moved(); // and the camera moved in the same frame
    expect(f.pending()).toBe(0);
    s.soon(); // the selection changed mid-pan
    f.tick();
    expect(update).not.toHaveBeenCalled();
    vi.advanceTimersByTime(SETTLE_MS);
    expect(update).toHaveBeenCalledTimes(1);
    s.soon(); // after the settle, changes are back to the next frame
    f.tick();
    expect(update).toHaveBeenCalledTimes(2);
  });

  it("destroy drops what is pending", () => {
    const update = vi.fn();
    const f = manualFrames();
    const s = new LabelSchedule(update, f.frames);
    s.moved();
    s.destroy();
    vi.advanceTimersByTime(SETTLE_MS * 2);
    f.tick();
    expect(update).not.toHaveBeenCalled();
  });
});
