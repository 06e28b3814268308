// rnn.nn.functional (src/engine/nn/functional.ts) and the autograd-aware nn.Linear / nn.Embedding /
// nn.Dropout. Golden values: PyTorch 1.13, written by test/fixtures/nn/generate.py into
// module_golden.json ("layers", "losses"); float32 outputs and gradients must match within 1e-5
// relative, measured as |ours − torch| ≤ 1e-5 · max(1, |torch|) (absolute below 1, where a pure ratio
// would only measure float32 rounding near 0). Gradient checks in float64: check.ts (< 1e-6).
import * as assert from "node:assert/strict";
import golden from "../../../fixtures/nn/module_golden.json";
import { nn, noGrad, Tensor, tensor } from "../../../../src/engine/index";
import { checkGradients, leaf } from "../autograd/check";

interface TJ { shape: number[]; data: number[] }
interface LayerCase {
  name: string; kind: "linear" | "embedding"; state_dict: Record<string, TJ>; x?: TJ; ids?: TJ; weight: TJ;
  output: TJ; dx?: TJ; grads: Record<string, TJ>;
}
interface LossCase {
  name: string; fn: "crossEntropy" | "mseLoss"; options: { ignoreIndex?: number | null; reduction?: "mean" | "sum" | "none" | null };
  input: TJ; target: TJ; weight: TJ; output: TJ; grad: TJ;
}
const fixture = golden as unknown as { layers: LayerCase[]; losses: LossCase[] };
const F = nn.F;

const tj = (t: TJ, requiresGrad = false): Tensor => tensor(Float32Array.from(t.data), t.shape, { requiresGrad });

