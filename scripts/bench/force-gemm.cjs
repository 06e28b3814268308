// Mocha --require hook: forces the engine's GEMM path for a whole test run, so the golden PyTorch
// fixtures and gradient checks run on the WASM kernel and on the TypeScript fallback alike (issue 6):
//   RNN_GEMM_BACKEND=wasm npx mocha --require scripts/bench/force-gemm.cjs 'out/test/unit/engine/*.test.js'
//   RNN_GEMM_BACKEND=js   npx mocha --require scripts/bench/force-gemm.cjs 'out/test/unit/engine/*.test.js'
// (src/engine/gemm.ts reads globalThis.RNN_GEMM_BACKEND once when it loads; the engine itself never
// touches process.env.)
globalThis.RNN_GEMM_BACKEND = process.env.RNN_GEMM_BACKEND;
if (process.env.RNN_GEMM_BACKEND) console.log(`[force-gemm] GEMM backend forced to "${process.env.RNN_GEMM_BACKEND}"`);
