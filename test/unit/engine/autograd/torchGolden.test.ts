// Every tensor op against PyTorch 1.13 (test/fixtures/autograd/ops_golden.json, written by
// generate.py beside it; see there for what a case holds). float32 throughout: the output and the
// gradient of loss = Σ output ⊙ w for every input must match within 1e-5 relative, measured as
// |ours − torch| ≤ 1e-5 · max(1, |torch|) (relative for values above 1, absolute below, where a
// pure ratio would only measure float32 rounding of a number near 0).
import * as assert from "node:assert/strict";
import golden from "../../../fixtures/autograd/ops_golden.json";
import { cat, stack, Tensor, tensor, where, zeros } from "../../../../src/engine/index";
import { checkGradients } from "./check";

interface TJ { shape: number[]; data: number[] }
interface OpCase {
  name: string; op: string; args: unknown[];
  inputs: TJ[]; consts: Record<string, TJ>; weight: TJ; output: TJ; grads: TJ[];
}
const fixture = golden as unknown as { torch_version: string; cases: OpCase[] };

const tj = (t: TJ, requiresGrad = false): Tensor => {
  const x = new Tensor(Float32Array.from(t.data), t.shape);
  x.requiresGrad = requiresGrad;
  return x;
};

type Axes = number | number[] | null;
/** The engine call for each fixture op name (the same names as the Tensor methods). */
function apply(c: OpCase, xs: Tensor[], k: Record<string, Tensor>): Tensor {
  const [a, b] = xs;
  const args = c.args;
  const axes = (v: unknown): number | number[] | undefined => (v as Axes) ?? undefined;
  switch (c.op) {
    case "add": return a.add(b);
    case "sub": return a.sub(b);
    case "mul": return a.mul(b);
    case "div": return a.div(b);
    case "pow": return a.pow(b);
    case "addScalar": return a.add(args[0] as number);
    case "mulScalar": return a.mul(args[0] as number);
    case "powScalar": return a.pow(args[0] as number);
    case "neg": return a.neg();
    case "exp": return a.exp();
    case "log": return a.log();
    case "sqrt": return a.sqrt();
    case "tanh": return a.tanh();
    case "sigmoid": return a.sigmoid();
    case "relu": return a.relu();
    case "abs": return a.abs();
    case "matmul": return a.matmul(b);
    case "sum": return a.sum(axes(args[0]), args[1] as boolean);
    case "mean": return a.mean(axes(args[0]), args[1] as boolean);
    case "max": return a.max(axes(args[0]) as number | undefined, args[1] as boolean);
    case "min": return a.min(axes(args[0]) as number | undefined, args[1] as boolean);
    case "softmax": return a.softmax(args[0] as number);
    case "logSoftmax": return a.logSoftmax(args[0] as number);
    case "reshape": return a.reshape(args[0] as number[]);
    case "transpose": return a.transpose(args[0] as number[] | number, args[1] as number | undefined);
    case "unsqueeze": return a.unsqueeze(args[0] as number);
    case "squeeze": return a.squeeze(args[0] as number);
    case "select": return a.select(args[0] as number, args[1] as number);
    case "narrow": return a.narrow(args[0] as number, args[1] as number, args[2] as number);
    case "index": return a.index(k.ids);
    case "cat": return cat(xs, args[0] as number);
    case "stack": return stack(xs, args[0] as number);
    case "where": return where(k.cond, a, b);
    case "maskedFillSoftmax": return a.maskedFill(k.mask, args[0] as number).softmax(-1);
    default: throw new Error(`no engine call for fixture op ${c.op}`);
  }
}

/** Worst |ours − torch| / max(1, |torch|), after checking the shapes agree. */
function worst(ours: Tensor, torch: TJ, what: string): number {
  assert.deepEqual(ours.shape, torch.shape, `${what}: shape`);
  let m = 0;
  for (let i = 0; i < torch.data.length; i++) m = Math.max(m, Math.abs(ours.data[i] - torch.data[i]) / Math.max(1, Math.abs(torch.data[i])));
  return m;
}

