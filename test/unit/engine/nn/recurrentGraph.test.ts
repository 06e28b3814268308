// nn.RNN / nn.LSTM / nn.GRU as single differentiable ops (src/engine/nn/recurrent.ts): float64
// gradient checks through the graph (x, h0, c0), several calls of one module in one graph, the
// lanes a training loop reuses, and the old manual forward/backward beside the graph.
// Gradient checks: max relative error < 1e-6 (float64 central differences, autograd/check.ts).
import * as assert from "node:assert/strict";
import { cat, nn, noGrad, tensor, type Tensor } from "../../../../src/engine/index";
import { checkGradients, leaf } from "../autograd/check";

const flat = (...ts: (Tensor | undefined)[]): Tensor => cat(ts.filter((t): t is Tensor => !!t).map((t) => t.reshape(-1)), 0);

describe("nn recurrent modules in the autograd graph", () => {
  for (const kind of ["RNN", "LSTM", "GRU"] as const) {
    it(`${kind}: gradients of x, h0${kind === "LSTM" ? ", c0" : ""} and every parameter through output, hN${kind === "LSTM" ? ", cN" : ""} pass a float64 gradient check (2 layers, bidirectional)`, () => {
      const m = nn[kind]({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, dtype: "float64", seed: 7 });
      const x = leaf([5, 2, 3], 1), h0 = leaf([4, 2, 4], 2), c0 = leaf([4, 2, 4], 3);
      const f = kind === "LSTM"
        ? (xi: Tensor, h: Tensor, c: Tensor): Tensor => { const r = m.forward(xi, [h, c]); return flat(r.output, r.hN, r.cN); }
        : (xi: Tensor, h: Tensor): Tensor => { const r = m.forward(xi, h); return flat(r.output, r.hN); };
      // Every parameter too: the bridge's leaves (m.parameters()) receive the op's parameter gradients.
      checkGradients(`nn.${kind}`, f, [...(kind === "LSTM" ? [x, h0, c0] : [x, h0]), ...m.parameters()]);
    });
  }

  it("output[:, -1] (only the last step's gradient) matches reading hN, and passes a gradient check", () => {
    // That gradient takes a shortcut into ∂L/∂hN (the last layer's final state IS its last output); the
    // reference is the same loss read from hN, which goes through the final-state path. Weights w make
    // the loss depend on every unit differently. 2 layers so only the top layer's slice gets it.
    for (const batchFirst of [false, true]) {
      for (const kind of ["LSTM", "GRU"] as const) {
        const m = nn[kind]({ inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst, dtype: "float64", seed: 5 });
        const x = leaf(batchFirst ? [2, 5, 3] : [5, 2, 3], 8);
        const w = tensor(Array.from({ length: 8 }, (_, i) => Math.cos(i + 1)), [2, 4], { dtype: "float64" });
        const viaOutput = (xi: Tensor): Tensor => m.forward(xi).output.select(batchFirst ? 1 : 0, 4).mul(w).sum();
        const viaState = (xi: Tensor): Tensor => m.forward(xi).hN.select(0, 1).mul(w).sum();
        const grads = (f: (xi: Tensor) => Tensor): number[] => {
          for (const p of [x, ...m.parameters()]) p.grad?.data.fill(0);
          f(x).backward();
          return [x, ...m.parameters()].flatMap((p) => Array.from(p.grad!.data));
        };
        const a = grads(viaOutput), b = grads(viaState);
        const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
        assert.ok(worst < 1e-12, `${kind} batchFirst=${batchFirst}: max |difference| ${worst}`); // same sums, float64 rounding only
        checkGradients(`nn.${kind} output[:, -1]`, viaOutput, [x]);
      }
    }
  });

  it("gradients for other parts of the output take the full path: two last steps, both directions, the output read twice", () => {
    // Only a one-direction module's last step can go into ∂L/∂hN; everything else must reach the time
    // loop as a full [T, B, F] gradient (the tape expands the block), and pass the gradient check.
    const x = leaf([2, 5, 3], 12);
    const uni = nn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, dtype: "float64", seed: 13 });
    const bi = nn.LSTM({ inputSize: 3, hiddenSize: 2, batchFirst: true, bidirectional: true, dtype: "float64", seed: 14 });
    checkGradients("output.narrow(1, 3, 2)", (xi) => uni.forward(xi).output.narrow(1, 3, 2), [x, ...uni.parameters()]);
    checkGradients("bidirectional output[:, -1]", (xi) => bi.forward(xi).output.select(1, -1), [x, ...bi.parameters()]);
    checkGradients("output[:, -1] and output.mean()", (xi) => {
      const out = uni.forward(xi).output;
      return out.select(1, -1).add(out.mean(1));
    }, [x, ...uni.parameters()]);
    checkGradients("unbatched output[-1]", (xi) => uni.forward(xi).output.select(0, -1), [leaf([5, 3], 15), ...uni.parameters()]);
  });

  it("a frozen parameter tensor gets no gradient; the others get what they get when nothing is frozen", () => {
    // The op adds its parameter gradients into .grad itself: it must skip a tensor frozen alone
    // (requiresGrad false), as the tape skips one, and leave the other tensors of its unit exact.
    for (const kind of ["LSTM", "GRU"] as const) {
      const m = nn[kind]({ inputSize: 3, hiddenSize: 4, dtype: "float64", seed: 9 });
      const x = leaf([5, 2, 3], 10);
      const grads = (): number[][] => {
        for (const p of m.parameters()) p.grad = null;
        m.forward(x).output.mul(m.forward(x).output).sum().backward();
        return m.parameters().map((p) => Array.from(p.grad!.data));
      };
      const all = grads();
      const frozen = m.namedParameters().find(([name]) => name === "bias_hh_l0")![1];
      frozen.requiresGrad = false;
      const some = grads();
      frozen.requiresGrad = true;
      m.namedParameters().forEach(([name], i) => {
        if (name === "bias_hh_l0") assert.ok(some[i].every((v) => v === 0), `${kind}: the frozen ${name} got a gradient`);
        else assert.deepEqual(some[i], all[i], `${kind}: ${name} changed when bias_hh_l0 was frozen`);
      });
    }
  });

  it("batchFirst and unbatched inputs keep their shapes in the gradient", () => {
    const m = nn.GRU({ inputSize: 2, hiddenSize: 3, batchFirst: true, dtype: "float64", seed: 3 });
    const x = leaf([2, 4, 2], 4);
    checkGradients("nn.GRU batchFirst", (xi: Tensor) => flat(m.forward(xi).output), [x]);
    const u = leaf([4, 2], 5), h = leaf([1, 3], 6);
    checkGradients("nn.GRU unbatched", (xi: Tensor, hi: Tensor) => { const r = m.forward(xi, hi); return flat(r.output, r.hN); }, [u, h]);
  });

  it("one module called several times in one graph keeps each call's caches (a decoder step by step)", () => {
    // The same LSTM over 4 steps at once, and step by step with the state fed back: equal outputs and gradients.
    const m = nn.LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64", seed: 11 });
    const x = leaf([4, 1, 2], 7);
    const whole = (xi: Tensor): Tensor => m.forward(xi).output;
    const stepwise = (xi: Tensor): Tensor => {
      const outs: Tensor[] = [];
      let state: [Tensor, Tensor] | undefined;
      for (let t = 0; t < 4; t++) {
        const r = m.forward(xi.narrow(0, t, 1), state);
        outs.push(r.output);
        state = [r.hN, r.cN!];
      }
      return cat(outs, 0);
    };
    const w = tensor(Float64Array.from([0.3, -0.2, 0.5, 0.1, 0.7, -0.4, 0.2, 0.9, -0.6, 0.25, 0.35, -0.15]), [4, 1, 3]);
    whole(x).mul(w).sum().backward();
    const g1 = x.grad!.toFlatArray();
    x.grad = null;
    const out = stepwise(x);
    assert.deepEqual(out.toFlatArray().map((v) => v.toFixed(12)), noGrad(() => whole(x)).toFlatArray().map((v) => v.toFixed(12)));
    out.mul(w).sum().backward();
    x.grad!.toFlatArray().forEach((g, i) => assert.ok(Math.abs(g - g1[i]) < 1e-12, `dx[${i}] ${g} vs ${g1[i]}`));
    checkGradients("nn.LSTM step by step", stepwise, [x]);
  });

  it("a training loop reuses one lane; calls pending at once each get their own, given back by backward", () => {
    const m = nn.GRU({ inputSize: 2, hiddenSize: 3, seed: 2 });
    const x = tensor(Float32Array.from([0.5, -1, 0.25, 2, 1, 0]), [3, 1, 2], { requiresGrad: true });
    for (let step = 0; step < 5; step++) m.forward(x).output.sum().backward();
    assert.equal(m.lanesBuilt, 1);
    // An encoder on two inputs: two calls pending in one graph, then one backward frees both.
    const a = m.forward(x).output, b = m.forward(x.mul(2)).output;
    assert.equal(m.lanesBuilt, 2);
    a.sum().add(b.sum()).backward();
    for (let step = 0; step < 3; step++) { m.forward(x).output.sum().add(m.forward(x).output.sum()).backward(); }
    assert.equal(m.lanesBuilt, 2, "the loop with two calls per step reuses the two lanes");
    // Outside a graph (noGrad) a pending call is dropped by the next forward, as before.
    for (let step = 0; step < 3; step++) noGrad(() => m.forward(x));
    assert.equal(m.lanesBuilt, 2);
  });

  it("a second backward through the op is the tape's error; the manual backward cannot reuse a graph's call", () => {
    const m = nn.RNN({ inputSize: 2, hiddenSize: 2, seed: 1 });
    const x = tensor([[[1, 2]], [[3, 4]]], { requiresGrad: true });
    const loss = m.forward(x).output.sum();
    loss.backward();
    assert.throws(() => loss.backward(), /backward: trying to backward through the graph a second time/);
    const r = m.forward(x);
    m.backward(tensor(new Float32Array(4), [2, 1, 2]));
    assert.throws(() => r.output.sum().backward(), /this forward was already backwarded \(by nn_rnn(_\d+)?\.backward or through the graph\)/);
  });

  it("the old manual API is unchanged: forward(x), backward(dOutput) accumulates into the parameters", () => {
    const m = nn.LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64", seed: 5 });
    const x = tensor(Float64Array.from([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]), [3, 1, 2]);
    const dOut = tensor(Float64Array.from([1, 0, -1, 0.5, 0.5, 0.5, 0, 2, 0]), [3, 1, 3]);
    m.zeroGrad();
    m.forward(x);
    const { dx } = m.backward(dOut);
    const once = m.params().map((p) => Array.from(p.grad));
    // Graph route on a copy of x that requires grad: same ∂L/∂x (L = Σ dOut ⊙ output).
    const xg = tensor(x, { requiresGrad: true, dtype: "float64" });
    m.zeroGrad();
    m.forward(xg).output.mul(dOut).sum().backward();
    assert.deepEqual(xg.grad!.toFlatArray(), dx.toFlatArray());
    m.zeroGrad();
    m.forward(x);
    m.backward(dOut);
    m.forward(x);
    m.backward(dOut); // accumulates: twice the first gradients
    m.params().forEach((p, i) => Array.from(p.grad).forEach((g, q) => assert.ok(Math.abs(g - 2 * once[i][q]) < 1e-12)));
  });
});
