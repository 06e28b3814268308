// The kernel selection a test run asked for is the one the engine uses ("golden fixtures and
// gradient checks pass for the fast paths and the fallback alike", on one thread and two). `npm test` re-runs the golden and
// gradient-check files with scripts/bench/force-gemm.cjs setting globalThis.RNN_GEMM_BACKEND and
// RNN_FUSED_STEPS; this file runs first there, so a forced run that silently fell back to "auto" fails.
// In the plain unit run nothing is forced and the defaults must hold.
import * as assert from "node:assert/strict";
import { gemmInfo, gemmNN } from "../../../src/engine/gemm";
import { pointwiseAvailable } from "../../../src/engine/pointwise";
import { RELAXED_SIMD_PROBE } from "../../../src/client/kernelProcess";

describe("engine kernel selection for this test run", () => {
  // What the harness asked for (scripts/test.mjs sets the environment; force-gemm.cjs copies it to
  // globalThis before the engine loads). Compared with the environment, so a lost hand-over fails too.
  const forced = { RNN_GEMM_BACKEND: process.env.RNN_GEMM_BACKEND, RNN_FUSED_STEPS: process.env.RNN_FUSED_STEPS };

  it("GEMM backend is the forced one (default auto), and WASM SIMD is available on this Node", () => {
    const info = gemmInfo();
    assert.equal(info.backend, forced.RNN_GEMM_BACKEND || "auto");
    // Node 20 has WASM SIMD: were it missing, a "wasm" run would quietly test the TypeScript kernel.
    assert.equal(info.wasmSimd, true, info.reason);
  });

  it("a forced two-thread run splits products with a helper thread; other runs keep one thread", () => {
    // 32×64×16: the smallest recurrent step of the golden suites (batch 32, 4 gates × 16 units) —
    // below "auto"'s threshold, split only when forced. Two 16-column panels: one for each thread.
    const m = 32, n = 64, k = 16;
    const before = gemmInfo().splitProducts;
    gemmNN(m, n, k, new Float32Array(m * k).fill(0.5), 0, k, new Float32Array(k * n).fill(0.25), 0, n, new Float32Array(m * n), 0, n, false);
    const info = gemmInfo();
    if (forced.RNN_GEMM_BACKEND === "threaded") {
      assert.equal(info.threads, 2, "no helper thread serves products");
      assert.equal(info.splitProducts, before + 1, "the product was not split");
    } else {
      assert.equal(info.splitProducts, before, "a product was split in a one-thread run");
    }
  });

  it("fused multiply-adds where the run asked for them (the two-thread run passes the kernel's relaxed-SIMD flag)", () => {
    // The GEMM uses them exactly where the host validates relaxed SIMD (Node 20 only with the flag).
    assert.equal(gemmInfo().fma, WebAssembly.validate(RELAXED_SIMD_PROBE));
    if (process.env.RNN_EXPECT_FMA === "1") assert.equal(gemmInfo().fma, true, "the run asked for fused multiply-adds");
  });

  it("fused WASM gate steps are on unless the run turned them off", () => {
    assert.equal(pointwiseAvailable(), forced.RNN_FUSED_STEPS !== "off");
  });
});
