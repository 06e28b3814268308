// The kernel selection a test run asked for is the one the engine uses ("golden fixtures and
// gradient checks pass for the fast paths and the fallback alike"). `npm test` re-runs the golden and
// gradient-check files with scripts/bench/force-gemm.cjs setting globalThis.RNN_GEMM_BACKEND and
// RNN_FUSED_STEPS; this file runs first there, so a forced run that silently fell back to "auto" fails.
// In the plain unit run nothing is forced and the defaults must hold.
import * as assert from "node:assert/strict";
import { gemmInfo } from "../../../src/engine/gemm";
import { pointwiseAvailable } from "../../../src/engine/pointwise";

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

  it("fused WASM gate steps are on unless the run turned them off", () => {
    assert.equal(pointwiseAvailable(), forced.RNN_FUSED_STEPS !== "off");
  });
});
