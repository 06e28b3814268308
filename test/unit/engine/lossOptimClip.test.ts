// Losses (value + gradient), optimizers (one step against the PyTorch formulas written out by hand)
// and clipping reports. Gradients are checked by float64 central differences.
import * as assert from "node:assert/strict";
import { binaryCrossEntropy, crossEntropy, mse, accuracy, checkLossName } from "../../../src/engine/loss";
import { sgd, rmsprop, adam } from "../../../src/engine/optim";
import { gradCheck } from "../../../src/engine/gradcheck";
import { clipByGlobalNorm, clipByValue, clipPerTensor, clipGradients } from "../../../src/engine/clip";

/**
 * Max relative error of a loss's analytic gradient at x against central differences, through the
 * engine's gradCheck (float64, ε = 1e-6; relative error |a − n| / max(|a|, |n|, 1e-6)).
 */
function lossGradError(f: (x: Float64Array) => { value: number; grad: Float64Array | Float32Array }, x0: Float64Array): number {
  const x = x0.slice();
  const grad = new Float64Array(x.length);
  return gradCheck({
    tensors: [{ name: "pred", value: x, grad }],
    lossAndGrads: () => { const r = f(x); grad.set(r.grad); return r.value; },
    loss: () => f(x).value,
  }).maxRelError;
}

const pred = Float64Array.from([0.3, -1.2, 2.5, 0.7, -0.4, 1.1]); // [2, 3], arbitrary
const probs = Float64Array.from([0.2, 0.9, 0.55, 0.01, 0.7, 0.35]); // arbitrary probabilities in (0, 1)

describe("losses", () => {
  it("mse: value is the mean of squares (hand sum) and gradient matches central differences < 1e-6", () => {
    const target = [0, -1, 2, 1, 0, 1];
    // (0.3² + 0.2² + 0.5² + 0.3² + 0.4² + 0.1²) / 6 = 0.64 / 6
    assert.ok(Math.abs(mse(pred, target).value - 0.64 / 6) < 1e-12);
    assert.ok(lossGradError((p) => mse(p, target), pred) < 1e-6);
  });

  it("crossEntropy with integer targets: value is −log softmax (definition) and gradient < 1e-6", () => {
    const target = [2, 0];
    const row = (o: number, k: number) => Math.log([0, 1, 2].reduce((a, c) => a + Math.exp(pred[o + c]), 0)) - pred[o + k];
    assert.ok(Math.abs(crossEntropy(pred, 3, target).value - (row(0, 2) + row(3, 0)) / 2) < 1e-12);
    assert.ok(lossGradError((p) => crossEntropy(p, 3, target), pred) < 1e-6);
  });

  it("crossEntropy with one-hot targets equals the integer form, gradient < 1e-6", () => {
    const oneHot = [0, 0, 1, 1, 0, 0];
    assert.ok(Math.abs(crossEntropy(pred, 3, oneHot).value - crossEntropy(pred, 3, [2, 0]).value) < 1e-12);
    assert.ok(lossGradError((p) => crossEntropy(p, 3, oneHot), pred) < 1e-6);
  });

  it("binaryCrossEntropy: value by definition and gradient < 1e-6", () => {
    const target = [0, 1, 1, 0, 1, 0];
    const byHand = -[0, 1, 2, 3, 4, 5].reduce((a, i) => a + target[i] * Math.log(probs[i]) + (1 - target[i]) * Math.log(1 - probs[i]), 0) / 6;
    assert.ok(Math.abs(binaryCrossEntropy(probs, target).value - byHand) < 1e-12);
    assert.ok(lossGradError((p) => binaryCrossEntropy(p, target), probs) < 1e-6);
  });

  it("accuracy and clear errors for bad names, classes and probabilities", () => {
    // row 0 argmax = 2 (2.5), row 1 argmax = 2 (1.1): targets [2, 0] → 1 of 2 correct
    assert.deepEqual(accuracy("crossEntropy", pred, [2, 3], [2, 0]), { correct: 1, count: 2 });
    assert.throws(() => checkLossName("categorical_crossentropy"), /unknown loss "categorical_crossentropy"; valid losses: mse, crossEntropy, binaryCrossEntropy/);
    assert.throws(() => crossEntropy(pred, 3, [3, 0]), /target 3 at row 0 is not a class index in \[0, 3\)/);
    assert.throws(() => binaryCrossEntropy(pred, [0, 0, 0, 0, 0, 0]), /not a probability/);
  });
});

