// copySequence: the one conversion between time-major [T, B, F] and batch-major [B, T, F] sequence
// blocks (with reversed time, strided halves and accumulation), checked against index arithmetic
// written out by hand.
import * as assert from "node:assert/strict";
import { copySequence } from "../../../src/engine/ops";

/** [T, B, F] time-major with value 100·t + 10·b + f, so every element names its own position. */
function timeMajor(T: number, B: number, F: number): Float64Array {
  const a = new Float64Array(T * B * F);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) a[(t * B + b) * F + f] = 100 * t + 10 * b + f;
  return a;
}

describe("copySequence", () => {
  it("time-major [2, 3, 2] → batch-major [3, 2, 2] and back", () => {
    const tm = timeMajor(2, 3, 2);
    const bm = new Float64Array(12);
    copySequence(2, 3, 2, { data: tm, batchMajor: false }, { data: bm, batchMajor: true });
    // batch row b, step t holds 100·t + 10·b + f: b = 0 → t 0, 1; b = 1 → …
    assert.deepEqual([...bm], [0, 1, 100, 101, 10, 11, 110, 111, 20, 21, 120, 121]);
    const back = new Float64Array(12);
    copySequence(2, 3, 2, { data: bm, batchMajor: true }, { data: back, batchMajor: false });
    assert.deepEqual([...back], [...tm]);
  });

  it("reverse puts source step t at T−1−t", () => {
    const tm = timeMajor(3, 1, 1); // [0, 100, 200]
    const out = new Float32Array(3);
    copySequence(3, 1, 1, { data: tm, batchMajor: false }, { data: out, batchMajor: false }, true);
    assert.deepEqual([...out], [200, 100, 0]);
  });

  it("writes one direction's half of a [T, B, 2H] row and accumulates when asked", () => {
    const h = timeMajor(2, 1, 2); // step 0: [0, 1], step 1: [100, 101]
    const both = new Float64Array(2 * 1 * 4).fill(1);
    copySequence(2, 1, 2, { data: h, batchMajor: false }, { data: both, batchMajor: false, ld: 4, col: 2 }, true, true);
    // backward half (columns 2, 3) of step 0 gets source step 1, plus the 1 already there
    assert.deepEqual([...both], [1, 1, 101, 102, 1, 1, 1, 2]);
    const back = new Float64Array(4);
    copySequence(2, 1, 2, { data: both, batchMajor: false, ld: 4, col: 2 }, { data: back, batchMajor: false, off: 0 });
    assert.deepEqual([...back], [101, 102, 1, 2]);
  });

  it("reads from an offset (the core's hidden states start at slot 1)", () => {
    const hs = new Float64Array([9, 9, 1, 2, 3, 4]); // slot 0 = h0 (B = 2, H = 1), slots 1…2
    const out = new Float64Array(4);
    copySequence(2, 2, 1, { data: hs, batchMajor: false, off: 2 }, { data: out, batchMajor: true });
    assert.deepEqual([...out], [1, 3, 2, 4]);
  });

  it("dense time-major on both sides (one contiguous run per step) agrees with the strided path", () => {
    const src = timeMajor(3, 2, 2);
    const fast = new Float64Array(12).fill(1), strided = new Float64Array(18).fill(1);
    copySequence(3, 2, 2, { data: src, batchMajor: false }, { data: fast, batchMajor: false }, true, true);
    // the same copy into rows of stride 3 takes the general loop; read back its first two columns
    copySequence(3, 2, 2, { data: src, batchMajor: false }, { data: strided, batchMajor: false, ld: 3 }, true, true);
    const packed = new Float64Array(12);
    copySequence(3, 2, 2, { data: strided, batchMajor: false, ld: 3 }, { data: packed, batchMajor: false });
    assert.deepEqual([...fast], [...packed]);
    // step 0 of the result is source step 2 (+1): 201, 202, 211, 212
    assert.deepEqual([...fast.slice(0, 4)], [201, 202, 211, 212]);
  });
  it("float32 on both sides (its own row copy, memmoves from 64 features): the same as the float64 loop", () => {
    // The float64 call runs the element loop the hand-written cases above check; float32 holds these
    // small integers exactly, so the two must agree element for element.
    for (const F of [8, 64, 70]) {
      for (const reverse of [false, true]) {
        const T = 3, B = 4, ld = F + 5, col = 2, n = (T * B - 1) * ld + col + F;
        const src64 = Float64Array.from({ length: n }, (_, i) => i), src32 = Float32Array.from(src64);
        const dst64 = new Float64Array(T * B * (F + 3) + 1), dst32 = new Float32Array(dst64.length);
        copySequence(T, B, F, { data: src64, batchMajor: true, ld, col }, { data: dst64, batchMajor: false, ld: F + 3, off: 1 }, reverse);
        copySequence(T, B, F, { data: src32, batchMajor: true, ld, col }, { data: dst32, batchMajor: false, ld: F + 3, off: 1 }, reverse);
        assert.deepEqual([...dst32], [...dst64], `F=${F} reverse=${reverse}`);
        assert.ok(dst64.some((v) => v > 0), "nothing was copied");
      }
    }
  });
});
