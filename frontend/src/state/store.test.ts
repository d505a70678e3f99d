import { describe, expect, it, vi } from "vitest";
import { type State, Store, initialState, labelOf, listLabel } from "./store";

describe("Store", () => {
  it("merges a patch into a new state object and keeps the rest", () => {
    const store = new Store(initialState);
    const before = store.get();
    store.set({ k: 50, selection: [1, 2] });
    const after = store.get();
    expect(after).not.toBe(before);
    expect(after.k).toBe(50);
    expect(after.selection).toEqual([1, 2]);
    expect(after.metric).toBe(before.metric);
    expect(before.k).toBe(initialState.k); // the old state is not changed
  });

  it("tells every listener the new state on each set, until unsubscribed", () => {
    const store = new Store(initialState);
    const a = vi.fn();
    const b = vi.fn();
    const stopA = store.subscribe(a);
    store.subscribe(b);
    store.set({ focus: 3 });
    expect(a).toHaveBeenCalledTimes(1);
    expect(a.mock.calls[0][0].focus).toBe(3);
    expect(b.mock.calls[0][0]).toBe(store.get());
    stopA();
    store.set({ focus: 4 });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it("starts with nothing chosen and the server's spherize default", () => {
    expect(initialState.embedding).toBeNull();
    expect(initialState.selection).toEqual([]);
    expect(initialState.spherize).toBeNull();
    expect(initialState.projection.method).toBe("pca");
    expect(initialState.theme).toBe("light"); // no matchMedia in Node
  });
});

describe("labelOf", () => {
  const state = (patch: Partial<State>): State => ({ ...initialState, ...patch });

  it("is the label column's value", () => {
    const s = state({ labelBy: "word", columns: { word: ["the", "of", 7] } });
    expect(labelOf(s, 0)).toBe("the");
    expect(labelOf(s, 2)).toBe("7");
  });

  it("falls back to the row number when there is no column, no value or a null", () => {
    expect(labelOf(state({ labelBy: null }), 5)).toBe("#5");
    expect(labelOf(state({ labelBy: "word", columns: {} }), 5)).toBe("#5"); // column not loaded yet
    expect(labelOf(state({ labelBy: "word", columns: { word: ["a", null] } }), 1)).toBe("#1");
    expect(labelOf(state({ labelBy: "word", columns: { word: ["a"] } }), 9)).toBe("#9");
  });

  it("keeps an empty string and zero as labels", () => {
    const s = state({ labelBy: "v", columns: { v: ["", 0] } });
    expect(labelOf(s, 0)).toBe("");
    expect(labelOf(s, 1)).toBe("0");
  });
});

describe("listLabel", () => {
  const emb = (type: "numeric" | "string") => ({
    id: "e0",
    run: "r0",
    name: "x",
    shape: [3, 2] as [number, number],
    label_column: "label",
    columns: [{ name: "label", type, distinct: null }],
    sprite: null,
  });

  it("lists a numeric label with its row first, as #123 (0)", () => {
    const state = { ...initialState, embedding: emb("numeric"), labelBy: "label", columns: { label: [0, 7, null] } } as State;
    expect(listLabel(state, 1)).toBe("#1 (7)");
    expect(listLabel(state, 2)).toBe("#2");
  });

  it("lists a word as it is", () => {
    const state = { ...initialState, embedding: emb("string"), labelBy: "label", columns: { label: ["politics", "##ism", null] } } as State;
    expect(listLabel(state, 0)).toBe("politics");
    expect(listLabel(state, 1)).toBe("##ism");
  });
});
