// The one place a kernel process starts (src/client/kernelProcess.ts): every kernel gets WASM relaxed
// SIMD, so the engine's GEMM takes its fused multiply-add path on Node 20 (the headless runner, these
// tests) as it does in VS Code's Electron and on Node ≥ 22.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { RELAXED_SIMD_PROBE, kernelNodeFlags } from "../../../src/client/kernelProcess";
import { buildKernel, tempDir, TestKernel } from "../kernel/harness";

describe("kernel process flags", function () {
  this.timeout(60_000);

  it("a cell's WebAssembly validates relaxed SIMD (f32x4.relaxed_madd), whatever this Node's default", async () => {
    await buildKernel();
    const dir = tempDir("flags");
    const k = new TestKernel(dir);
    try {
      await k.ready;
      const r = await k.run(`WebAssembly.validate(new Uint8Array([${Array.from(RELAXED_SIMD_PROBE).join(", ")}]))`);
      assert.equal(r.result, "true", `flags ${JSON.stringify(kernelNodeFlags())}: ${r.stderr}${r.error?.message ?? ""}`);
    } finally {
      await k.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
