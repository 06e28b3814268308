// PyTorch golden trajectories: 20 optimizer steps of SGD-momentum and of Adam,
// both with global-norm clipping, on a small LSTM regressor, must reproduce PyTorch's per-step losses
// within 1e-4 relative. Numbers come from test/fixtures/torch/generate_training.py (torch 1.13, float32),
// which also documents the Keras ⇄ PyTorch weight conversion used for the initial weights.
import * as assert from "node:assert/strict";
import fixture from "../../fixtures/torch/training_lstm.json";
import { sequential } from "../../../src/engine/model";
import { lstm } from "../../../src/engine/layers/lstm";
import { dense } from "../../../src/engine/layers/dense";
import { adam, sgd, type Optimizer } from "../../../src/engine/optim";
import { Tensor } from "../../../src/engine/tensor";

const TOLERANCE = 1e-4; // relative: float32 steps accumulate rounding over 20 updates
const { inputSize: I, hidden: H, timesteps: T, samples: N, batchSize, epochs, clipNorm } = fixture.sizes;

function model() {
  const m = sequential({ inputShape: [T, I] }, [lstm({ units: H }), dense({ units: 1 })]);
  // Keras get_weights() order: lstm kernel, recurrent_kernel, bias; dense kernel, bias (fixture "keras" block)
  const k = fixture.keras;
  m.setWeights([
    new Tensor(Float32Array.from(k["lstm/kernel"]), [I, 4 * H]),
    new Tensor(Float32Array.from(k["lstm/recurrent_kernel"]), [H, 4 * H]),
    new Tensor(Float32Array.from(k["lstm/bias"]), [4 * H]),
    new Tensor(Float32Array.from(k["dense/kernel"]), [H, 1]),
    new Tensor(Float32Array.from(k["dense/bias"]), [1]),
  ]);
  return m;
}

async function trajectory(optimizer: Optimizer) {
  const x = new Tensor(Float32Array.from(fixture.x), [N, T, I]);
  const y = new Tensor(Float32Array.from(fixture.y), [N, 1]);
  return model().fit(x, y, { epochs, batchSize, loss: "mse", optimizer, clipNorm, shuffle: false });
}

function maxRel(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.abs(b[i])));
}

describe("training trajectories match PyTorch (fixture training_lstm.json)", () => {
  it("SGD(lr 0.1, momentum 0.9) + clip_grad_norm_(0.5): 20 losses within 1e-4 relative", async () => {
    const h = await trajectory(sgd({ lr: fixture.sgd.lr, momentum: fixture.sgd.momentum }));
    assert.equal(h.batchLoss.length, 20); // 10 epochs × 2 batches (fixture sizes)
    const err = maxRel(h.batchLoss, fixture.sgd.loss);
    assert.ok(err < TOLERANCE, `max relative loss error ${err}`);
    // the pre-clip norms are PyTorch's total_norm returned by clip_grad_norm_
    assert.ok(maxRel(h.preClipNorm!, fixture.sgd.preClipNorm) < TOLERANCE);
    assert.ok(h.fractionClipped!.some((f) => f > 0) && h.fractionClipped!.some((f) => f === 0), "clipping bites on some steps only");
  });

  it("Adam(lr 0.01) + clip_grad_norm_(0.5): 20 losses within 1e-4 relative", async () => {
    const h = await trajectory(adam({ lr: fixture.adam.lr }));
    const err = maxRel(h.batchLoss, fixture.adam.loss);
    assert.ok(err < TOLERANCE, `max relative loss error ${err}`);
    assert.ok(maxRel(h.preClipNorm!, fixture.adam.preClipNorm) < TOLERANCE);
  });
});