describe(`autograd ops against PyTorch ${fixture.torch_version} (float32, ≤ 1e-5 relative)`, () => {
  it("has a case for every tensor op", () => {
    const ops = new Set(fixture.cases.map((c) => c.op));
    const every = ["add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "matmul",
      "sum", "mean", "max", "min", "softmax", "logSoftmax", "reshape", "transpose", "unsqueeze", "squeeze", "select", "narrow",
      "index", "cat", "stack", "where", "maskedFillSoftmax"];
    assert.deepEqual(every.filter((op) => !ops.has(op)), []);
  });
  for (const c of fixture.cases) {
    it(c.name, () => {
      const xs = c.inputs.map((t) => tj(t, true));
      const consts = Object.fromEntries(Object.entries(c.consts).map(([n, t]) => [n, tj(t)]));
      const out = apply(c, xs, consts);
      assert.equal(out.dtype, "float32");
      const errOut = worst(out, c.output, "output");
      out.mul(tj(c.weight)).sum().backward();
      let errGrad = 0;
      xs.forEach((x, i) => {
        assert.ok(x.grad, `input ${i} got no gradient`);
        errGrad = Math.max(errGrad, worst(x.grad, c.grads[i], `grad of input ${i}`));
      });
      assert.ok(errOut <= 1e-5, `output off by ${errOut}`);
      assert.ok(errGrad <= 1e-5, `gradient off by ${errGrad}`);
    });
  }
});

interface Composite {
  sizes: { B: number; T: number; V: number; E: number; H: number; C: number };
  ids: TJ; onehot: TJ; params: Record<string, TJ>; loss: number; grads: Record<string, TJ>;
}
const composite = (golden as unknown as { composite: Composite }).composite;

/**: an Elman RNN classifier over embedded ids, written with tensor ops. */
function elmanLoss(p: Record<string, Tensor>, ids: Tensor, onehot: Tensor, T: number): Tensor {
  const x = p.emb.index(ids); // (B, T, E)
  let h = zeros([ids.shape[0], p.w_hh.shape[0]], p.w_hh.dtype);
  for (let t = 0; t < T; t++) {
    h = x.select(1, t).matmul(p.w_ih.transpose()).add(h.matmul(p.w_hh.transpose())).add(p.b).tanh();
  }
  const logits = h.matmul(p.w_out.transpose()).add(p.b_out);
  return logits.logSoftmax(-1).mul(onehot).sum(-1).mean().neg();
}

describe("a model written with tensor ops against PyTorch (an Elman RNN classifier, float32)", () => {
  it("loss and every parameter's gradient within 1e-5 relative", () => {
    const params = Object.fromEntries(Object.entries(composite.params).map(([n, t]) => [n, tj(t, true)]));
    const loss = elmanLoss(params, tj(composite.ids), tj(composite.onehot), composite.sizes.T);
    assert.ok(Math.abs(loss.item() - composite.loss) <= 1e-5 * Math.max(1, Math.abs(composite.loss)), `loss ${loss.item()} vs ${composite.loss}`);
    loss.backward();
    for (const [name, g] of Object.entries(composite.grads)) {
      const err = worst(params[name].grad!, g, name);
      assert.ok(err <= 1e-5, `${name}: gradient off by ${err}`);
    }
  });

  it("passes the float64 gradient check (engine gradCheck, max relative error < 1e-6)", () => {
    const names = Object.keys(composite.params);
    const inputs = names.map((n) => tensor(tj(composite.params[n]), undefined, { dtype: "float64", requiresGrad: true }));
    const ids = tj(composite.ids), onehot = tensor(tj(composite.onehot), undefined, "float64");
    checkGradients("Elman RNN", (...ps) => elmanLoss(Object.fromEntries(names.map((n, i) => [n, ps[i]])), ids, onehot, composite.sizes.T), inputs);
  });
});
