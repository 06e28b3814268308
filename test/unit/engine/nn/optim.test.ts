// rnn.optim.SGD / Adam / RMSprop and rnn.nn.utils.clipGradNorm_ (src/engine/nn/optim.ts, utils.ts)
// against PyTorch 1.13: 10 steps of each optimizer on a small Module (test/fixtures/nn/generate.py,
// "training": the same initial state dict and batch; the loss before every step, the norms
// clip_grad_norm_ returned and the final parameters). Tolerance: |ours − torch| ≤ 1e-5 · max(1, |torch|).
import * as assert from "node:assert/strict";
import golden from "../../../fixtures/nn/module_golden.json";
import { nn, optim, Tensor, tensor } from "../../../../src/engine/index";

interface TJ { shape: number[]; data: number[] }
interface TrainCase {
  name: string; optimizer: "SGD" | "Adam" | "RMSprop"; options: Record<string, unknown>; clip: number | null;
  model: "mlp" | "embed"; x: TJ; y: TJ; init: Record<string, TJ>; losses: number[]; norms: number[]; final: Record<string, TJ>;
}
const cases = (golden as unknown as { training: TrainCase[] }).training;
const F = nn.F;
const tj = (t: TJ): Tensor => tensor(Float32Array.from(t.data), t.shape);
const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));

/** The fixture's MLP: Linear(3, 5) → tanh → Linear(5, 4). */
class MLP extends nn.Module {
  fc1 = nn.Linear(3, 5);
  fc2 = nn.Linear(5, 4);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.fc1.forward(x).tanh());
  }
}

/** The fixture's EmbedLinear: Embedding(7, 4) → Linear(4, 7). */
class EmbedLinear extends nn.Module {
  emb = nn.Embedding(7, 4);
  out = nn.Linear(4, 7);
  forward(ids: Tensor): Tensor {
    return this.out.forward(this.emb.forward(ids));
  }
}

function makeOptimizer(c: TrainCase, params: Tensor[]): optim.TorchOptimizer {
  if (c.optimizer === "SGD") return optim.SGD(params, c.options as unknown as optim.TorchSgdOptions);
  if (c.optimizer === "Adam") return optim.Adam(params, c.options as optim.TorchAdamOptions);
  return optim.RMSprop(params, c.options as optim.TorchRmspropOptions);
}

describe("rnn.optim: 10 steps vs PyTorch 1.13", () => {
  for (const c of cases) {
    it(c.name, () => {
      const m = c.model === "mlp" ? new MLP() : new EmbedLinear();
      m.loadStateDict(Object.fromEntries(Object.entries(c.init).map(([k, v]) => [k, tj(v)])));
      const opt = makeOptimizer(c, m.parameters());
      const x = tj(c.x), y = tj(c.y);
      const losses: number[] = [], norms: number[] = [];
      for (let step = 0; step < 10; step++) {
        opt.zeroGrad();
        const loss = F.crossEntropy(m.forward(x), y);
        loss.backward();
        if (c.clip !== null) norms.push(nn.utils.clipGradNorm_(m.parameters(), c.clip));
        opt.step();
        losses.push(loss.item());
      }
      losses.forEach((l, i) => assert.ok(near(l, c.losses[i]), `loss before step ${i + 1}: ${l} vs PyTorch ${c.losses[i]}`));
      norms.forEach((n, i) => assert.ok(near(n, c.norms[i]), `norm at step ${i + 1}: ${n} vs PyTorch ${c.norms[i]}`));
      assert.equal(opt.steps, 10);
      for (const [name, t] of Object.entries(m.stateDict())) {
        t.data.forEach((v, i) => assert.ok(near(v, c.final[name].data[i]), `${name}[${i}]: ${v} vs PyTorch ${c.final[name].data[i]}`));
      }
    });
  }

  it("the clipping cases clip on some steps and not on others, so both branches are tested", () => {
    for (const c of cases.filter((k) => k.clip !== null)) assert.ok(c.norms.some((n) => n > c.clip!) && c.norms.some((n) => n < c.clip!), c.name);
  });
});

