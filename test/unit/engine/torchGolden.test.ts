// rnn.nn.RNN / LSTM / GRU against golden values written by PyTorch (test/fixtures/torch/generate.py,
// torch 1.13, float32): output, final states, MSE loss, every parameter gradient and the input
// gradient within 1e-5, and ‖∂L/∂h_t‖ / ‖∂L/∂c_t‖ per timestep equal to the
// norms of PyTorch's h_t.grad / c_t.grad (retain_grad on an unrolled copy).
import * as assert from "node:assert/strict";
import * as nn from "../../../src/engine/nn";
import { Tensor } from "../../../src/engine/tensor";
import { cases, longCases, maxDiff, tj } from "./goldenFixtures";

const TOL = 1e-5; // float32 agreement with the PyTorch-written numbers

describe("PyTorch golden fixtures: rnn.nn.RNN / LSTM / GRU (float32)", () => {
  for (const c of cases) {
    it(`${c.name}: output, hN${c.cN ? ", cN" : ""}, loss, all gradients, ‖∂L/∂h_t‖`, () => {
      const make = c.kind === "RNN" ? nn.RNN : c.kind === "LSTM" ? nn.LSTM : nn.GRU;
      const m = make({ ...c.config, seed: 1 });
      m.loadStateDict(Object.fromEntries(Object.entries(c.state_dict).map(([k, v]) => [k, tj(v)])));
      const state = c.h0 ? (c.c0 ? { h0: tj(c.h0), c0: tj(c.c0) } : tj(c.h0)) : undefined;
      const diffs: Record<string, number> = {};
      const rec = m.record(tj(c.x), tj(c.target), { loss: "mse", gates: false, gradNorms: true, state });
      diffs.output = maxDiff(rec.output.output, c.output, "output");
      diffs.hN = maxDiff(rec.output.hN, c.hN, "hN");
      if (c.cN) diffs.cN = maxDiff(rec.output.cN as Tensor, c.cN, "cN");
      diffs.loss = Math.abs((rec.loss as number) - c.loss);
      // Gradients: computeGradients and backward's input gradient.
      const { loss, grads } = m.computeGradients(tj(c.x), tj(c.target), { loss: "mse", state });
      diffs.loss = Math.max(diffs.loss, Math.abs(loss - c.loss));
      assert.deepEqual(Object.keys(grads).sort(), Object.keys(c.state_dict).sort());
      let gmax = 0;
      for (const [k, g] of Object.entries(grads)) gmax = Math.max(gmax, maxDiff(g, c.grads[k], k));
      diffs.paramGrads = gmax;
      const out = m.forward(tj(c.x), state);
      const dOut = new Float32Array(out.output.size);
      for (let i = 0; i < dOut.length; i++) dOut[i] = (2 * (out.output.data[i] - c.target.data[i])) / dOut.length; // ∂ mean((y−t)²)/∂y
      diffs.input = maxDiff(m.backward(new Tensor(dOut, out.output.shape)).dx, c.grads.input, "input grad");
      // Per-timestep gradient norms (recorded in the first record() call).
      let nmax = 0;
      for (const g of c.grad_norms) {
        const r = rec.layers.find((l) => l.index === g.layer && l.direction === g.direction);
        assert.ok(r?.gradNorms, `no gradNorms recorded for layer ${g.layer} ${g.direction}`);
        g.h.forEach((v, t) => { nmax = Math.max(nmax, Math.abs(r.gradNorms!.h[t] - v)); });
        if (g.c) g.c.forEach((v, t) => { nmax = Math.max(nmax, Math.abs(r.gradNorms!.c![t] - v)); });
      }
      diffs.gradNorms = nmax;
      console.log(`      max |diff|: ${Object.entries(diffs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(", ")}`);
      for (const [k, v] of Object.entries(diffs)) assert.ok(v <= TOL, `${c.name}: ${k} differs by ${v}`);
    });
  }
});

describe("PyTorch golden fixtures: ‖∂L/∂h_t‖ over T = 50 (adding-problem inputs, loss on the last output)", () => {
  for (const c of longCases) {
    it(`nn.${c.kind}(2, 8): every step's norm within 1e-4 relative of PyTorch's h_t.grad norm`, () => {
      const make = c.kind === "RNN" ? nn.RNN : c.kind === "LSTM" ? nn.LSTM : nn.GRU;
      const m = make({ ...c.config, seed: 1 });
      m.loadStateDict(Object.fromEntries(Object.entries(c.state_dict).map(([k, v]) => [k, tj(v)])));
      const [T, B] = c.x.shape;
      const H = c.config.hiddenSize;
      const { output } = m.forward(tj(c.x), undefined, { record: { gradNorms: true } });
      const d = new Float32Array(output.size); // ∂ mean((y_T − t)²)/∂y_T = 2(y_T − t)/(B·H); zero at other steps
      let loss = 0;
      for (let q = 0; q < B * H; q++) {
        const diff = output.data[(T - 1) * B * H + q] - c.target_last.data[q];
        loss += (diff * diff) / (B * H);
        d[(T - 1) * B * H + q] = (2 * diff) / (B * H);
      }
      m.backward(new Tensor(d, output.shape));
      const rec = m.recordings()[0].gradNorms!;
      // Relative, because the norms span orders of magnitude; float32 rounding through 50 steps stays
      // far below 1e-4 relative.
      let rel = 0;
      c.h.forEach((v, t) => { rel = Math.max(rel, Math.abs(rec.h[t] - v) / v); });
      c.c?.forEach((v, t) => { rel = Math.max(rel, Math.abs(rec.c![t] - v) / v); });
      console.log(`      loss diff ${Math.abs(loss - c.loss).toExponential(1)}, max relative norm diff ${rel.toExponential(1)}, ‖∂L/∂h_1‖/‖∂L/∂h_T‖ = ${(rec.h[0] / rec.h[T - 1]).toExponential(2)} (PyTorch ${(c.h[0] / c.h[T - 1]).toExponential(2)})`);
      assert.ok(Math.abs(loss - c.loss) <= TOL);
      assert.ok(rel < 1e-4, `relative norm difference ${rel}`);
    });
  }
});
