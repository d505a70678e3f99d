// A lost connection: when a request cannot be sent, a WebSocket drops, or the heartbeat gets no answer, the page shows
// a banner and tries again with backoff (1 s, 2 s, 4 s … up to 15 s). When the server answers again the banner goes
// and what was missing is fetched again (the runs, the columns, an unfinished projection).
import { apiUrl, connection } from "../api/http";
import { store } from "./store";

const FIRST = 1000;
const LONGEST = 15_000;
const HEARTBEAT = 10_000;

let timer: number | undefined;
let heartbeat: number | undefined;
let recover: () => Promise<void> = async () => {};

/** How long to wait before try number `attempt` (0-based). */
function backoff(attempt: number): number {
  return Math.min(LONGEST, FIRST * 2 ** attempt);
}

function schedule(attempt: number): void {
  window.clearTimeout(timer);
  const delay = backoff(attempt);
  store.set({ offline: { attempt, retryAt: Date.now() + delay } });
  timer = window.setTimeout(() => void probe(attempt), delay);
}

async function answers(): Promise<boolean> {
  try {
    const response = await fetch(apiUrl("runs"), { cache: "no-store" });
    return ![502, 503, 504].includes(response.status); // any answer of the app itself, even a refusal; not a proxy's
  } catch {
    return false;
  }
}

async function probe(attempt: number): Promise<void> {
  if (await answers()) back();
  else if (store.get().offline) schedule(attempt + 1);
}

function lost(): void {
  if (store.get().offline) return; // already trying
  schedule(0);
}

function back(): void {
  if (!store.get().offline) return;
  window.clearTimeout(timer);
  store.set({ offline: null });
  void recover();
}

/** Try now rather than at the next scheduled time. */
export function retryNow(): void {
  const offline = store.get().offline;
  if (offline) void probe(offline.attempt);
}

/** Watch the connection; `again` refetches what the page misses once the server answers again. */
export function watchConnection(again: () => Promise<void>): void {
  recover = again;
  connection.watch({ lost, alive: back });
  window.clearInterval(heartbeat);
  heartbeat = window.setInterval(() => {
    if (store.get().offline || document.visibilityState !== "visible") return;
    void answers().then((ok) => ok || lost());
  }, HEARTBEAT);
}
