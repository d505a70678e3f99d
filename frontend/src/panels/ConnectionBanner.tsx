// The lost-connection banner: says the server stopped answering, counts down to the next try, offers to try now.
import { useEffect, useState } from "preact/hooks";
import { retryNow } from "../state/connection";
import type { State } from "../state/store";

export function ConnectionBanner({ offline }: { offline: NonNullable<State["offline"]> }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((offline.retryAt - now) / 1000));
  return (
    <div class="banner offline" role="alert" id="connection-banner">
      <span>
        <strong>Lost connection to the server.</strong>{" "}
        {seconds > 0 ? `Trying again in ${seconds} s…` : "Trying again…"}
      </span>
      <button type="button" class="link" id="retry-now" onClick={retryNow}>
        Retry now
      </button>
    </div>
  );
}
