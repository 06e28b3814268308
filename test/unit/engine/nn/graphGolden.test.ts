// An encoder–decoder through the autograd graph against PyTorch 1.13
// (test/fixtures/torch/graph_golden.json, written by generate_graph.py beside it):
//   _, state = enc(src); out, _ = dec(tgt_in, state); loss = F.mse_loss(head(out), target)
// The loss and the gradient of every parameter, of src and of tgt_in must match within 1e-5
// relative, measured as |ours − torch| ≤ 1e-5 · max(1, |torch|) (relative above 1, absolute below,
// where float32 rounding of small gradients dominates). The decoder is run twice: on the whole
// target sequence, and step by step with its state fed back (one module, several calls in one graph).
// Then 5 Adam steps of an nn.LSTM + nn.Linear Module (the "training" case): every loss and every
// final parameter, same tolerance.
import * as assert from "node:assert/strict";
import golden from "../../../fixtures/torch/graph_golden.json";
import { cat, nn, optim, tensor, type Tensor } from "../../../../src/engine/index";

interface TJ { shape: number[]; data: number[] }
interface Seq2SeqCase {
  name: string; kind: "LSTM" | "GRU";
  enc: { inputSize: number; hiddenSize: number; numLayers?: number; batchFirst?: boolean };
  dec: { inputSize: number; hiddenSize: number; numLayers?: number; batchFirst?: boolean };
  head: [number, number];
  src: TJ; tgt_in: TJ; target: TJ; state_dict: Record<string, TJ>; loss: number; grads: Record<string, TJ>;
}
const cases = (golden as unknown as { seq2seq: Seq2SeqCase[] }).seq2seq;
const leafOf = (t: TJ): Tensor => tensor(Float32Array.from(t.data), t.shape, { requiresGrad: true });

/** max over entries of |a − b| / max(1, |b|). */
function relErr(a: Tensor, b: TJ, what: string): number {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  let m = 0;
  for (let i = 0; i < b.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]) / Math.max(1, Math.abs(b.data[i])));
  return m;
}

function build(c: Seq2SeqCase) {
  const enc = nn[c.kind](c.enc), dec = nn[c.kind](c.dec);
  const sub = (prefix: string): Record<string, TJ> => Object.fromEntries(Object.entries(c.state_dict)
    .filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  enc.loadStateDict(Object.fromEntries(Object.entries(sub("enc.")).map(([k, v]) => [k, tensor(v.data, v.shape)])));
  dec.loadStateDict(Object.fromEntries(Object.entries(sub("dec.")).map(([k, v]) => [k, tensor(v.data, v.shape)])));
  const weight = leafOf(c.state_dict["head.weight"]), bias = leafOf(c.state_dict["head.bias"]);
  return { enc, dec, weight, bias };
}

describe(`an encoder–decoder through the graph against PyTorch ${(golden as { torch: string }).torch} (float32, ≤ 1e-5 relative)`, () => {
  for (const c of cases) {
    for (const decoding of ["whole", "stepwise"] as const) {
      it(`${c.name} (${c.kind}), decoder ${decoding === "whole" ? "over the whole target" : "called step by step"}: loss and every gradient`, () => {
        const { enc, dec, weight, bias } = build(c);
        const src = leafOf(c.src), tgtIn = leafOf(c.tgt_in), target = tensor(c.target.data, c.target.shape);
        const e = enc.forward(src);
        const state = c.kind === "LSTM" ? [e.hN, e.cN!] as [Tensor, Tensor] : e.hN;
        let out: Tensor;
        if (decoding === "whole") out = dec.forward(tgtIn, state).output;
        else {
          const timeAxis = c.dec.batchFirst ? 1 : 0;
          const outs: Tensor[] = [];
          let s: Tensor | [Tensor, Tensor] = state;
          for (let t = 0; t < tgtIn.shape[timeAxis]; t++) {
            const r = dec.forward(tgtIn.narrow(timeAxis, t, 1), s);
            outs.push(r.output);
            s = c.kind === "LSTM" ? [r.hN, r.cN!] : r.hN;
          }
          out = cat(outs, timeAxis);
        }
        const d = out.matmul(weight.transpose()).add(bias).sub(target);
        const loss = d.mul(d).mean();
        loss.backward();
        assert.ok(Math.abs(loss.item() - c.loss) <= 1e-5 * Math.max(1, Math.abs(c.loss)), `loss ${loss.item()} vs ${c.loss}`);
        const ours: Record<string, Tensor> = { src: src.grad!, tgt_in: tgtIn.grad!, "head.weight": weight.grad!, "head.bias": bias.grad! };
        for (const [k, t] of enc.namedParameters()) ours[`enc.${k}`] = t.grad!;
        for (const [k, t] of dec.namedParameters()) ours[`dec.${k}`] = t.grad!;
        assert.deepEqual(Object.keys(ours).sort(), Object.keys(c.grads).sort());
        for (const [k, g] of Object.entries(c.grads)) {
          const err = relErr(ours[k], g, k);
          assert.ok(err <= 1e-5, `${k}: gradient off by ${err}`);
        }
      });
    }
  }
});

interface TrainingCase { initial: Record<string, TJ>; x: TJ; y: TJ; lr: number; losses: number[]; final: Record<string, TJ> }
const training = (golden as unknown as { training: TrainingCase }).training;

describe("training an nn.LSTM through the graph with rnn.optim.Adam against PyTorch (5 steps, float32, ≤ 1e-5 relative)", () => {
  it("every step's loss and every final parameter", () => {
    class Model extends nn.Module {
      lstm = nn.LSTM({ inputSize: 3, hiddenSize: 6, batchFirst: true });
      head = nn.Linear(6, 2);
      forward(x: Tensor): Tensor {
        return this.head.forward(this.lstm.forward(x).output.select(1, -1));
      }
    }
    const model = new Model();
    model.loadStateDict(Object.fromEntries(Object.entries(training.initial).map(([k, v]) => [k, tensor(v.data, v.shape)])));
    const x = tensor(training.x.data, training.x.shape), y = tensor(training.y.data, training.y.shape);
    const opt = optim.Adam(model.parameters(), { lr: training.lr });
    training.losses.forEach((expected, step) => {
      opt.zeroGrad();
      const loss = nn.functional.mseLoss(model.forward(x), y);
      assert.ok(Math.abs(loss.item() - expected) <= 1e-5 * Math.max(1, expected), `step ${step}: loss ${loss.item()} vs ${expected}`);
      loss.backward();
      opt.step();
    });
    for (const [k, t] of model.namedParameters()) {
      const err = relErr(t, training.final[k], k);
      assert.ok(err <= 1e-5, `${k}: off by ${err} after 5 steps`);
    }
    assert.equal(model.lstm.lanesBuilt, 1, "one lane for the whole loop");
  });
});