describe("optimizers (PyTorch update formulas)", () => {
  const mk = () => ({ value: Float64Array.from([1, -2]), grad: Float64Array.from([0.5, -0.25]) });

  it("sgd with momentum: buf = g, then μ·buf + g (torch.optim.SGD docs)", () => {
    const p = mk();
    const opt = sgd({ lr: 0.1, momentum: 0.9 });
    opt.step([p]); // p − 0.1·g
    assert.deepEqual(Array.from(p.value), [1 - 0.1 * 0.5, -2 + 0.1 * 0.25]);
    opt.step([p]); // buf = 0.9·g + g = 1.9·g
    assert.ok(Math.abs(p.value[0] - (0.95 - 0.1 * 1.9 * 0.5)) < 1e-15);
  });

  it("adam: first step moves each weight by lr·g/(|g| + eps·…) ≈ lr (torch.optim.Adam docs)", () => {
    const p = mk();
    adam({ lr: 0.01 }).step([p]);
    // step 1: m̂ = g, v̂ = g² → update = lr·g / (|g| + 1e-8)
    assert.ok(Math.abs(p.value[0] - (1 - (0.01 * 0.5) / (0.5 + 1e-8))) < 1e-15);
    assert.ok(Math.abs(p.value[1] - (-2 + (0.01 * 0.25) / (0.25 + 1e-8))) < 1e-15);
  });

  it("rmsprop: v = (1−α)·g², p −= lr·g/(√v + eps) (torch.optim.RMSprop docs, α = 0.99)", () => {
    const p = mk();
    rmsprop({ lr: 0.01 }).step([p]);
    assert.ok(Math.abs(p.value[0] - (1 - (0.01 * 0.5) / (Math.sqrt(0.01 * 0.25) + 1e-8))) < 1e-15);
  });

  it("rejects unknown options listing the valid ones", () => {
    assert.throws(() => adam({ learningRate: 0.1 } as never), /adam: unknown option "learningRate"; valid options: lr, beta1, beta2, eps, weightDecay/);
  });
});

describe("clipping", () => {
  it("global norm: scales by maxNorm/(‖g‖+1e-6) and reports pre/post norms (torch clip_grad_norm_)", () => {
    const a = Float64Array.from([3, 0]);
    const b = Float64Array.from([4]); // global norm 5
    const r = clipByGlobalNorm([a, b], 1);
    assert.equal(r.preClipNorm, 5);
    assert.ok(Math.abs(r.postClipNorm - 5 / (5 + 1e-6)) < 1e-12);
    assert.equal(r.fractionClipped, 2 / 3, "the two non-zero elements of three changed");
    const unchanged = clipByGlobalNorm([Float64Array.from([0.3, 0.4])], 1); // norm 0.5 < 1
    assert.deepEqual([unchanged.preClipNorm, unchanged.fractionClipped], [0.5, 0]);
  });

  it("per tensor: only tensors over the threshold shrink", () => {
    const a = Float64Array.from([3, 4]); // norm 5 → 2
    const b = Float64Array.from([0.1]); // kept
    const r = clipPerTensor([a, b], 2);
    assert.ok(Math.abs(Math.hypot(a[0], a[1]) - 2) < 1e-12);
    assert.equal(b[0], 0.1);
    assert.equal(r.fractionClipped, 2 / 3);
  });

  it("by value: clamps elements and counts them", () => {
    const g = Float64Array.from([-3, 0.5, 2]);
    const r = clipByValue([g], 1);
    assert.deepEqual(Array.from(g), [-1, 0.5, 1]);
    assert.equal(r.fractionClipped, 2 / 3);
    assert.ok(Math.abs(r.postClipNorm - Math.sqrt(2.25)) < 1e-12);
    assert.throws(() => clipGradients([g], { clipNorm: -1 }), /clipNorm must be a positive finite number/);
  });
});
