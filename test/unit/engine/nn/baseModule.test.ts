// rnn.nn.Module (src/engine/nn/baseModule.ts) and the Param ↔ Tensor bridge (nn/parameter.ts).
// Names, shapes, module names, count and repr of a nested model are PyTorch 1.13's, written by
// test/fixtures/nn/generate.py into module_golden.json (the classes below mirror its Seq2Seq).
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import golden from "../../../fixtures/nn/module_golden.json";
import { nn, Tensor, tensor } from "../../../../src/engine/index";
import { paramTensor } from "../../../../src/engine/nn/parameter";

const structure = (golden as unknown as { structure: {
  named_parameters: [string, number[]][]; state_dict_keys: string[]; named_modules: string[];
  children: string[]; count: number; repr: string;
} }).structure;

const ones = (n: number): Tensor => new Tensor(new Float32Array(n).fill(1), [n]);

class Head extends nn.Module {
  proj: nn.TorchLinear;
  scale: Tensor;
  constructor(seed: number) {
    super();
    this.proj = nn.Linear(16, 3, { seed });
    this.scale = nn.Parameter(ones(3));
  }
}

class Seq2Seq extends nn.Module {
  emb: nn.TorchEmbedding;
  enc: nn.TorchRecurrent;
  w: Tensor;
  heads: nn.ModuleList;
  dec: nn.TorchRecurrent;
  steps = 3;
  constructor(seed: number) {
    super();
    this.emb = nn.Embedding(10, 4, { seed });
    this.enc = nn.LSTM({ inputSize: 4, hiddenSize: 8, numLayers: 2, bidirectional: true, seed: seed + 1 });
    this.w = nn.Parameter(tensor(Array.from({ length: 256 }, (_, i) => Math.sin(seed + i)), [16, 16]));
    this.heads = nn.ModuleList([new Head(seed + 2), new Head(seed + 3)]);
    this.dec = nn.GRU({ inputSize: 4, hiddenSize: 16, bias: false, seed: seed + 4 });
  }
}

describe("nn.Module: registration and names as PyTorch's", () => {
  it("namedParameters gives PyTorch's names, shapes and order for a nested model", () => {
    const m = new Seq2Seq(1);
    assert.deepEqual(m.namedParameters().map(([n, t]) => [n, t.shape]), structure.named_parameters);
    assert.deepEqual(Object.keys(m.stateDict()), structure.state_dict_keys);
    assert.deepEqual(m.namedModules().map(([n]) => n), structure.named_modules);
    assert.deepEqual(m.namedChildren().map(([n]) => n), structure.children);
    assert.equal(m.countParams(), structure.count);
    assert.equal(m.parameters().length, structure.named_parameters.length);
  });

  it("toString is PyTorch's repr, and Node's inspect (a cell's displayed result) shows it too", () => {
    assert.equal(String(new Seq2Seq(1)), structure.repr);
    assert.equal(inspect(new Seq2Seq(1)), structure.repr);
    assert.equal(inspect({ model: nn.Linear(2, 3) }), "{ model: Linear(in_features=2, out_features=3, bias=True) }");
  });

  it("registers in assignment order; reassigning keeps the place; arrays name entries like ModuleList", () => {
    class M extends nn.Module {
      b: Tensor; a: nn.TorchLinear; list: nn.TorchLinear[]; b2?: Tensor;
      constructor() {
        super();
        this.b = nn.Parameter(ones(2));
        this.a = nn.Linear(2, 2, { seed: 1 });
        this.list = [nn.Linear(2, 1, { seed: 2 }), nn.Linear(1, 1, { bias: false, seed: 3 })];
        this.b = nn.Parameter(ones(3)); // PyTorch: replacing a registered parameter keeps its slot
        this.b2 = tensor([1, 2]); // a plain tensor is not a parameter (PyTorch ignores it too)
      }
    }
    const m = new M();
    assert.deepEqual(m.namedParameters().map(([n, t]) => `${n}[${t.shape}]`),
      ["b[3]", "a.weight[2,2]", "a.bias[2]", "list.0.weight[1,2]", "list.0.bias[1]", "list.1.weight[1,1]"]);
  });

  it("a parameter or module reachable twice is listed once, under its first name", () => {
    class Tied extends nn.Module {
      a = nn.Linear(3, 3, { seed: 1 });
      b = this.a;
    }
    const m = new Tied();
    assert.deepEqual(m.namedParameters().map(([n]) => n), ["a.weight", "a.bias"]);
    assert.deepEqual(m.namedModules().map(([n]) => n), ["", "a"]);
  });

  it("train()/eval() set training on the whole tree and return the module", () => {
    const m = new Seq2Seq(1);
    assert.equal(m.eval(), m);
    assert.deepEqual(m.modules().map((x) => x.training), m.modules().map(() => false));
    m.train();
    assert.ok(m.modules().every((x) => x.training));
    assert.equal(m.enc.training, true);
  });

  it("forward left undefined says how a Module is called", () => {
    class Empty extends nn.Module {}
    assert.throws(() => new Empty().forward(1), /Empty: forward is not defined .*model\.forward\(x\)/);
  });
});

