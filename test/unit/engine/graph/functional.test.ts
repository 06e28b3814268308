// rnn.model (the Keras functional API) on the layers' own forward/backward: a chain equals the same
// rnn.sequential bit for bit (same weights → same outputs, gradients and fit history), gradients of
// graphs with shared layers, initial states and several outputs pass float64 central-difference
// checks (< 1e-6, the threshold of every engine gradient check: gradcheck.ts explains why the
// five-point stencil reaches it), and bad graphs fail with messages that name what is wrong.
import * as assert from "node:assert/strict";
import { sequential } from "../../../../src/engine/model";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";
import { dense } from "../../../../src/engine/layers/dense";
import { gru } from "../../../../src/engine/layers/gru";
import { lstm } from "../../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../../src/engine/layers/simpleRnn";
import { Functional, model } from "../../../../src/engine/graph/functional";
import { Sequential } from "../../../../src/engine/model";
import { additiveAttention } from "../../../../src/engine/layers/attention";
import { concatenate } from "../../../../src/engine/layers/merge";
import { input, type KerasTensor } from "../../../../src/engine/graph/symbolic";
import { checkModel } from "./check";


function rand(shape: number[], seed: number, dtype: "float32" | "float64" = "float64"): Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = r.uniform(-1, 1);
  return new Tensor(data, shape);
}

