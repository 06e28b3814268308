/* global self */
// The browser side of scripts/bench/web.mjs, bundled with the engine into one classic Worker script: the
// bench model's forward pass and training step timed inside a dedicated Web Worker — where the web
// extension's kernel runs them (one thread: no SharedArrayBuffer without cross-origin isolation).
import * as rnn from "../../src/engine/index";
import { benchModel } from "./model.mjs";

/**
 * Wall-clock ms per run of fn: `warmup` untimed runs, then up to `reps` samples (at least one, within
 * budgetMs). A Worker's clock ticks in 0.1 ms steps (coarsened without cross-origin isolation), so a
 * sample times as many back-to-back runs as fill ~5 ms and reports their mean.
 */
function timed(fn, { warmup, reps, budgetMs }) {
  for (let i = 0; i < warmup; i++) fn();
  // The warm-up's first runs are still being compiled: estimate a run's time after it.
  const e0 = performance.now();
  for (let i = 0; i < 5; i++) fn();
  const estimate = (performance.now() - e0) / 5;
  const inner = Math.max(1, Math.ceil(5 / Math.max(estimate, 0.01)));
  const times = [];
  const start = performance.now();
  while (times.length < reps && (times.length === 0 || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    times.push((performance.now() - t0) / inner);
  }
  return times;
}

self.onmessage = (e) => {
  const cfg = e.data;
  try {
    const { model, x, trainStep } = benchModel(rnn, cfg);
    const reps = { warmup: cfg.warmup ?? 3, reps: cfg.reps ?? 20, budgetMs: cfg.budgetMs ?? 20000 };
    const ctx = { training: false, rng: new rnn.Rng(1) };
    const forwardMs = timed(() => model.forwardPass(x, ctx), reps);
    const trainCtx = { training: true, rng: new rnn.Rng(1) };
    const trainMs = timed(() => trainStep(trainCtx), reps);
    self.postMessage({ forwardMs, trainMs, gemm: rnn.gemmInfo?.() ?? null, userAgent: navigator.userAgent });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) });
  }
};
