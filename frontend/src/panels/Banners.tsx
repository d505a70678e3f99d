// The messages over the plot, under its toolbar (so they never cover its buttons): the lost-connection banner and the
// server's last error.
import { dismissError } from "../state/actions";
import type { State } from "../state/store";
import { ConnectionBanner } from "./ConnectionBanner";

export function Banners({ state }: { state: State }) {
  const error = state.error; // never a lost connection (state/failure.ts): the connection banner says that
  if (!state.offline && !error) return null;
  return (
    <div class="banners">
      {state.offline && <ConnectionBanner offline={state.offline} />}
      {error && (
        <div class="banner error" role="alert" id="error">
          <span>{error}</span>
          <button type="button" class="link" onClick={dismissError} aria-label="Dismiss the message">
            ✕
          </button>
        </div>
      )}
    </div>
  );
}
