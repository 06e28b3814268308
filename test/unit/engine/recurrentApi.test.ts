// API behaviour of the recurrent layers of both families: names and shapes of weights and state dicts
// (PyTorch's and Keras's conventions), counts, states, truncated BPTT, file round trips, clear error
// messages, and a Keras layer's forward called from a cell outside any model.
import * as assert from "node:assert/strict";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import * as nn from "../../../src/engine/nn";
import { Rng } from "../../../src/engine/random";
import { Tensor, tensor } from "../../../src/engine/tensor";

const ctx = { training: false, rng: new Rng(0) };

describe("rnn.nn modules: PyTorch names, shapes and counts", () => {
  it("nn.LSTM(28, 256, 2 layers) + nn.Linear(256, 10) = 292,864 + 526,336 + 2,570 = 821,770 (PyTorch's numbers)", () => {
    const m = nn.LSTM({ inputSize: 28, hiddenSize: 256, numLayers: 2, batchFirst: true, seed: 1 });
    const head = nn.Linear(256, 10, { seed: 1 });
    const total = (mod: { params(): { value: ArrayLike<number> }[] }) => mod.params().reduce((s, p) => s + p.value.length, 0);
    // 4·256·(28+256) + 2·4·256 = 292,864; 4·256·(256+256) + 2·4·256 = 526,336; 256·10 + 10 = 2,570
    assert.equal(total(m), 292864 + 526336);
    assert.equal(m.countParams(), 819200);
    assert.equal(total(head) + total(m), 821770);
    assert.equal(head.countParams(), 2570);
    assert.equal(String(m), "LSTM(28, 256, num_layers=2, batch_first=True)");
  });
  it("state-dict keys and shapes of a 2-layer bidirectional GRU match torch.nn.GRU(3, 4, 2, bidirectional=True)", () => {
    const sd = nn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 1 }).stateDict();
    // torch: weight_ih_l0 [12, 3], weight_hh_l0 [12, 4], biases [12]; layer 1 input is 2·4 = 8
    assert.deepEqual(Object.entries(sd).map(([k, t]) => `${k} ${t.shape.join("x")}`), [
      "weight_ih_l0 12x3", "weight_hh_l0 12x4", "bias_ih_l0 12", "bias_hh_l0 12",
      "weight_ih_l0_reverse 12x3", "weight_hh_l0_reverse 12x4", "bias_ih_l0_reverse 12", "bias_hh_l0_reverse 12",
      "weight_ih_l1 12x8", "weight_hh_l1 12x4", "bias_ih_l1 12", "bias_hh_l1 12",
      "weight_ih_l1_reverse 12x8", "weight_hh_l1_reverse 12x4", "bias_ih_l1_reverse 12", "bias_hh_l1_reverse 12",
    ]);
  });
  it("init is U(−1/√H, 1/√H) (PyTorch), seeded: same seed, same weights", () => {
    const a = nn.RNN({ inputSize: 2, hiddenSize: 16, seed: 4 }).stateDict();
    const b = nn.RNN({ inputSize: 2, hiddenSize: 16, seed: 4 }).stateDict();
    for (const k of Object.keys(a)) {
      assert.deepEqual(Array.from(a[k].data), Array.from(b[k].data));
      assert.ok(a[k].data.every((v) => Math.abs(v) <= 0.25)); // 1/√16
    }
  });
  it("forward shapes follow batchFirst (default false → [T, B, F]); bias: false drops both bias vectors", () => {
    const m = nn.LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, seed: 1 });
    const { output, hN, cN } = m.forward(new Tensor(new Float32Array(5 * 4 * 3), [5, 4, 3]));
    assert.deepEqual(output.shape, [5, 4, 4]);
    assert.deepEqual(hN.shape, [4, 4, 2]);
    assert.deepEqual(cN?.shape, [4, 4, 2]);
    assert.deepEqual(Object.keys(nn.RNN({ inputSize: 3, hiddenSize: 2, bias: false }).stateDict()), ["weight_ih_l0", "weight_hh_l0"]);
  });
  it("unbatched input [T, F] gives output [T, D·H] and states [L·D, H], equal to the batch-of-one result (PyTorch semantics)", () => {
    const m = nn.LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, seed: 6 });
    const x = tensor([[0.1, 0.2], [0.3, -0.1], [0, 0.5]]);
    const h0 = new Tensor(Float32Array.from({ length: 12 }, (_, i) => i / 20), [4, 3]);
    const one = m.forward(x, { h0, c0: h0 });
    assert.deepEqual([one.output.shape, one.hN.shape, one.cN?.shape], [[3, 6], [4, 3], [4, 3]]);
    const batched = m.forward(x.reshape([3, 1, 2]), { h0: h0.reshape([4, 1, 3]), c0: h0.reshape([4, 1, 3]) });
    assert.deepEqual(Array.from(one.output.data), Array.from(batched.output.data));
    m.forward(x, { h0, c0: h0 });
    const g = m.backward(new Tensor(new Float32Array(18).fill(1), [3, 6]));
    assert.deepEqual([g.dx.shape, g.dh0.shape], [[3, 2], [4, 3]]);
  });
  it("toSafetensors / fromSafetensors round-trip the state dict", () => {
    const a = nn.GRU({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const b = nn.GRU({ inputSize: 2, hiddenSize: 3, seed: 2 });
    b.fromSafetensors(a.toSafetensors());
    const x = tensor([[[0.1, 0.2]], [[0.3, -0.4]]]);
    assert.deepEqual(Array.from(b.forward(x).output.data), Array.from(a.forward(x).output.data));
  });
  it("computeGradients is keyed like stateDict", () => {
    const m = nn.RNN({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const { loss, grads } = m.computeGradients(tensor([[[1, 2]]]), tensor([[[0, 0, 0]]]), { loss: "mse" });
    assert.ok(loss > 0);
    assert.deepEqual(Object.keys(grads), Object.keys(m.stateDict()));
  });
});

describe("Keras-family recurrent layers: names, states, truncation", () => {
  it("auto-names like Keras and exposes kernel / recurrent_kernel / bias with Keras shapes", () => {
    const a = lstm({ units: 4 }), b = lstm({ units: 4 });
    assert.match(a.name, /^lstm(_\d+)?$/);
    assert.notEqual(a.name, b.name);
    a.build([7, 3], { dtype: "float32", rng: new Rng(1) });
    const w = a.weights;
    assert.deepEqual([w.kernel.shape, w.recurrent_kernel.shape, w.bias.shape], [[3, 16], [4, 16], [16]]);
    // unitForgetBias (Keras default): forget block [H, 2H) of the bias starts at 1
    assert.deepEqual(Array.from(w.bias.data), [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(a.countParams(), 4 * (4 * (3 + 4) + 4)); // 128
    const g = gru({ units: 5 });
    g.build([2, 4], { dtype: "float32", rng: new Rng(1) });
    assert.deepEqual(g.weights.bias.shape, [2, 15]); // resetAfter: input and recurrent bias
    assert.equal(g.countParams(), 165); // Keras GRU(5) on 4 features: 3·(5·(4 + 5) + 2·5) = 165, Keras's count
  });
  it("returnState gives [output, h, c]; the last output equals h", () => {
    const l = lstm({ units: 2, returnSequences: true, returnState: true, seed: 3 });
    const [out, h, c] = l.apply(tensor([[[1], [2], [3]]])) as Tensor[];
    assert.deepEqual(out.shape, [1, 3, 2]);
    assert.deepEqual(Array.from(h.data), Array.from(out.data.subarray(4, 6)));
    assert.deepEqual(c.shape, [1, 2]);
  });
  it("initialState changes the output; zeros reproduce the default", () => {
    const l = simpleRNN({ units: 2, seed: 1 });
    const x = tensor([[[0.5], [0.1]]]);
    const y0 = l.apply(x) as Tensor;
    const yz = l.apply(x, { initialState: [tensor([[0, 0]])] }) as Tensor;
    const y1 = l.apply(x, { initialState: [tensor([[1, -1]])] }) as Tensor;
    assert.deepEqual(Array.from(yz.data), Array.from(y0.data));
    assert.notDeepEqual(Array.from(y1.data), Array.from(y0.data));
  });
  it("alternating batch sizes (a short last batch) give the same results as fresh layers", () => {
    const make = () => { const l = gru({ units: 3, returnSequences: true, seed: 8 }); l.build([5, 2], { dtype: "float32", rng: new Rng(1) }); return l; };
    const r = new Rng(2);
    const big = new Tensor(Float32Array.from({ length: 4 * 5 * 2 }, () => r.uniform(-1, 1)), [4, 5, 2]);
    const small = big.slice(0, 2);
    const reused = make();
    const run = (l: ReturnType<typeof make>, x: Tensor) => {
      const y = l.forward(x, ctx);
      const dx = l.backward(y); // any upstream gradient; here ∂(½‖y‖²)/∂y = y
      return [Array.from(y.data), Array.from(dx.data), Array.from(l.params()[0].grad)];
    };
    run(reused, big);
    reused.params().forEach((p) => p.grad.fill(0));
    const a = run(reused, small);
    reused.params().forEach((p) => p.grad.fill(0));
    const b = run(reused, big);
    assert.deepEqual(a, run(make(), small));
    assert.deepEqual(b, run(make(), big));
  });
  it("tbptt k stops the gradient k steps back from the end (‖∂L/∂h_t‖ = 0 before T − k with a last-step loss)", () => {
    const T = 6, k = 2;
    const l = lstm({ units: 3, seed: 2 });
    l.build([T, 1], { dtype: "float32", rng: new Rng(1) });
    const x = new Tensor(Float32Array.from({ length: T }, (_, t) => Math.sin(t)), [1, T, 1]);
    l.forward(x, { training: false, rng: new Rng(0), record: { gradNorms: true }, tbptt: k });
    l.backward(tensor([[1, 1, 1]]));
    const n = Array.from(l.recordings()[0].gradNorms!.h);
    assert.ok(n.slice(T - k).every((v) => v > 0), `last ${k} steps carry gradient: ${n}`);
    assert.ok(n.slice(0, T - k).every((v) => v === 0), `earlier steps are cut: ${n}`);
  });
});

describe("errors are clear and early", () => {
  it("an unknown option is rejected with the list of valid ones", () => {
    assert.throws(() => lstm({ units: 4, returnSequence: true } as never), /rnn\.lstm: unknown option "returnSequence"; valid options: units, activation, .*returnSequences/);
    assert.throws(() => nn.LSTM({ inputSize: 2, hiddenSize: 3, batch_first: true } as never), /rnn\.nn\.LSTM: unknown option "batch_first"; valid options: inputSize, hiddenSize, numLayers, bias, batchFirst/);
    assert.throws(() => simpleRNN({ units: 4, recurrentActivation: "sigmoid" } as never), /unknown option "recurrentActivation"/);
    assert.throws(() => gru({ units: 2, activation: "swish" as never }), /activation "swish" is not supported; valid: tanh, sigmoid/);
  });
  it("a layer's own inputShape option must agree with the shape it is built for", () => {
    const l = lstm({ units: 2, inputShape: [20, 6], name: "first" });
    assert.throws(() => l.build([20, 5], { dtype: "float32", rng: new Rng(1) }), /first \(LSTM\): its inputShape option \[20, 6\] disagrees with the model's input \[20, 5\]/);
    lstm({ units: 2, inputShape: [null, 6] }).build([7, 6], { dtype: "float32", rng: new Rng(1) }); // free timesteps
    assert.throws(() => gru({ units: 2, inputShape: [6] as never }), /inputShape must be \[timesteps, features\]/);
  });
  it("a wrong input shape names the layer and both shapes", () => {
    const l = lstm({ units: 4, name: "encoder" });
    l.build([20, 6], { dtype: "float32", rng: new Rng(1) });
    assert.throws(() => l.forward(new Tensor(new Float32Array(2 * 20 * 5), [2, 20, 5]), ctx),
      /encoder \(LSTM\): expected input of shape \[batch, timesteps, 6\] but got \[2, 20, 5\]/);
    const m = nn.GRU({ inputSize: 3, hiddenSize: 2 });
    assert.throws(() => m.forward(new Tensor(new Float32Array(8), [2, 2, 2])),
      /expected input of shape \[timesteps, batch, 3\] \(or unbatched \[timesteps, 3\]\) but got \[2, 2, 2\]/);
    assert.throws(() => m.forward(new Tensor(new Float32Array(6), [1, 2, 3]), new Tensor(new Float32Array(2), [1, 1, 2])),
      /h0 must have shape \[1, 2, 2\] .* but got \[1, 1, 2\]/);
  });
});

describe("a Keras layer's forward outside a model (from a cell)", () => {
  // [B = 2, T = 3, F = 2] with distinct values, so a wrong layout or a missing step changes the output.
  const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 7), [2, 3, 2]);

  it("an unbuilt recurrent layer builds from x and runs in inference mode, like apply", () => {
    for (const make of [lstm, gru, simpleRNN]) {
      // Before: TypeError "Cannot read properties of undefined (reading 'rng')".
      const y = make({ units: 3, seed: 5 }).forward(x);
      assert.deepEqual(y.shape, [2, 3]);
      const viaApply = make({ units: 3, seed: 5 }).apply(x) as Tensor;
      assert.deepEqual(Array.from(y.data), Array.from(viaApply.data));
    }
  });

  it("dense, dropout, flatten and bidirectional do the same; dropout is the identity in inference mode", async () => {
    const { dense } = await import("../../../src/engine/layers/dense");
    const { dropout } = await import("../../../src/engine/layers/dropout");
    const { flatten } = await import("../../../src/engine/layers/flatten");
    const { bidirectional } = await import("../../../src/engine/layers/bidirectional");
    assert.deepEqual(Array.from(dropout({ rate: 0.5 }).forward(x).data), Array.from(x.data));
    assert.deepEqual(flatten().forward(x).shape, [2, 6]);
    const d = dense({ units: 1, seed: 2 });
    const y = d.forward(flatten().forward(x));
    // y = x·W + b written out: W [6, 1], b [1] read back from the layer it built
    const w = d.weights.kernel.data, b = d.weights.bias.data;
    for (let r = 0; r < 2; r++) {
      let s = b[0];
      for (let k = 0; k < 6; k++) s += x.data[r * 6 + k] * w[k];
      assert.ok(Math.abs(y.data[r] - s) < 1e-6, `row ${r}: ${y.data[r]} vs ${s}`);
    }
    assert.deepEqual(bidirectional(lstm({ units: 2, returnSequences: true })).forward(x).shape, [2, 3, 4]);
  });
});

describe("summaries of single layers and modules", () => {
  it("nn modules and Keras recurrent layers return a summary table with PyTorch / Keras counts", () => {
    const s = nn.LSTM({ inputSize: 28, hiddenSize: 256, numLayers: 2, seed: 1 }).summary();
    assert.equal(s.totalParams, 819200); // 292,864 + 526,336 (PyTorch)
    assert.equal(s.convention, "torch");
    assert.equal(s.layers[0].type, "LSTM");
    assert.equal(nn.Linear(256, 10, { seed: 1 }).summary().totalParams, 2570);
    const l = lstm({ units: 16 });
    l.build([21, 1], { dtype: "float32", rng: new Rng(1) });
    const ks = l.summary();
    assert.equal(ks.totalParams, 1152); // Keras LSTM(16) on [21, 1]: 4·(16·(1+16) + 16)
    assert.match(String(ks), /Total params: 1,152/);
  });
});
