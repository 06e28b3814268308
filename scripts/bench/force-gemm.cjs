// Mocha --require hook: forces the engine's kernels for a whole test run, so the golden PyTorch
// fixtures and gradient checks run on the fast paths and on the TypeScript fallbacks alike:
//   RNN_GEMM_BACKEND=wasm npx mocha --require scripts/bench/force-gemm.cjs 'out/test/unit/engine/*.test.js'
//   RNN_GEMM_BACKEND=js RNN_FUSED_STEPS=off npx mocha --require scripts/bench/force-gemm.cjs 'out/test/unit/engine/*.test.js'
// (src/engine/gemm.ts and pointwise.ts read globalThis.RNN_GEMM_BACKEND / RNN_FUSED_STEPS once when
// they load; the engine itself never touches process.env.)
globalThis.RNN_GEMM_BACKEND = process.env.RNN_GEMM_BACKEND;
globalThis.RNN_FUSED_STEPS = process.env.RNN_FUSED_STEPS;
if (process.env.RNN_GEMM_BACKEND) console.log(`[force-gemm] GEMM backend forced to "${process.env.RNN_GEMM_BACKEND}"`);
if (process.env.RNN_FUSED_STEPS) console.log(`[force-gemm] fused WASM gate steps: ${process.env.RNN_FUSED_STEPS}`);
