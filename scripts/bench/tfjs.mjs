// TensorFlow.js side of `npm run bench`: one workload × one cell type on one backend.
// Usage: node scripts/bench/tfjs.mjs '{"backend":"cpu"|"wasm","cell":"lstm","B":32,"T":20,"I":6,"H":16,"layers":2}'
// The model matches scripts/bench_torch.py: stacked recurrent layers (returnSequences on all but the
// last), Dense(1) on the last hidden state, MSE, Adam(1e-3); recurrentActivation "sigmoid" (TF.js
// defaults to hardSigmoid — we pick the same gate function as PyTorch and our engine). TF.js's GRU
// supports only resetAfter=false; the cost is the same as the reset-after variant.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { timed, emit, randomData } from "./common.mjs";

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const tf = await import("@tensorflow/tfjs");
let backendInfo = cfg.backend;
if (cfg.backend === "wasm") {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  // Single thread, like the other systems; the .wasm files live beside the package's main file.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  wasm.setWasmPaths(join(dist, "/"));
}
await tf.setBackend(cfg.backend);
await tf.ready();
if (cfg.backend === "wasm") backendInfo = `wasm (simd: ${await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")}, threads: ${tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")})`;

const { B, T, I, H, layers: L } = cfg;
const model = tf.sequential();
for (let l = 0; l < L; l++) {
  const opts = { units: H, returnSequences: l < L - 1, recurrentActivation: "sigmoid" };
  if (l === 0) opts.inputShape = [T, I];
  model.add(cfg.cell === "lstm" ? tf.layers.lstm(opts) : tf.layers.gru(opts));
}
model.add(tf.layers.dense({ units: 1 }));
model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
const x = tf.tensor3d(randomData(B * T * I, 1), [B, T, I]);
const y = tf.tensor2d(randomData(B, 2), [B, 1]);

const reps = { warmup: cfg.warmup ?? 3, reps: cfg.reps ?? 20, budgetMs: cfg.budgetMs ?? 20000 };
const forwardMs = await timed(async () => {
  const out = model.predict(x);
  await out.data();
  out.dispose();
}, reps);
const trainMs = await timed(() => model.trainOnBatch(x, y), reps);
emit({ system: `tfjs-${cfg.backend}`, backend: backendInfo, version: tf.version.tfjs, forwardMs, trainMs, forwardCpuMs: forwardMs.cpu, trainCpuMs: trainMs.cpu, tensors: tf.memory().numTensors });