describe("rnn.optim: bad input", () => {
  it("no parameters: an empty array, a Module with none, or something that is not tensors", () => {
    class Empty extends nn.Module {}
    assert.throws(() => optim.Adam([]), /rnn\.optim\.Adam: got no parameters to optimize; pass model\.parameters\(\)/);
    assert.throws(() => optim.SGD(new Empty(), { lr: 0.1 }), /rnn\.optim\.SGD: got no parameters to optimize \(Empty has none registered: assign modules and rnn\.nn\.Parameter/);
    assert.throws(() => optim.RMSprop([1, 2] as unknown as Tensor[]), /rnn\.optim\.RMSprop: parameter 0 is not a tensor \(got number\)/);
    assert.throws(() => optim.Adam(undefined as unknown as Tensor[]), /rnn\.optim\.Adam: expected parameters/);
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => optim.Adam([w.mul(2)]), /can't optimize parameter 0, a tensor computed by other ops/);
    assert.throws(() => optim.SGD([w], {} as optim.TorchSgdOptions), /rnn\.optim\.SGD: the learning rate is required/);
    assert.throws(() => optim.SGD([w], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum > 0/);
    assert.throws(() => optim.Adam([w], { amsgrad: true } as optim.TorchAdamOptions), /amsgrad/);
    assert.throws(() => optim.RMSprop([w], { lr: -1 }), /rnn\.optim\.RMSprop: option "lr" must be a finite number ≥ 0, got -1/);
    assert.throws(() => optim.Adam([w], { eps: NaN }), /rnn\.optim\.Adam: option "eps" must be a finite number ≥ 0/);
    assert.throws(() => optim.Adam([w], { betas: [0.9, 1] }), /rnn\.optim\.Adam: betas must be two numbers in \[0, 1\)/);
  });

  it("a NaN gradient is an error naming the parameter, and no parameter (nor the optimizer state) changes", () => {
    const m = new MLP();
    const x = tensor([[0.1, 0.2, 0.3], [-1, 0.5, 2]]), y = tensor([1, 3]);
    const opt = optim.Adam(m, { lr: 0.1 });
    F.crossEntropy(m.forward(x), y).backward();
    const before = m.stateDict();
    m.fc2.parameters()[1].grad!.data[2] = NaN; // fc2.bias, the last parameter: the others would be written first
    assert.throws(() => opt.step(), /rnn\.optim\.Adam\.step: the gradient of fc2\.bias is NaN at index 2; nothing was updated/);
    for (const [name, t] of Object.entries(m.stateDict())) assert.deepEqual(t.data, before[name].data, name);
    assert.equal(opt.steps, 0);
    // After the bad step a good one is exactly a fresh optimizer's first step (no state was touched).
    m.fc2.parameters()[1].grad!.data[2] = 0.5;
    const twin = new MLP();
    twin.loadStateDict(before);
    m.namedParameters().forEach(([, p], i) => twin.parameters()[i].grad!.data.set(p.grad!.data));
    opt.step();
    optim.Adam(twin, { lr: 0.1 }).step();
    for (const [name, t] of Object.entries(m.stateDict())) assert.deepEqual(t.data, twin.stateDict()[name].data, name);
  });

  it("±Infinity is refused like NaN wherever it sits; the largest finite gradients are not", () => {
    // 7 entries: index 5 lies past the groups of four the finiteness scan sums, index 1 inside one.
    const w = tensor(new Float32Array(7), [7], { requiresGrad: true });
    const opt = optim.SGD([w], { lr: 0.1 });
    for (const [i, v] of [[1, Infinity], [5, -Infinity], [3, NaN]] as const) {
      w.grad = tensor(new Float32Array(7), [7]);
      w.grad.data[i] = v;
      assert.throws(() => opt.step(), new RegExp(`the gradient of parameter 0 is ${v} at index ${i}; nothing was updated`));
      assert.deepEqual(Array.from(w.data), [0, 0, 0, 0, 0, 0, 0]);
    }
    // 3.4e38 ≈ the largest float32 (2^128 − 2^104): finite, so the step runs: p = 0 − 0.1·g.
    w.grad = tensor(Float32Array.from([3.4e38, -3.4e38, 0, 0, 0, 0, 1]), [7]);
    opt.step();
    assert.deepEqual(Array.from(w.data), Array.from(Float32Array.from([-3.4e37, 3.4e37, 0, 0, 0, 0, -0.1])));
  });

  it("zeroGrad zeroes every gradient; tensors without a gradient are skipped by step", () => {
    const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3], { requiresGrad: true });
    const opt = optim.SGD([a, b], { lr: 0.5 });
    a.mul(a).sum().backward(); // ∂Σa²/∂a = 2a = [2, 4]; b gets none
    opt.step();
    assert.deepEqual(Array.from(a.data), [0, 0]); // a − 0.5·2a
    assert.deepEqual(Array.from(b.data), [3]);
    opt.zeroGrad();
    assert.deepEqual(Array.from(a.grad!.data), [0, 0]);
    assert.equal(b.grad, null);
  });

  it("a frozen layer parameter (trainable false) is left alone, weight decay and momentum included", () => {
    const lin = nn.Linear(2, 2, { seed: 1 });
    lin.params()[0].trainable = false; // freeze the weight, as a fine-tuning loop would
    const [w, b] = lin.parameters();
    const before = Array.from(w.data), biasBefore = Array.from(b.data);
    const opt = optim.SGD(lin, { lr: 0.1, momentum: 0.9, weightDecay: 0.5 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      lin.forward(tensor([[1, 2]])).sum().backward();
      opt.step();
    }
    assert.deepEqual(Array.from(w.data), before);
    assert.equal(w.requiresGrad, false);
    assert.notDeepEqual(Array.from(b.data), biasBefore); // the bias did train
  });

  it("clipGradNorm_ returns the norm before clipping and scales by maxNorm / (norm + 1e-6)", () => {
    const a = tensor([3, 0], { requiresGrad: true }), b = tensor([4], { requiresGrad: true });
    a.mul(a.grad === null ? 0.5 : 1).mul(a).sum().add(b.mul(b).mul(0.5).sum()).backward(); // grads a = [3, 0], b = [4]
    const norm = nn.utils.clipGradNorm_([a, b], 1);
    assert.equal(norm, 5); // √(3² + 4²)
    const coef = 1 / (5 + 1e-6); // PyTorch's formula
    assert.deepEqual(Array.from(a.grad!.data), [Math.fround(3 * coef), 0]);
    assert.throws(() => nn.utils.clipGradNorm_([a], 0), /maxNorm must be a positive finite number/);
  });
});
