// Downsampling (src/kernel/rich/downsample.ts): block-mean pooling, semantics stated in that file's
// header — k = ⌈n / max⌉ consecutive indices per block, mean of the finite values, null if none; the
// true shape is kept. Expected means are computed by hand in the comments.
import * as assert from "node:assert/strict";
import { blockSize, blockStarts, poolLabels, poolMatrix, poolSeries, roundSig } from "../../../../src/kernel/rich/downsample";

describe("downsample: blocks", () => {
  it("k = ceil(n / max), starts every k", () => {
    assert.equal(blockSize(10, 4), 3); // ⌈10/4⌉
    assert.deepEqual(blockStarts(10, 4), [0, 3, 6, 9]); // 4 blocks, the last one of 1
    assert.equal(blockSize(5, 8), 1);
    assert.deepEqual(blockStarts(5, 8), [0, 1, 2, 3, 4]);
    assert.equal(blockSize(2000, 512), 4); // ⌈3.906⌉
  });
});

describe("downsample: poolMatrix", () => {
  it("keeps a matrix that fits, untouched", () => {
    const p = poolMatrix([1, 2, 3, 4], 2, 2, 8, 8);
    assert.equal(p.downsampled, false);
    assert.deepEqual(p.values, [1, 2, 3, 4]);
  });

  it("averages 2×2 blocks and states the true shape", () => {
    // 4 × 4 matrix with values 0..15 row-major, pooled to 2 × 2:
    // top-left block {0,1,4,5} → 2.5; top-right {2,3,6,7} → 4.5; bottom-left {8,9,12,13} → 10.5; {10,11,14,15} → 12.5
    const v = Array.from({ length: 16 }, (_, i) => i);
    const p = poolMatrix(v, 4, 4, 2, 2);
    assert.deepEqual(p.values, [2.5, 4.5, 10.5, 12.5]);
    assert.equal(p.trueRows, 4);
    assert.equal(p.trueCols, 4);
    assert.deepEqual([p.rows, p.cols], [2, 2]);
    assert.deepEqual(p.rowIndex, [0, 2]);
    assert.equal(p.downsampled, true);
  });

  it("ignores missing values in a block and gives null for an all-missing block", () => {
    // 1 × 4 → 1 × 2: block {NaN, 3} → 3; block {null, Infinity} → null
    const p = poolMatrix([NaN, 3, null, Infinity], 1, 4, 1, 2);
    assert.deepEqual(p.values, [3, null]);
  });

  it("handles a last, shorter block", () => {
    // 1 × 5 at most 2 columns: k = 3 → blocks {1,2,3} → 2 and {4,5} → 4.5
    const p = poolMatrix(Float32Array.from([1, 2, 3, 4, 5]), 1, 5, 1, 2);
    assert.deepEqual(p.values, [2, 4.5]);
    assert.deepEqual(p.colIndex, [0, 3]);
  });

  it("pools a 10^6-cell recording quickly", () => {
    const n = 1000; // 1000 × 1000 = 10^6 cells → 100 × 100 (k = 10)
    const v = new Float32Array(n * n).fill(0.25);
    const t0 = Date.now();
    const p = poolMatrix(v, n, n, 100, 100);
    assert.equal(p.values.length, 10_000);
    assert.equal(p.values[0], 0.25);
    assert.ok(Date.now() - t0 < 2000);
  });
});

describe("downsample: series and labels", () => {
  it("pools aligned series; the step of a block is its first step", () => {
    // steps 1..6, at most 3 points: k = 2 → (1,2) (3,4) (5,6)
    const p = poolSeries([1, 2, 3, 4, 5, 6], [[1, 3, 5, 7, null, 11]], 3);
    assert.deepEqual(p.steps, [1, 3, 5]);
    assert.deepEqual(p.values[0], [2, 6, 11]); // (1+3)/2, (5+7)/2, 11 alone
    assert.equal(p.trueSteps, 6);
  });

  it("joins pooled token labels by code point (Hangul safe) and shortens them", () => {
    assert.deepEqual(poolLabels(["안", "녕", "하", "세", "요"], [0, 2, 4], 2), ["안녕", "하세", "요"]);
    assert.deepEqual(poolLabels(["abcdefgh", "ijklmnop"], [0], 2, 6), ["abcde…"]);
  });

  it("rounds to 4 significant digits, non-finite → null", () => {
    assert.equal(roundSig(0.123456), 0.1235);
    assert.equal(roundSig(123456), 123500);
    assert.equal(roundSig(NaN), null);
    assert.equal(roundSig(-Infinity), null);
    assert.equal(roundSig(0), 0);
  });
});
