import { afterEach, describe, expect, it, vi } from "vitest";
import { GLIDE_MS, Glide } from "./glide";

afterEach(() => {
  vi.useRealTimers();
});

describe("a glide between two layouts", () => {
  it("sets the position transition and waits for the points to arrive", () => {
    const arrived = vi.fn();
    const glide = new Glide(arrived);
    glide.start(true);
    expect(glide.active).toBe(true);
    expect(glide.transitions?.getPosition.duration).toBe(GLIDE_MS);
    glide.transitions?.getPosition.onEnd(); // deck.gl: the points layer's transition ended
    glide.transitions?.getPosition.onEnd(); // and the sprites' too: told once
    expect(arrived).toHaveBeenCalledTimes(1);
    expect(glide.active).toBe(false);
    expect(glide.transitions).toBeDefined(); // kept until positions change without a glide
  });

  it("drops the transition when positions jump", () => {
    const glide = new Glide(() => undefined);
    glide.start(true);
    glide.start(false);
    expect(glide.transitions).toBeUndefined();
    expect(glide.active).toBe(false);
  });

  it("lets labels back after a while even when deck.gl never says so", () => {
    vi.useFakeTimers();
    const arrived = vi.fn();
    const glide = new Glide(arrived);
    glide.start(true);
    vi.advanceTimersByTime(GLIDE_MS);
    expect(arrived).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5_000);
    expect(arrived).toHaveBeenCalledTimes(1);
  });
});