function close(what: string, ours: Tensor | null, torch: TJ): void {
  assert.ok(ours, `${what}: no tensor`);
  assert.deepEqual(ours.shape, torch.shape, `${what}: shape`);
  ours.data.forEach((v, i) => {
    const want = torch.data[i];
    assert.ok(Math.abs(v - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${what}[${i}]: ${v} vs PyTorch ${want}`);
  });
}

describe("nn.Linear / nn.Embedding through the graph vs PyTorch 1.13", () => {
  for (const c of fixture.layers) {
    it(c.name, () => {
      const sd = Object.fromEntries(Object.entries(c.state_dict).map(([k, v]) => [k, tj(v)]));
      const m = c.kind === "linear" ? nn.Linear(sd.weight.shape[1], sd.weight.shape[0], { bias: "bias" in sd }) : nn.Embedding(sd.weight.shape[0], sd.weight.shape[1]);
      m.loadStateDict(sd);
      const x = c.x ? tj(c.x, true) : tj(c.ids!);
      const y = m.forward(x);
      assert.equal(y.requiresGrad, true); // the parameters require grad, so the result does
      close("output", y, c.output);
      y.mul(tj(c.weight)).sum().backward();
      for (const [name, p] of m.namedParameters()) close(`d/d ${name}`, p.grad, c.grads[name]);
      if (c.dx) close("dx", x.grad, c.dx);
    });
  }

  it("the manual backward after a graph forward gives the same gradients as loss.backward()", () => {
    // Same forward, two ways back: dy = w through the manual pair, then through the graph; Param.grad
    // and the leaves' .grad are one buffer, so the second pass must exactly double the first.
    const lin = nn.Linear(3, 2, { seed: 3 });
    const x = tensor([[0.5, -1, 2], [1, 1, -0.5]]);
    const w = tensor([[1, -2], [0.5, 3]]);
    lin.forward(x);
    lin.backward(w);
    const manual = Array.from(lin.params()[0].grad);
    lin.forward(x).mul(w).sum().backward();
    assert.deepEqual(Array.from(lin.parameters()[0].grad!.data), manual.map((v) => 2 * v));
  });

  it("float64 gradient checks: linear (input, weight, bias) and embedding (weight)", () => {
    checkGradients("linear", (x, w, b) => F.linear(x, w, b), [leaf([2, 3, 4], 1), leaf([5, 4], 2), leaf([5], 3)]);
    checkGradients("linear without bias", (x, w) => F.linear(x, w), [leaf([3, 4], 4), leaf([2, 4], 5)]);
    const ids = tensor([[0, 3, 3], [2, 0, 1]]);
    checkGradients("embedding", (w) => F.embedding(ids, w), [leaf([4, 3], 6)]);
  });

  it("a float32 input to a float64 Linear is converted inside the graph (its gradient still arrives)", () => {
    const lin = nn.Linear(2, 1, { seed: 1, dtype: "float64" });
    const x = tensor([[1, 2]], { requiresGrad: true });
    lin.forward(x).sum().backward();
    // ∂Σ(x·wᵀ + b)/∂x = w
    assert.deepEqual(Array.from(x.grad!.data), Array.from(lin.parameters()[0].data, (v) => Math.fround(v)));
  });

  it("inside noGrad the result is outside any graph", () => {
    const y = noGrad(() => nn.Linear(2, 2, { seed: 1 }).forward(tensor([[1, 2]])));
    assert.equal(y.requiresGrad, false);
  });

  it("bad inputs name the layer and the shapes", () => {
    assert.throws(() => nn.Linear(3, 2, { name: "fc" }).forward(tensor([[1, 2]])), /fc \(Linear\(in_features=3, out_features=2, bias=True\)\): expected input of shape \[\.\.\., 3\] but got \[1, 2\]/);
    assert.throws(() => nn.Embedding(4, 2, { name: "emb" }).forward(tensor([1, 4])), /emb \(Embedding\(4, 2\)\): index 4 at position 1 is not an integer in \[0, 4\)/);
    assert.throws(() => F.linear(tensor([1, 2]), tensor([[1, 2, 3]])), /linear: input \(2,\) does not match weight \(1, 3\)/);
  });
});

describe("nn.functional losses vs PyTorch 1.13", () => {
  for (const c of fixture.losses) {
    it(c.name, () => {
      const x = tj(c.input, true);
      const options = Object.fromEntries(Object.entries(c.options).filter(([, v]) => v !== null));
      const out = c.fn === "crossEntropy" ? F.crossEntropy(x, tj(c.target), options) : F.mseLoss(x, tj(c.target), options);
      close("loss", out, c.output);
      out.mul(tj(c.weight)).sum().backward();
      close("d loss / d input", x.grad, c.grad);
    });
  }

  it("float64 gradient checks: crossEntropy (each reduction, class axis 1, ignoreIndex) and mseLoss", () => {
    const t = tensor([2, 0, 1, 2]);
    for (const reduction of ["mean", "sum", "none"] as const) {
      checkGradients(`crossEntropy ${reduction}`, (x) => F.crossEntropy(x, t, { reduction }), [leaf([4, 3], 10)]);
    }
    checkGradients("crossEntropy [N, C, d] with ignoreIndex", (x) => F.crossEntropy(x, tensor([[0, 3], [1, 1]]), { ignoreIndex: 3 }), [leaf([2, 4, 2], 11)]);
    checkGradients("crossEntropy unbatched", (x) => F.crossEntropy(x, tensor(1)), [leaf([3], 12)]);
    checkGradients("mseLoss (input and target)", (a, b) => F.mseLoss(a, b), [leaf([2, 3], 13), leaf([2, 3], 14)]);
  });

  it("mseLoss (one graph op) gives the numbers of (input − target)² then mean / sum as tensor ops, bit for bit", () => {
    // The reference is the definition written with the tensor ops; float32, so every rounding shows.
    const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * (i + 1)) * (1 + i % 3));
    for (const reduction of ["mean", "sum"] as const) {
      for (const shape of [[7], [4, 3], [1]]) {
        const n = shape.reduce((p, d) => p * d, 1);
        const run = (fused: boolean): number[][] => {
          const x = tensor(values(n, 1.3), shape, { requiresGrad: true }), t = tensor(values(n, 2.9), shape, { requiresGrad: true });
          const d = x.sub(t);
          const loss = fused ? F.mseLoss(x, t, { reduction }) : reduction === "sum" ? d.mul(d).sum() : d.mul(d).mean();
          loss.backward(tensor(0.75)); // a gradient that is not 1, so its scaling is compared too
          return [[loss.item()], Array.from(x.grad!.data), Array.from(t.grad!.data)];
        };
        assert.deepEqual(run(true), run(false), `${reduction} ${shape.join("×")}`);
      }
    }
  });

  it("every target ignored: mean is NaN and the gradient zero (PyTorch's 0/0)", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const loss = F.crossEntropy(x, tensor([-100, -100]));
    assert.ok(Number.isNaN(loss.item()));
    loss.backward();
    assert.deepEqual(Array.from(x.grad!.data), [0, 0, 0, 0]);
  });

  it("bad targets and shapes say what was expected", () => {
    assert.throws(() => F.crossEntropy(tensor([[1, 2]]), tensor([2])), /crossEntropy: target 2 at position 0 is not a class index in \[0, 2\)/);
    assert.throws(() => F.crossEntropy(tensor([[1, 2], [3, 4]]), tensor([[1], [0]])), /crossEntropy: logits \(2, 2\) need class-index targets of shape \(2,\).*got \(2, 1\)/);
    assert.throws(() => F.mseLoss(tensor([1, 2]), tensor([[1, 2]])), /mseLoss: input \(2,\) and target \(1, 2\) must have the same shape/);
    assert.throws(() => F.mseLoss(tensor([1]), tensor([1]), { reduction: "avg" as "mean" }), /reduction must be "mean", "sum" or "none"/);
  });

  it("softmax / logSoftmax are the tensor ops", () => {
    const x = tensor([[1, 2, 3]]);
    assert.deepEqual(F.softmax(x, 1).data, x.softmax(1).data);
    assert.deepEqual(F.logSoftmax(x, -1).data, x.logSoftmax(-1).data);
  });
});

describe("dropout", () => {
  it("zeroes about p of the elements and scales the rest by 1/(1 − p); eval passes the input through", () => {
    const x = tensor(new Float32Array(10000).fill(1), [100, 100], { requiresGrad: true });
    const drop = nn.Dropout(0.25, { seed: 7 });
    const y = drop.forward(x);
    const kept = Array.from(y.data).filter((v) => v !== 0);
    // 10,000 Bernoulli(0.75) draws: the kept count has σ = √(10000·0.75·0.25) ≈ 43; 5σ ≈ 220.
    assert.ok(Math.abs(kept.length - 7500) < 220, `kept ${kept.length}`);
    assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6));
    y.sum().backward(); // the gradient is the same mask
    assert.deepEqual(Array.from(x.grad!.data), Array.from(y.data));
    assert.equal(drop.eval().forward(x), x);
    assert.equal(String(drop), "Dropout(p=0.25, inplace=False)"); // PyTorch's repr of nn.Dropout(0.25)
    assert.equal(F.dropout(x, 0.5, false), x);
    assert.deepEqual(Array.from(F.dropout(x, 1).data.slice(0, 3)), [0, 0, 0]);
    assert.throws(() => nn.Dropout(1.5), /rnn\.nn\.Dropout: probability p must be in \[0, 1\], got 1\.5/);
  });

  it("a seeded Dropout gives the same masks on a rerun", () => {
    const x = tensor(new Float32Array(64).fill(1), [64]);
    assert.deepEqual(nn.Dropout(0.5, { seed: 3 }).forward(x).data, nn.Dropout(0.5, { seed: 3 }).forward(x).data);
  });
});
