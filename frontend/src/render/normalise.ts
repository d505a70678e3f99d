// The scatter view's coordinates: centred on 0, the largest half-extent scaled to 1 (the camera needs no refit while
// a t-SNE run grows).

/** Centre coordinates on 0 and scale the largest half-extent to 1; always returns x, y, z triples. */
export function normalise(data: Float32Array, n: number, dims: number): Float32Array {
  const out = new Float32Array(n * 3);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      const v = data[i * dims + d];
      if (v < lo[d]) lo[d] = v;
      if (v > hi[d]) hi[d] = v;
    }
  }
  let half = 0;
  const mid = [0, 0, 0];
  for (let d = 0; d < dims; d++) {
    mid[d] = (lo[d] + hi[d]) / 2;
    half = Math.max(half, (hi[d] - lo[d]) / 2);
  }
  const scale = half > 0 && Number.isFinite(half) ? 1 / half : 1;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) out[i * 3 + d] = (data[i * dims + d] - mid[d]) * scale;
  }
  return out;
}
