// Gradient check of a float64 functional model (rnn.model) for the graph and layer tests: every weight
// and every input, mse on each output, threshold 1e-6 (the engine's gradient-check threshold; gradcheck.ts
// explains why the five-point stencil reaches it).
import * as assert from "node:assert/strict";
import { gradCheck } from "../../../../src/engine/gradcheck";
import { zeroGrads } from "../../../../src/engine/layer";
import { computeLoss } from "../../../../src/engine/loss";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";
import type { Functional } from "../../../../src/engine/graph/functional";

const THRESHOLD = 1e-6;

/** Gradient check of every weight and every input of a float64 functional model under mse on each output. */
export function checkModel(m: Functional, xs: Tensor[], ys: Tensor[], options: { inputs?: boolean[] } = {}): void {
  const tensors = m.weightEntries().map((e) => ({ name: e.key, value: e.param.value, grad: e.param.grad }));
  const dxs = xs.map((x) => new Float64Array(x.size));
  xs.forEach((x, i) => { if (options.inputs?.[i] !== false) tensors.push({ name: `input ${i}`, value: x.data, grad: dxs[i] }); });
  const ctx = () => ({ training: false, rng: new Rng(3) });
  const run = (backward: boolean): number => {
    if (backward) zeroGrads(m.params());
    const outs = m.forwardPass(xs, ctx());
    const rs = outs.map((o, i) => computeLoss("mse", o.data, o.shape, ys[i].data));
    if (backward) {
      const dIn = m.backwardPass(rs.map((r, i) => new Tensor(r.grad, outs[i].shape)));
      dIn.forEach((d, i) => dxs[i].set(d ? d.data : new Float64Array(dxs[i].length)));
    }
    return rs.reduce((a, r) => a + r.value, 0);
  };
  const report = gradCheck({ tensors, lossAndGrads: () => run(true), loss: () => run(false) });
  const worst = report.perTensor.filter((t) => t.maxRelError >= THRESHOLD).map((t) => `${t.name}: ${t.maxRelError.toExponential(2)}`);
  assert.ok(report.maxRelError < THRESHOLD, `gradient check failed: ${worst.join(", ")}`);
}

