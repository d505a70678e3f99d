// One rule for a failed request, whichever action made it: a lost connection is the lost-connection banner's to say
// (state/connection.ts tries again, then fetches what the page is missing); anything else goes in the error banner.
import { ApiError, ConnectionLost } from "../api/http";
import { errorSentence } from "./errorSentence";
import { store } from "./store";

/** The failure as a sentence for the page (an ApiError's is the server's error in the page's words, with its fix). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const s = store.get();
    return errorSentence(err.body, { column: s.params.column ?? s.labelBy }); // the custom patterns' column
  }
  return err instanceof Error ? err.message : String(err);
}

/** Say that a request failed, once: in the error banner, unless the connection is lost. */
export function fail(err: unknown): void {
  if (!(err instanceof ConnectionLost)) store.set({ error: errorMessage(err) });
}

/** A failed projection request: as fail(), and the page is no longer busy with it. */
export function failProjection(err: unknown): void {
  store.set({ busy: null });
  fail(err);
}
