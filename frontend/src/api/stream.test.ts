import { describe, expect, it } from "vitest";
import { parseFrame } from "./stream";

/** A frame as the server sends it: four little-endian uint32 (iteration, n, dims, flags), then float32 rows. */
function frame(iteration: number, n: number, dims: number, flags: number, values: number[]): ArrayBuffer {
  const buffer = new ArrayBuffer(16 + values.length * 4);
  const view = new DataView(buffer);
  [iteration, n, dims, flags].forEach((v, i) => view.setUint32(i * 4, v, true));
  values.forEach((v, i) => view.setFloat32(16 + i * 4, v, true));
  return buffer;
}

describe("parseFrame", () => {
  it("reads the header and the row-major coordinates", () => {
    const coords = parseFrame(frame(250, 3, 2, 0, [1.5, -2, 0, 0.25, 1e6, -7]));
    expect(coords.iteration).toBe(250);
    expect(coords.n).toBe(3);
    expect(coords.dims).toBe(2);
    expect(coords.final).toBe(false);
    expect(Array.from(coords.data)).toEqual([1.5, -2, 0, 0.25, 1e6, -7]);
  });

  it("reads the final flag from bit 0 only", () => {
    expect(parseFrame(frame(1, 1, 3, 1, [1, 2, 3])).final).toBe(true);
    expect(parseFrame(frame(1, 1, 3, 2, [1, 2, 3])).final).toBe(false);
    expect(parseFrame(frame(1, 1, 3, 3, [1, 2, 3])).final).toBe(true);
  });

  it("reads header numbers as unsigned little-endian", () => {
    const coords = parseFrame(frame(0xfffffffe, 0, 3, 0, []));
    expect(coords.iteration).toBe(4294967294);
    expect(coords.data).toHaveLength(0);
  });

  it("views the payload without copying it, and ignores trailing bytes past n * dims", () => {
    const buffer = frame(5, 2, 2, 1, [1, 2, 3, 4, 99]);
    const coords = parseFrame(buffer);
    expect(coords.data.buffer).toBe(buffer);
    expect(coords.data.byteOffset).toBe(16);
    expect(Array.from(coords.data)).toEqual([1, 2, 3, 4]);
  });

  it("fails on a frame shorter than its header says", () => {
    expect(() => parseFrame(frame(1, 10, 2, 0, [1, 2]))).toThrow(RangeError);
  });
});
