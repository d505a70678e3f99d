// Watching a projection job over its WebSocket: JSON status frames and binary coordinate frames.
// Binary frame: four little-endian uint32 (iteration, n, dims, flags; flags bit 0 = final), then n*dims float32.
import { ApiError, apiUrl, connection } from "./http";
import type { Coords, JobStatus } from "./types";

export interface StreamHandlers {
  status(job: JobStatus): void;
  frame(coords: Coords): void;
  error(err: ApiError): void;
  closed(): void;
}

export function parseFrame(buffer: ArrayBuffer): Coords {
  const head = new DataView(buffer, 0, 16);
  const iteration = head.getUint32(0, true);
  const n = head.getUint32(4, true);
  const dims = head.getUint32(8, true);
  const flags = head.getUint32(12, true);
  // the payload starts at byte 16, so a Float32Array view on it is aligned
  const data = new Float32Array(buffer, 16, n * dims);
  return { n, dims, data, iteration, final: (flags & 1) === 1 };
}

/** Open the job's stream (`frames: false`: its statuses only, for a map drawn from tiles); returns a function that
 * closes it. */
export function watchJob(jobId: string, on: StreamHandlers, { frames = true }: { frames?: boolean } = {}): () => void {
  const url = new URL(apiUrl(`projections/${encodeURIComponent(jobId)}/stream`, frames ? undefined : { frames: 0 }));
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  let stopped = false;
  socket.onmessage = (event) => {
    if (stopped) return;
    if (typeof event.data === "string") {
      const message = JSON.parse(event.data);
      if (message.type === "status") on.status(message.job as JobStatus);
      else if (message.type === "error") on.error(new ApiError(404, message.error));
    } else {
      on.frame(parseFrame(event.data as ArrayBuffer));
    }
  };
  socket.onclose = (event) => {
    if (stopped) return;
    // 1000: the job finished and the server closed; 4xxx: the server's own refusals (no such job). Anything else
    // (1006 dropped, 1001 / 1012 server going away) means the server stopped answering.
    if (event.code !== 1000 && (event.code < 4000 || event.code > 4999)) connection.lost();
    on.closed();
  };
  return () => {
    stopped = true;
    socket.close();
  };
}
