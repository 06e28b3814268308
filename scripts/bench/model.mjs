// The bench model and its data, without Node: the Node children (scripts/bench/*.mjs) and the browser
// Worker of scripts/bench/web.mjs build the same model from this module.

/** Deterministic pseudo-random floats in [-1, 1) (xorshift32), so every system sees comparable data. */
export function randomData(n, seed = 12345) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * The bench model in the engine `rnn` (the same as scripts/bench_torch.py and tfjs.mjs): `layers`
 * stacked rnn.lstm / rnn.gru (returnSequences on all but the last) → rnn.dense({ units: 1 }), MSE,
 * rnn.adam({ lr: 1e-3 }), with fixed data x [B, T, I] and y [B, 1]. `trainStep(ctx)` is what fit() does
 * per batch minus its bookkeeping: forward, loss, full BPTT, optimizer step.
 */
export function benchModel(rnn, { cell, B, T, I, H, layers: L }) {
  const layers = [];
  for (let l = 0; l < L; l++) {
    const opts = { units: H, returnSequences: l < L - 1 };
    layers.push(cell === "lstm" ? rnn.lstm(opts) : rnn.gru(opts));
  }
  layers.push(rnn.dense({ units: 1 }));
  const model = rnn.sequential({ inputShape: [T, I] }, layers);
  const optimizer = rnn.adam({ lr: 1e-3 });
  const x = model.input(rnn.tensor(randomData(B * T * I, 1), [B, T, I]));
  const y = rnn.tensor(randomData(B, 2), [B, 1]);
  const params = model.params();
  const trainStep = (ctx) => {
    model.lossAndBackward(x, y, "mse", ctx);
    optimizer.step(params);
  };
  return { model, x, y, trainStep };
}
