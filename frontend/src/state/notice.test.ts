import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NOTICE_MS, dismissNotice, showNotice } from "./notice";
import { initialState, store } from "./store";

beforeEach(() => {
  vi.useFakeTimers();
  store.set({ ...initialState });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("notices", () => {
  it("go by themselves after a while", () => {
    showNotice("Loaded 2 bookmarks from a.json");
    vi.advanceTimersByTime(NOTICE_MS - 1);
    expect(store.get().notice).toBe("Loaded 2 bookmarks from a.json");
    vi.advanceTimersByTime(1);
    expect(store.get().notice).toBeNull();
  });

  it("can be dismissed sooner", () => {
    showNotice("x");
    dismissNotice();
    expect(store.get().notice).toBeNull();
  });

  it("a newer notice gets its own full time", () => {
    showNotice("first");
    vi.advanceTimersByTime(NOTICE_MS - 100);
    showNotice("second");
    vi.advanceTimersByTime(NOTICE_MS - 100);
    expect(store.get().notice).toBe("second");
    vi.advanceTimersByTime(100);
    expect(store.get().notice).toBeNull();
  });
});