describe("nn.Module: the Param ↔ Tensor bridge", () => {
  it("one persistent leaf per Param, sharing value and grad storage", () => {
    const lin = nn.Linear(3, 2, { seed: 5 });
    const [p] = lin.params();
    const t = paramTensor(p);
    assert.equal(paramTensor(p), t);
    assert.equal(lin.parameters()[0], t);
    assert.equal(t.data, p.value);
    assert.equal(t.requiresGrad, true);
    assert.equal(t.isLeaf, true);
    assert.equal(t.grad!.data.buffer, p.grad.buffer);
    assert.deepEqual(Array.from(t.grad!.data), [0, 0, 0, 0, 0, 0]); // starts as zeros, not null
    p.trainable = false;
    assert.equal(t.requiresGrad, false);
    t.requiresGrad = true; // PyTorch's way of (un)freezing sets the layer's flag too
    assert.equal(p.trainable, true);
    assert.equal(lin.parameters()[0].requiresGrad, true);
  });

  it("graph backward and the manual backward accumulate into the same buffer; zeroGrad zeroes both", () => {
    const lin = nn.Linear(3, 2, { seed: 5 });
    const [W, b] = lin.parameters();
    const x = tensor([[1, 2, 3], [-1, 0.5, 2]]);
    // Graph: L = Σ (x·Wᵀ + b) ⇒ ∂L/∂W[o, i] = Σ_n x[n, i] = [0, 2.5, 5] per row, ∂L/∂b[o] = N = 2.
    x.matmul(W.transpose()).add(b).sum().backward();
    assert.deepEqual(Array.from(W.grad!.data), [0, 2.5, 5, 0, 2.5, 5]);
    // The manual pair with dy = ones adds the same gradient again into Param.grad.
    lin.forward(x);
    lin.backward(new Tensor(new Float32Array(4).fill(1), [2, 2]));
    assert.deepEqual(Array.from(lin.params()[0].grad), [0, 5, 10, 0, 5, 10]);
    assert.deepEqual(Array.from(b.grad!.data), [4, 4]);
    lin.zeroGrad();
    assert.deepEqual(Array.from(W.grad!.data), [0, 0, 0, 0, 0, 0]);
    lin.params()[1].grad[0] = 7;
    assert.equal(b.grad!.data[0], 7);
    b.grad = null; // PyTorch's p.grad = None: here it zeroes the shared buffer
    assert.deepEqual(Array.from(lin.params()[1].grad), [0, 0]);
    assert.throws(() => { b.grad = tensor([1, 2, 3]); }, /gradient must be a tensor of shape \[2\] but got \[3\]/);
  });

  it("float64 parameters get float64 gradients through the graph", () => {
    const lin = nn.Linear(2, 1, { seed: 5, dtype: "float64" });
    const [W] = lin.parameters();
    W.mul(W).sum().backward(); // ∂Σw²/∂w = 2w
    assert.ok(W.grad!.data instanceof Float64Array);
    assert.deepEqual(Array.from(W.grad!.data), Array.from(W.data, (v) => 2 * v));
  });

  it("Parameter(t) is a new leaf over t's values with a zero gradient", () => {
    const t = tensor([1, 2]);
    const p = nn.Parameter(t);
    assert.notEqual(p, t);
    assert.equal(p.data, t.data);
    assert.equal(p.requiresGrad, true);
    assert.deepEqual(Array.from(p.grad!.data), [0, 0]);
    assert.equal(nn.Parameter(t, false).requiresGrad, false);
    assert.throws(() => nn.Parameter([1, 2] as unknown as Tensor), /rnn\.nn\.Parameter: expected a tensor/);
  });
});

