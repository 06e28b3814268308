// Attention, AdditiveAttention and a complete functional seq2seq + attention model against PyTorch
// 1.13 (test/fixtures/keras/attention_golden.json, written by generate.py beside it from Keras 2's
// formulas and weight layouts): outputs, attention weights, loss and every gradient agree to 1e-5
// relative (max |ours − torch| / max |torch| per tensor) in float32.
import * as assert from "node:assert/strict";
import golden from "../../../fixtures/keras/attention_golden.json";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";
import { additiveAttention, attention } from "../../../../src/engine/layers/attention";
import { dense } from "../../../../src/engine/layers/dense";
import { embedding } from "../../../../src/engine/layers/embedding";
import { lstm } from "../../../../src/engine/layers/lstm";
import { concatenate } from "../../../../src/engine/layers/merge";
import { model } from "../../../../src/engine/graph/functional";
import { input, type KerasTensor } from "../../../../src/engine/graph/symbolic";

const TOL = 1e-5;

interface TJ { shape: number[]; data: number[] }
interface AttentionCase {
  name: string; kind: "attention" | "additiveAttention"; useScale: boolean; withKey: boolean; returnScores: boolean;
  q: TJ; v: TJ; k?: TJ; mask?: TJ; scale?: TJ; target: TJ; targetW?: TJ;
  out: TJ; weights: TJ; loss: number; grads: Record<string, TJ>;
}
interface Seq2SeqCase {
  src: TJ; tgt: TJ; labels: TJ; weights: Record<string, TJ>; logits: TJ; attention: TJ; loss: number; grads: Record<string, TJ>;
}
const data = golden as unknown as { attention: AttentionCase[]; seq2seq: Seq2SeqCase };
const tensor = (t: TJ): Tensor => new Tensor(Float32Array.from(t.data), t.shape);

function relErr(ours: ArrayLike<number>, ref: TJ, what: string): number {
  assert.equal(ours.length, ref.data.length, `${what}: size`);
  let diff = 0, scale = 0;
  for (let i = 0; i < ours.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i] - ref.data[i]));
    scale = Math.max(scale, Math.abs(ref.data[i]));
  }
  const rel = diff / Math.max(scale, 1e-30);
  assert.ok(rel <= TOL, `${what}: relative error ${rel.toExponential(2)} > ${TOL}`);
  return rel;
}

describe("attention layers vs PyTorch (float32)", () => {
  for (const c of data.attention) {
    it(`${c.name}: output, weights, loss and the gradients of q, v${c.withKey ? ", k" : ""}${c.useScale ? " and scale" : ""}`, () => {
      const q = input({ shape: c.q.shape.slice(1) }), v = input({ shape: c.v.shape.slice(1) });
      const k = c.k ? input({ shape: c.k.shape.slice(1) }) : undefined;
      const mask = c.mask ? input({ shape: c.mask.shape.slice(1) }) : undefined;
      const layer = c.kind === "attention" ? attention({ useScale: c.useScale }) : additiveAttention({ useScale: c.useScale });
      const outs = layer.apply(k ? [q, v, k] : [q, v], { ...(mask ? { mask } : {}), returnAttentionScores: true }) as KerasTensor[];
      const inputs = [q, v, ...(k ? [k] : []), ...(mask ? [mask] : [])];
      const m = model({ inputs, outputs: c.returnScores ? outs : [outs[0]] });
      if (c.scale) layer.setWeights([tensor(c.scale)]);
      const xs = [tensor(c.q), tensor(c.v), ...(c.k ? [tensor(c.k)] : []), ...(c.mask ? [tensor(c.mask)] : [])];
      const ys = [tensor(c.target), ...(c.returnScores ? [tensor(c.targetW!)] : [])];
      const predicted = m.predict(xs);
      relErr((Array.isArray(predicted) ? predicted[0] : predicted).data, c.out, "output");
      const g = m.computeGradients(xs, ys, { loss: "mse" });
      assert.ok(Math.abs(g.loss - c.loss) <= TOL * Math.abs(c.loss), `loss ${g.loss} vs ${c.loss}`);
      // Input gradients: one pass by hand with the mse gradients 2(y − t)/N, asking for ∂L/∂inputs.
      const outsNow = m.forwardPass(xs, { training: false, rng: new Rng(0) });
      if (c.returnScores) relErr(outsNow[1].data, c.weights, "weights");
      const dOut = outsNow.map((o, i) => new Tensor(Float32Array.from(o.data, (val, j) => (2 * (val - ys[i].data[j])) / o.size), o.shape));
      const dIn = m.backwardPass(dOut);
      relErr(dIn[0]!.data, c.grads.q, "∂L/∂q");
      relErr(dIn[1]!.data, c.grads.v, "∂L/∂v");
      if (c.k) relErr(dIn[2]!.data, c.grads.k, "∂L/∂k");
      if (c.useScale) relErr(g.grads[`${layer.name}/scale`].data, c.grads.scale, "∂L/∂scale");
    });
  }
});

describe("functional seq2seq + attention vs PyTorch (float32)", () => {
  it("embedding → LSTM encoder (returnState) → LSTM decoder (initialState) → attention → concatenate → dense → crossEntropy: loss and every gradient", () => {
    const c = data.seq2seq;
    const V = c.weights["logits/bias"].shape[0];
    const src = input({ shape: c.src.shape.slice(1), dtype: "int32" }), tgt = input({ shape: c.tgt.shape.slice(1), dtype: "int32" });
    const H = c.weights["encoder/recurrent_kernel"].shape[0];
    const E = c.weights["src_embedding/embeddings"].shape[1];
    const [enc, h, cc] = lstm({ units: H, returnSequences: true, returnState: true, name: "encoder" })
      .apply(embedding({ inputDim: c.weights["src_embedding/embeddings"].shape[0], outputDim: E, name: "src_embedding" }).apply(src)) as KerasTensor[];
    const dec = lstm({ units: H, returnSequences: true, name: "decoder" })
      .apply(embedding({ inputDim: V, outputDim: E, name: "tgt_embedding" }).apply(tgt), { initialState: [h, cc] }) as KerasTensor;
    const context = attention({ name: "attention" }).apply([dec, enc]) as KerasTensor;
    const logits = dense({ units: V, name: "logits" }).apply(concatenate({ name: "concat" }).apply([dec, context]));
    const m = model({ inputs: [src, tgt], outputs: logits, name: "seq2seq" });
    m.setWeights(Object.fromEntries(Object.entries(c.weights).map(([k, t]) => [k, tensor(t)])));
    const xs: Tensor[] = [tensor(c.src), tensor(c.tgt)];
    relErr((m.predict(xs) as Tensor).data, c.logits, "logits");
    const g = m.computeGradients(xs, tensor(c.labels), { loss: "crossEntropy" });
    assert.ok(Math.abs(g.loss - c.loss) <= TOL * c.loss, `loss ${g.loss} vs ${c.loss}`);
    assert.deepEqual(Object.keys(g.grads).sort(), Object.keys(c.grads).sort());
    for (const key of Object.keys(c.grads)) relErr(g.grads[key].data, c.grads[key], `∂L/∂${key}`);
  });
});
