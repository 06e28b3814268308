// Module.record (src/engine/record.ts recordModule): a cell written by hand with tensor ops that
// names its gates (this.record("forget", f)) is recorded like the built-in layers. Its gates must
// equal nn.LSTM's recorded gates with the same weights, and its per-step ‖∂L/∂h_t‖, ‖∂L/∂c_t‖ must
// equal PyTorch's h_t.grad / c_t.grad norms of test/fixtures/torch/recurrent_golden.json ("lstm_l1":
// an unrolled LSTM whose h_t call retain_grad(), loss = F.mse_loss(output, target); generate.py).
// Tolerance 1e-5 relative (float32 against PyTorch's float32), as torchGolden.test.ts.
import * as assert from "node:assert/strict";
import { cases, tj } from "./goldenFixtures";
import { nn, stack, tensor, zeros, type Recordable, type Tensor } from "../../../src/engine/index";
import { gatesBundleFromRecording, gradNormsBundleFromRecordings } from "../../../src/kernel/rich/index";

/** An LSTM written with tensor ops over x [T, B, I], gates named as a learner would. */
class HandLSTM extends nn.Module {
  weightIh: Tensor; weightHh: Tensor; biasIh: Tensor; biasHh: Tensor;
  constructor(readonly hidden: number, sd: Record<string, Tensor>) {
    super();
    this.weightIh = nn.Parameter(sd.weight_ih_l0);
    this.weightHh = nn.Parameter(sd.weight_hh_l0);
    this.biasIh = nn.Parameter(sd.bias_ih_l0);
    this.biasHh = nn.Parameter(sd.bias_hh_l0);
  }

  forward(x: Tensor): Tensor {
    const [T, B] = x.shape, H = this.hidden;
    let h = zeros([B, H]), c = zeros([B, H]);
    const hs: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const z = x.select(0, t).matmul(this.weightIh.transpose()).add(this.biasIh).add(h.matmul(this.weightHh.transpose())).add(this.biasHh);
      const i = z.narrow(1, 0, H).sigmoid(), f = z.narrow(1, H, H).sigmoid();
      const g = z.narrow(1, 2 * H, H).tanh(), o = z.narrow(1, 3 * H, H).sigmoid();
      c = f.mul(c).add(i.mul(g));
      h = o.mul(c.tanh());
      this.record("input", i);
      this.record("forget", f);
      this.record("candidate", g);
      this.record("output", o);
      this.record("cell", c);
      this.record("h", h);
      hs.push(h);
    }
    return stack(hs, 0);
  }
}

const golden = cases.find((c) => c.name === "lstm_l1")!;
const stateDict = (): Record<string, Tensor> => Object.fromEntries(Object.entries(golden.state_dict).map(([k, v]) => [k, tj(v)]));

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

