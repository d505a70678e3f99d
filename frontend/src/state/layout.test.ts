import { describe, expect, it } from "vitest";
import { compactFor, embedAsked, embedInHash } from "./layout";

describe("layout", () => {
  it("is compact when asked with embed=1, in the query or the hash", () => {
    expect(embedAsked({ search: "?embed=1", hash: "" })).toBe(true);
    expect(embedAsked({ search: "?token=x&embed=1", hash: "" })).toBe(true);
    expect(embedAsked({ search: "", hash: "#run=r0&embed=1" })).toBe(true);
    expect(embedAsked({ search: "?embed=0", hash: "#run=r0" })).toBe(false);
    expect(embedInHash("#embed=1&run=r0")).toBe(true);
    expect(embedInHash("run=r0")).toBe(false);
  });

  it("is compact under 900 px wide (a 700 px notebook cell)", () => {
    expect(compactFor(700, false)).toBe(true);
    expect(compactFor(899, false)).toBe(true);
    expect(compactFor(900, false)).toBe(false);
    expect(compactFor(1400, true)).toBe(true);
  });
});