describe("nn.Module: stateDict / loadStateDict", () => {
  it("round trip: a state dict loaded into another seed's model gives the same values and outputs", () => {
    const a = new Seq2Seq(1), b = new Seq2Seq(100);
    const x = tensor([[[0.1, -0.2, 0.3, 0.4]], [[0.5, 0.1, -0.6, 0.2]]]); // [T=2, B=1, I=4]
    assert.notDeepEqual(Array.from(b.enc.forward(x).output.data), Array.from(a.enc.forward(x).output.data));
    const sd = a.stateDict();
    sd.w.data[0] += 1; // a copy: writing it leaves the model alone
    assert.notEqual(a.w.data[0], sd.w.data[0]);
    sd.w.data[0] -= 1;
    assert.deepEqual(b.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] });
    for (const [name, t] of Object.entries(b.stateDict())) assert.deepEqual(Array.from(t.data), Array.from(sd[name].data), name);
    assert.deepEqual(Array.from(b.enc.forward(x).output.data), Array.from(a.enc.forward(x).output.data));
  });

  it("is all or nothing: a bad shape late in the dict leaves every parameter as it was", () => {
    const a = new Seq2Seq(1), b = new Seq2Seq(100);
    const before = b.stateDict();
    const sd = a.stateDict();
    sd["dec.weight_hh_l0"] = tensor([[1, 2]]); // the last key: everything before it would have been written
    assert.throws(() => b.loadStateDict(sd), /Seq2Seq: loadStateDict: dec\.weight_hh_l0 must have shape \[48, 16\] but got \[1, 2\]/);
    for (const [name, t] of Object.entries(b.stateDict())) assert.deepEqual(Array.from(t.data), Array.from(before[name].data), name);
  });

  it("strict checks keys; strict: false reports missing and unexpected keys and loads the rest", () => {
    const m = new Head(1);
    assert.throws(() => m.loadStateDict({ scale: [1, 2, 3], extra: [1] }),
      /Head: loadStateDict: missing keys proj\.weight, proj\.bias; unexpected keys extra/);
    assert.deepEqual(m.loadStateDict({ scale: [4, 5, 6], extra: [1] }, { strict: false }),
      { missingKeys: ["proj.weight", "proj.bias"], unexpectedKeys: ["extra"] });
    assert.deepEqual(Array.from(m.scale.data), [4, 5, 6]);
    assert.throws(() => m.loadStateDict(null as unknown as Record<string, Tensor>), /Head: loadStateDict expects an object of name → tensor/);
  });

  it("setWeights (Keras order) is all or nothing too", () => {
    const lstm = nn.LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const before = lstm.getWeights();
    const values = before.map((t) => t.mul(2));
    values[3] = tensor([1]); // bias_hh_l0, the last one
    assert.throws(() => lstm.setWeights(values), /weight bias_hh_l0 has shape \[12\] but got \[1\]/);
    lstm.getWeights().forEach((t, i) => assert.deepEqual(t.data, before[i].data));
  });

  it("an nn layer keeps its state-dict names and messages", () => {
    const lstm = nn.LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
    assert.deepEqual(Object.keys(lstm.stateDict()), ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]);
    assert.throws(() => lstm.loadStateDict({ ...lstm.stateDict(), bias_hh_l0: [1] }),
      /LSTM\(2, 3\): loadStateDict: bias_hh_l0 must have shape \[12\] but got \[1\]/);
    assert.equal(lstm.countParams(), 4 * 3 * (2 + 3 + 2)); // PyTorch: 4H·(I + H + 2)
  });
});

describe("nn.Module: summary", () => {
  it("has a row per built-in layer and per module holding parameters itself; the total is countParams", () => {
    const m = new Seq2Seq(1);
    const s = m.summary();
    // The built-in layers' rows carry their own counts (PyTorch convention): Embedding V·E = 10·4 = 40;
    // GRU without bias 3H·(I + H) = 48·(4 + 16) = 960; the LSTM's row is its own summary's total.
    const rows = Object.fromEntries(s.layers.map((l) => [l.name, l]));
    assert.deepEqual(s.layers.map((l) => l.name), ["(parameters)", "emb", "enc", "heads.0", "heads.0.proj", "heads.1", "heads.1.proj", "dec"]);
    assert.equal(rows.emb.params, 40);
    assert.equal(rows.dec.params, 960);
    assert.equal(rows.enc.params, m.enc.countParams());
    assert.equal(rows["(parameters)"].params, 256); // w [16, 16]
    assert.equal(rows["heads.0"].params, 3); // Head's own scale [3]; its Linear is its own row
    assert.equal(rows["heads.0.proj"].params, 16 * 3 + 3);
    assert.equal(s.totalParams, m.countParams());
    assert.equal(s.convention, "torch");
    assert.match(String(s), /Total params: /);
  });
});
