// The page inside a frame (the Jupyter widget, embedscope.show): the selection goes both ways by postMessage.
//
// Only when the page is framed, and only with its parent window:
// - on start the page posts {type: "embedscope:ready"} (it carries nothing, so it goes to any origin);
// - the parent posts {type: "embedscope:set-selection", indices}: the page selects those points (once its
//   embedding is loaded) and from then on answers only to the origin that parent message came from;
// - whenever the selection changes in the page, it posts {type: "embedscope:selection", indices} to the parent.
import { store, type State } from "./state/store";

type Message = { type: "embedscope:set-selection"; indices: number[] };

let parentOrigin: string | null = null; // where the parent's messages come from: the only origin told anything
let agreed: number[] | null = null; // the selection both sides know about (not re-sent, not re-applied)
let pending: number[] | null = null; // asked for before the embedding was loaded
let seen: number[] | null = null; // the store's selection array last looked at
let applying = false; // a parent's selection is about to be set: the states until then are not reported

function same(a: readonly number[] | null, b: readonly number[]): boolean {
  return a !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The indices of a set-selection message that exist in the shown embedding (others are dropped). */
function valid(indices: unknown, n: number): number[] | null {
  if (!Array.isArray(indices)) return null;
  return indices.filter((i): i is number => Number.isInteger(i) && i >= 0 && i < n);
}

function apply(indices: number[]): void {
  if (store.get().embedding === null) {
    pending = indices; // set once the embedding is loaded (loading it clears the selection)
    return;
  }
  applying = true;
  // later, not inside a store listener: every listener must see the states in the order they were set
  setTimeout(() => {
    applying = false;
    const state = store.get();
    const selection = valid(indices, state.embedding?.shape[0] ?? 0) ?? [];
    if (same(state.selection, selection)) return;
    agreed = selection;
    seen = selection;
    store.set({ selection, selectionSource: null, focus: null, neighbors: null, searchCount: null, searchText: "" });
  }, 0);
}

function onMessage(event: MessageEvent): void {
  if (event.source !== window.parent) return;
  const data = event.data as Partial<Message> | null;
  if (!data || data.type !== "embedscope:set-selection" || !Array.isArray(data.indices)) return;
  parentOrigin = event.origin === "null" ? "*" : event.origin; // an opaque origin can only be written to as "*"
  agreed = data.indices.slice();
  apply(data.indices.slice());
}

function onState(state: State): void {
  if (state.embedding === null || applying) return;
  if (pending !== null) {
    const indices = pending;
    pending = null;
    apply(indices);
    return;
  }
  if (state.selection === seen) return;
  seen = state.selection;
  if (parentOrigin === null || same(agreed, state.selection)) return;
  agreed = state.selection.slice();
  window.parent.postMessage({ type: "embedscope:selection", indices: agreed }, parentOrigin);
}

if (window.parent !== window) {
  window.addEventListener("message", onMessage);
  store.subscribe(onState);
  window.parent.postMessage({ type: "embedscope:ready" }, "*");
}
