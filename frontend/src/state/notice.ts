// A passing note (bookmarks loaded from a file): shown, faded out and gone after NOTICE_MS, or dismissed sooner.
import { store } from "./store";

/** How long a notice stays, in ms (it fades out over its last second: styles.css `.notice`). */
export const NOTICE_MS = 10_000;

let timer: ReturnType<typeof setTimeout> | undefined;

/** Show a notice (null: take it away); it goes by itself after NOTICE_MS unless another replaces it. */
export function showNotice(text: string | null): void {
  clearTimeout(timer);
  store.set({ notice: text });
  if (text === null) return;
  timer = setTimeout(() => {
    if (store.get().notice === text) store.set({ notice: null });
  }, NOTICE_MS);
}

export const dismissNotice = (): void => showNotice(null);
