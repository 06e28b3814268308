// Mocha --require hook: forces the engine's kernels for a whole test run, so the golden PyTorch
// fixtures and gradient checks run on the fast paths and on the TypeScript fallbacks alike:
//   RNN_GEMM_BACKEND=wasm npx mocha --require scripts/bench/force-gemm.cjs 'out/test/unit/engine/*.test.js'
//   RNN_GEMM_BACKEND=threaded npx mocha --require scripts/bench/force-gemm.cjs 'out/test/unit/engine/*.test.js'
//   RNN_GEMM_BACKEND=js RNN_FUSED_STEPS=off npx mocha --require scripts/bench/force-gemm.cjs 'out/test/unit/engine/*.test.js'
// (src/engine/gemm.ts and pointwise.ts read globalThis.RNN_GEMM_BACKEND / RNN_FUSED_STEPS once when
// they load; the engine itself never touches process.env.) "threaded" splits every product that has two
// panels or two row blocks with a helper thread; plain Node has no kernel to give one, so this hook
// hands every bundle the kernel's own (dist/gemmWorker.js, built by `node esbuild.config.mjs`) as
// globalThis.RNN_GEMM_THREAD, and fails the run at its end if no bundle started one.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload (mocha --require)
const { join } = require("node:path");

globalThis.RNN_GEMM_BACKEND = process.env.RNN_GEMM_BACKEND;
globalThis.RNN_FUSED_STEPS = process.env.RNN_FUSED_STEPS;
if (process.env.RNN_GEMM_BACKEND) console.log(`[force-gemm] GEMM backend forced to "${process.env.RNN_GEMM_BACKEND}"`);
if (process.env.RNN_FUSED_STEPS) console.log(`[force-gemm] fused WASM gate steps: ${process.env.RNN_FUSED_STEPS}`);

let started = 0;
if (process.env.RNN_GEMM_BACKEND === "threaded") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the kernel's built helper thread
  const { startGemmThread } = require(join(__dirname, "..", "..", "dist", "gemmWorker.js"));
  globalThis.RNN_GEMM_THREAD = (start, lost) => {
    started++;
    return startGemmThread(start, lost);
  };
  exports.mochaHooks = {
    afterAll() {
      console.log(`[force-gemm] GEMM helper threads started: ${started} (one per test bundle that multiplied)`);
      if (started === 0) throw new Error("RNN_GEMM_BACKEND=threaded, but no bundle started a GEMM helper thread");
    },
  };
}