describe("rnn.model (functional API)", () => {
  it("a chain of layers equals rnn.sequential with the same weights: outputs, gradients and fit history", async () => {
    const seq = sequential({ inputShape: [5, 3], seed: 1 }, [lstm({ units: 4, returnSequences: true }), gru({ units: 3 }), dense({ units: 2 })]);
    const x = input({ shape: [5, 3] });
    const h = lstm({ units: 4, returnSequences: true }).apply(x) as KerasTensor;
    const out = dense({ units: 2 }).apply(gru({ units: 3 }).apply(h)) as KerasTensor;
    const fun = model({ inputs: x, outputs: out, seed: 2 });
    fun.setWeights(seq.getWeights());
    const xs = rand([6, 5, 3], 4, "float32");
    const ys = rand([6, 2], 5, "float32");
    assert.deepEqual(Array.from((fun.predict(xs) as Tensor).data), Array.from(seq.predict(xs).data));
    const gs = seq.computeGradients(xs, ys, { loss: "mse" });
    const gf = fun.computeGradients(xs, ys, { loss: "mse" });
    assert.equal(gf.loss, gs.loss);
    const fk = Object.keys(gf.grads), sk = Object.keys(gs.grads);
    assert.equal(fk.length, sk.length);
    sk.forEach((k, i) => assert.deepEqual(Array.from(gf.grads[fk[i]].data), Array.from(gs.grads[k].data), k));
    const hs = await seq.fit(xs, ys, { loss: "mse", epochs: 2, batchSize: 4, seed: 7 });
    const hf = await fun.fit(xs, ys, { loss: "mse", epochs: 2, batchSize: 4, seed: 7 });
    assert.deepEqual(hf.batchLoss, hs.batchLoss);
    assert.equal(fun.countParams(), seq.countParams());
  });

  it("encoder states feed a decoder through initialState: gradients of every weight and both inputs", () => {
    const enc = input({ shape: [4, 3], dtype: "float64" });
    const dec = input({ shape: [3, 2], dtype: "float64" });
    const [, h, c] = lstm({ units: 3, returnState: true, seed: 1 }).apply(enc) as KerasTensor[];
    const seqOut = lstm({ units: 3, returnSequences: true, seed: 2 }).apply(dec, { initialState: [h, c] });
    const out = dense({ units: 2, seed: 3 }).apply(seqOut);
    const m = model({ inputs: [enc, dec], outputs: out });
    assert.equal(m.dtype, "float64");
    checkModel(m, [rand([2, 4, 3], 1), rand([2, 3, 2], 2)], [rand([2, 3, 2], 3)]);
  });

  it("a layer shared by two inputs gets both uses' gradients, and the model has several outputs", () => {
    const a = input({ shape: [4, 2], dtype: "float64" });
    const b = input({ shape: [3, 2], dtype: "float64" });
    const shared = simpleRNN({ units: 3, seed: 4 });
    const head = dense({ units: 1, seed: 5 });
    const m = model({ inputs: [a, b], outputs: [head.apply(shared.apply(a)), head.apply(shared.apply(b)), shared.apply(b)] as KerasTensor[] });
    assert.equal(m.layers.length, 2);
    assert.equal(m.weightEntries().length, 5); // simple_rnn kernel, recurrent_kernel, bias; dense kernel, bias — once each
    checkModel(m, [rand([2, 4, 2], 6), rand([2, 3, 2], 7)], [rand([2, 1], 8), rand([2, 1], 9), rand([2, 3], 10)]);
  });

  it("record gives the same gates and gradient norms as the equal rnn.sequential (rnn.show.gates reads them)", () => {
    const seq = sequential({ inputShape: [5, 2], seed: 3 }, [lstm({ units: 3, returnSequences: true }), gru({ units: 2 })]);
    const x = input({ shape: [5, 2] });
    const fun = model({ inputs: x, outputs: gru({ units: 2 }).apply(lstm({ units: 3, returnSequences: true }).apply(x)), seed: 4 });
    fun.setWeights(seq.getWeights());
    const xs = rand([3, 5, 2], 1, "float32"), ys = rand([3, 2], 2, "float32");
    const a = seq.record(xs, ys, { batchIndex: 1 }), b = fun.record(xs, ys, { batchIndex: 1 });
    assert.equal(b.loss, a.loss);
    assert.deepEqual(b.layers.map((l) => [l.index, l.type]), [[0, "lstm"], [1, "gru"]]);
    b.layers.forEach((l, i) => {
      assert.deepEqual(Object.keys(l.gates), Object.keys(a.layers[i].gates));
      for (const g of Object.keys(l.gates) as (keyof typeof l.gates)[]) assert.deepEqual(Array.from(l.gates[g]!.data), Array.from(a.layers[i].gates[g]!.data), g);
      assert.deepEqual(Array.from(l.gradNorms!.h), Array.from(a.layers[i].gradNorms!.h));
    });
    assert.ok(fun.params().every((p) => p.grad.every((g) => g === 0)), "gradients left zeroed");
  });

  it("an output that only uses the returned state still trains the encoder", () => {
    const x = input({ shape: [4, 2], dtype: "float64" });
    const [, hState] = gru({ units: 3, returnState: true, seed: 6 }).apply(x) as KerasTensor[];
    const m = model({ inputs: x, outputs: dense({ units: 2, seed: 7 }).apply(hState) });
    checkModel(m, [rand([2, 4, 2], 11)], [rand([2, 2], 12)]);
  });

  it("summary lists inputs and the Keras 'Connected to' column", () => {
    const x = input({ shape: [6, 3], name: "tokens" });
    const [o, h, c] = lstm({ units: 4, returnSequences: true, returnState: true, name: "encoder" }).apply(x) as KerasTensor[];
    const y = lstm({ units: 4, name: "decoder" }).apply(o, { initialState: [h, c] });
    const m = model({ inputs: x, outputs: dense({ units: 2, name: "head" }).apply(y), name: "seq2seq" });
    const s = m.summary();
    assert.deepEqual(s.layers.map((l) => l.name), ["tokens", "encoder", "decoder", "head"]);
    assert.deepEqual(s.layers.map((l) => l.connectedTo), [[], ["tokens[0][0]"], ["encoder[0][0]", "encoder[0][1]", "encoder[0][2]"], ["decoder[0][0]"]]);
    // Keras: LSTM(4) on 3 features 4·(4·(3+4) + 4) = 128; on 4 features 4·(4·(4+4) + 4) = 144; Dense 4·2 + 2 = 10.
    assert.deepEqual(s.layers.map((l) => l.params), [0, 128, 144, 10]);
    assert.equal(m.countParams(), 282);
    assert.deepEqual(s.layers[1].outputShapes, [[null, 6, 4], [null, 4], [null, 4]]);
    const text = s.toString();
    assert.match(text, /Connected to/);
    assert.match(text, /\['encoder\[0\]\[0\]',/);
  });

  it("fit takes one array per input and refuses the wrong number", async () => {
    const a = input({ shape: [3, 2] });
    const b = input({ shape: [3, 2] });
    const shared = gru({ units: 2 });
    const m = model({ inputs: [a, b], outputs: [shared.apply(a), shared.apply(b)] as KerasTensor[] });
    const xa = rand([4, 3, 2], 1, "float32"), xb = rand([4, 3, 2], 2, "float32");
    const h = await m.fit([xa, xb], [rand([4, 2], 3, "float32"), rand([4, 2], 4, "float32")], { loss: "mse", epochs: 1 });
    assert.equal(h.batchLoss.length, 1);
    await assert.rejects(m.fit(xa, [xa, xb], { loss: "mse" }), /model "model(_\d+)?" has 2 inputs \(input_\d+, input_\d+\); pass one array per input/);
  });

  it("toBytes/fromBytes rebuild the graph, names and weights: a shared layer, returned states, causal attention", () => {
    const a = input({ shape: [4, 3], name: "src" }), b = input({ shape: [5, 3], name: "tgt" });
    const shared = dense({ units: 3, name: "proj" });
    const [encSeq, h] = gru({ units: 4, returnSequences: true, returnState: true, name: "enc" }).apply(shared.apply(a)) as KerasTensor[];
    const decSeq = gru({ units: 4, returnSequences: true, name: "dec" }).apply(shared.apply(b), { initialState: [h] }) as KerasTensor;
    const [ctxv, w] = additiveAttention({ name: "att" }).apply([decSeq, encSeq], { returnAttentionScores: true, useCausalMask: true }) as KerasTensor[];
    const out = dense({ units: 2, name: "head" }).apply(concatenate({ name: "cat" }).apply([decSeq, ctxv]));
    const m = model({ inputs: [a, b], outputs: [out, w] as KerasTensor[], name: "s2s" });
    const back = Functional.fromBytes(m.toBytes());
    assert.equal(back.name, "s2s");
    assert.deepEqual(back.layers.map((l) => l.name), m.layers.map((l) => l.name));
    assert.deepEqual(back.summary().toJSON(), m.summary().toJSON());
    const xs = [rand([2, 4, 3], 1, "float32"), rand([2, 5, 3], 2, "float32")];
    const p1 = m.predict(xs) as Tensor[], p2 = back.predict(xs) as Tensor[];
    p1.forEach((t, i) => assert.deepEqual(Array.from(p2[i].data), Array.from(t.data)));
    assert.throws(() => Sequential.fromBytes(m.toBytes()), /"s2s" is a functional model \(rnn.model\); load it with rnn.loadModel/);
    const seq = sequential({ inputShape: [3, 2] }, [gru({ units: 2 })]);
    assert.throws(() => Functional.fromBytes(seq.toBytes()), /is an rnn.sequential model; load it with rnn.load/);
  });

  it("bad graphs and inputs fail with clear messages", () => {
    const a = input({ shape: [3, 2], name: "a" });
    const b = input({ shape: [3, 2], name: "b" });
    const y = lstm({ units: 2 }).apply(a);
    assert.throws(() => model({ inputs: [a, b], outputs: y }), /input "b" \(None, 3, 2\) is not connected to the outputs/);
    assert.throws(() => model({ inputs: b, outputs: y }), /depends on input "a" \(None, 3, 2\).*not in inputs/);
    const d = dense({ units: 3, name: "proj" });
    d.apply(input({ shape: [5] }));
    assert.throws(() => d.apply(input({ shape: [4] })), /layer "proj" \(Dense\) was first called on \(None, 5\); its weights do not fit input \(None, 4\)/);
    const m = model({ inputs: a, outputs: y });
    assert.throws(() => m.predict(rand([2, 4, 2], 1, "float32")), /input "a" of model .* expects shape \(None, 3, 2\) but got \(2, 4, 2\)/);
    const enc = lstm({ units: 3, name: "enc3" });
    assert.throws(() => enc.apply(a, { initialState: [a] }), /enc3.*initialState needs 2 tensor/);
  });
});