describe("Module.record: a hand-written cell is recorded like the built-in layers", () => {
  it("its gates equal nn.LSTM's recorded gates with the same weights, for every sequence of the batch", () => {
    const hand = new HandLSTM(3, stateDict());
    const lstm = nn.LSTM(golden.config);
    lstm.loadStateDict(stateDict());
    for (const batchIndex of [0, 1]) {
      const mine = hand.record(tj(golden.x), undefined, { batchIndex });
      const theirs = lstm.record(tj(golden.x), undefined, { batchIndex });
      assert.equal(mine.layers.length, 1);
      const [a, b] = [mine.layers[0], theirs.layers[0]];
      assert.deepEqual([a.type, a.index, a.name, a.direction], ["lstm", 0, "HandLSTM", "forward"]);
      assert.deepEqual(Object.keys(a.gates), ["i", "f", "g", "o", "c", "h"]);
      for (const g of ["i", "f", "g", "o", "c", "h"] as const) {
        assert.deepEqual(a.gates[g]!.shape, b.gates[g]!.shape);
        assert.ok(relErr(a.gates[g]!.data, b.gates[g]!.data) < 1e-6, `gate ${g}`);
      }
    }
  });

  it("its ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ equal PyTorch's h_t.grad and c_t.grad norms; the loss is PyTorch's", () => {
    const hand = new HandLSTM(3, stateDict());
    const rec = hand.record(tj(golden.x), tj(golden.target));
    const norms = golden.grad_norms[0];
    assert.ok(Math.abs(rec.loss! - golden.loss) <= 1e-5 * Math.max(1, golden.loss), `loss ${rec.loss} vs ${golden.loss}`);
    assert.ok(relErr(rec.layers[0].gradNorms!.h, norms.h) <= 1e-5, `h norms ${Array.from(rec.layers[0].gradNorms!.h)} vs ${norms.h}`);
    assert.ok(relErr(rec.layers[0].gradNorms!.c!, norms.c!) <= 1e-5, "c norms");
    // The same numbers through a lossFn written with tensor ops (mean squared error).
    const viaFn = hand.record(tj(golden.x), tj(golden.target), { lossFn: (out, y) => { const d = out.sub(y); return d.mul(d).mean(); } });
    assert.ok(relErr(viaFn.layers[0].gradNorms!.h, norms.h) <= 1e-5);
  });

  it("the built-in LSTMCell in a loop records the same gates and PyTorch's norms", () => {
    class CellLoop extends nn.Module {
      cell = nn.LSTMCell(3, 3);
      forward(x: Tensor): Tensor {
        const hs: Tensor[] = [];
        let state: [Tensor, Tensor] | undefined;
        for (let t = 0; t < x.shape[0]; t++) hs.push((state = this.cell.forward(x.select(0, t), state))[0]);
        return stack(hs, 0);
      }
    }
    const m = new CellLoop();
    const sd = stateDict();
    m.cell.loadStateDict({ weight_ih: sd.weight_ih_l0, weight_hh: sd.weight_hh_l0, bias_ih: sd.bias_ih_l0, bias_hh: sd.bias_hh_l0 });
    const rec = m.record(tj(golden.x), tj(golden.target));
    assert.deepEqual([rec.layers[0].name, rec.layers[0].type], ["cell", "lstm"]);
    assert.ok(relErr(rec.layers[0].gradNorms!.h, golden.grad_norms[0].h) <= 1e-5, "h norms");
    assert.ok(relErr(rec.layers[0].gradNorms!.c!, golden.grad_norms[0].c!) <= 1e-5, "c norms");
    const hand = new HandLSTM(3, stateDict()).record(tj(golden.x));
    for (const g of ["i", "f", "g", "o", "c", "h"] as const) assert.ok(relErr(rec.layers[0].gates[g]!.data, hand.layers[0].gates[g]!.data) < 1e-6, g);
  });

  it("norms without gates (what rnn.show.gradientNorms asks) keep the cell type the gate names tell", () => {
    class MinimalGRU extends nn.Module {
      cell = nn.GRUCell(3, 3, { seed: 3 });
      forward(x: Tensor): Tensor {
        const hs: Tensor[] = [];
        let h: Tensor | undefined;
        for (let t = 0; t < x.shape[0]; t++) hs.push((h = this.cell.forward(x.select(0, t), h)));
        return stack(hs, 0);
      }
    }
    const rec = new MinimalGRU().record(tj(golden.x), tj(golden.target), { gates: false, gradNorms: true });
    assert.deepEqual([rec.layers[0].type, Object.keys(rec.layers[0].gates), rec.layers[0].gradNorms!.h.length], ["gru", [], 4]);
  });

  it("changes nothing: parameter gradients and training mode are restored", () => {
    const hand = new HandLSTM(3, stateDict());
    hand.parameters()[0].grad!.data.fill(0.5);
    hand.train();
    hand.record(tj(golden.x), tj(golden.target));
    assert.ok(hand.training);
    assert.ok(hand.parameters()[0].grad!.data.every((v) => v === 0.5));
    assert.ok(hand.parameters()[1].grad!.data.every((v) => v === 0));
  });

  it("a model of a fused nn.LSTM encoder and an LSTMCell decoder records both, the encoder's norms equal to its own record", () => {
    class Seq2Seq extends nn.Module {
      enc = nn.LSTM({ inputSize: 3, hiddenSize: 3, seed: 1 });
      dec = nn.LSTMCell(3, 3, { seed: 2 });
      forward(x: Tensor): Tensor {
        const { output, hN, cN } = this.enc.forward(x);
        let state: [Tensor, Tensor] = [hN.select(0, 0), cN!.select(0, 0)];
        const outs: Tensor[] = [];
        for (let t = 0; t < 3; t++) {
          state = this.dec.forward(output.select(0, t), state);
          outs.push(state[0]);
        }
        return stack(outs, 0);
      }
    }
    const m = new Seq2Seq();
    const x = tj(golden.x), y = tensor(Float32Array.from({ length: 3 * 2 * 3 }, (_, i) => Math.sin(i)), [3, 2, 3]);
    const rec = m.record(x, y);
    assert.deepEqual(rec.layers.map((l) => [l.index, l.name, l.type, l.gates.h!.shape]), [[0, "enc layer 0", "lstm", [4, 3]], [1, "dec", "lstm", [3, 3]]]);
    // The encoder alone, with the decoder's gradient reaching it only through its output and final state:
    // record it inside the model and compare its gates with its own record (no y: gates only).
    const own = m.enc.record(x);
    for (const g of ["i", "f", "g", "o", "c", "h"] as const) assert.deepEqual(rec.layers[0].gates[g]!.toFlatArray(), own.layers[0].gates[g]!.toFlatArray());
    assert.equal(rec.layers[0].gradNorms!.h.length, 4);
    assert.equal(rec.layers[1].gradNorms!.h.length, 3);
    assert.ok(rec.layers[1].gradNorms!.h.every((v) => v > 0));
    assert.deepEqual(m.record(x, y, { layer: 1 }).layers.map((l) => l.name), ["dec"]);
  });

  it("a forward of several inputs returning { logits, weights } records with crossEntropy over the logits", () => {
    // The shape of lesson 06's nn.Module: forward(src, decIn) → { logits, weights }; x = [src, decIn].
    class Translator extends nn.Module {
      enc = nn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 1 });
      dec = nn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 2 });
      out = nn.Linear(4, 5);
      forward(src: Tensor, decIn: Tensor) {
        const e = this.enc.forward(src);
        const d = this.dec.forward(decIn, e.hN);
        const weights = d.output.matmul(e.output.transpose([0, 2, 1])).softmax(-1);
        return { logits: this.out.forward(d.output), weights };
      }
    }
    const src = tensor(Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.cos(i)), [2, 4, 3]);
    const decIn = tensor(Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => Math.sin(i)), [2, 3, 3]);
    const rec = new Translator().record([src, decIn], tensor([[1, 2, 3], [4, 0, 1]]), { loss: "crossEntropy" });
    assert.deepEqual(rec.layers.map((l) => [l.name, l.type, l.gradNorms!.h.length]), [["enc layer 0", "gru", 4], ["dec layer 0", "gru", 3]]);
    assert.ok(rec.loss! > 0 && rec.layers[0].gradNorms!.h.every((v) => v > 0));
  });

  it("rnn.show.gates and gradientNorms draw the recording (the kernel's view of the contract)", () => {
    const hand: Recordable = new HandLSTM(3, stateDict()); // what rnn.show.gates(model, …) takes, as a type
    const bundle = gatesBundleFromRecording(hand.record(tj(golden.x)), { model: "HandLSTM" }, 1 << 20);
    assert.ok(bundle["image/png"]);
    assert.match(String(bundle["text/plain"]), /gates i, f, g, o, c, h/);
    const norms = gradNormsBundleFromRecordings([{ model: "hand", rec: hand.record(tj(golden.x), tj(golden.target), { gates: false, gradNorms: true }) }], {}, 1 << 20);
    assert.match(JSON.stringify(norms), /hand · LSTM · ‖∂L\/∂h_t‖/);
  });

  it("names that are no gate, and record outside forward's recording, are told apart", () => {
    class Odd extends nn.Module {
      forward(x: Tensor): Tensor {
        this.record("peephole", x);
        return x;
      }
    }
    assert.throws(() => new Odd().record(tensor([[1, 2]])), /record: "peephole" \(recorded by Odd\) is not a gate rnn\.show\.gates can draw; use one of i, f, g, o, c, h, r, z, n or input, forget/);
    class Mixed extends nn.Module {
      forward(x: Tensor): Tensor {
        this.record("forget", x);
        this.record("update", x);
        return x;
      }
    }
    assert.throws(() => new Mixed().record(tensor([[1, 2]])), /record: Mixed recorded LSTM gates \(f\) and GRU gates \(z\); rnn\.show\.gates draws one cell type per module/);
    const hand = new HandLSTM(3, stateDict());
    hand.forward(tj(golden.x)); // outside a recording: record() keeps nothing and costs nothing
    assert.throws(() => hand.record(tj(golden.x), tj(golden.target), { tbptt: 2 }), /tbptt applies to the built-in layers/);
  });
});
