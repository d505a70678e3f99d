// The messages over the plot, under its toolbar (so they never cover its buttons): the lost-connection banner and the
// server's last error.
import { CANNOT_REACH } from "../api/client";
import { dismissError } from "../state/actions";
import type { State } from "../state/store";
import { ConnectionBanner } from "./ConnectionBanner";

export function Banners({ state }: { state: State }) {
  // while the banner says the connection is lost, a request's "cannot reach the server" would only repeat it
  const error = state.offline && state.error?.startsWith(CANNOT_REACH) ? null : state.error;
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
