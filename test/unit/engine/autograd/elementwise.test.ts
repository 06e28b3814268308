// Elementwise autograd ops (src/engine/autograd/elementwise.ts): forward values against the
// formulas, and a float64 central-difference gradient check (engine gradCheck, five-point stencil)
// of every op, with and without broadcasting.
import * as assert from "node:assert/strict";
import { Tensor, tensor, where } from "../../../../src/engine/index";
import { checkGradients, leaf } from "./check";

describe("autograd elementwise ops", () => {
  it("compute the formulas, with scalars and broadcasting", () => {
    const a = tensor([[1, 2], [3, 4]]);
    assert.deepEqual(a.add(1).toArray(), [[2, 3], [4, 5]]);
    assert.deepEqual(a.sub(tensor([1, 2])).toArray(), [[0, 0], [2, 2]]);
    assert.deepEqual(a.mul(tensor([[2], [3]])).toArray(), [[2, 4], [9, 12]]);
    assert.deepEqual(a.div(2).toArray(), [[0.5, 1], [1.5, 2]]);
    assert.deepEqual(a.pow(2).toArray(), [[1, 4], [9, 16]]);
    assert.deepEqual(a.neg().toArray(), [[-1, -2], [-3, -4]]);
    assert.deepEqual(tensor([-2, 0, 3]).relu().toArray(), [0, 0, 3]);
    assert.deepEqual(tensor([-2, 0, 3]).abs().toArray(), [2, 0, 3]);
    // σ(0) = 1/2, tanh(0) = 0, e⁰ = 1, ln 1 = 0, √4 = 2
    assert.deepEqual(tensor([0]).sigmoid().toArray(), [0.5]);
    assert.deepEqual([tensor([0]).tanh().item(), tensor([0]).exp().item(), tensor([1]).log().item(), tensor([4]).sqrt().item()], [0, 1, 0, 2]);
    assert.deepEqual(where(tensor([1, 0, 1]), tensor([1, 2, 3]), -1).toArray(), [1, -1, 3]);
    assert.deepEqual(a.maskedFill(tensor([[0], [1]]), -9).toArray(), [[1, 2], [-9, -9]]);
    assert.deepEqual(a.maskedFill([[false, true]], 0).toArray(), [[1, 0], [3, 0]]); // a JavaScript boolean mask
    assert.deepEqual(where([true, false], 1, tensor([5, 6])).toArray(), [1, 6]);
  });

  it("promote to float64 when either tensor is, never for a number", () => {
    const f32 = tensor([1, 2]), f64 = tensor([1, 2], undefined, "float64");
    assert.equal(f32.add(f64).dtype, "float64");
    assert.equal(f64.mul(f32).dtype, "float64");
    assert.equal(f32.mul(0.1).dtype, "float32");
    assert.equal(f32.add(f32).dtype, "float32");
    // The float32 leaf's gradient stays float32 even when it flowed through a float64 op.
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(f64).sum().backward();
    assert.equal(x.grad!.dtype, "float32");
    assert.deepEqual(x.grad!.toArray(), [1, 2]);
  });

  it("pow's gradient at 0 follows PyTorch's special cases", () => {
    // derivatives.yaml: d(x^0)/dx = 0 even at x = 0 (not 0 · 0^−1 = NaN); d(0^b)/db = 0 for b ≥ 0 (not 0 · ln 0).
    const x = tensor([0, 2], { requiresGrad: true, dtype: "float64" });
    x.pow(0).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [0, 0]);
    const e = tensor([0, 2], { requiresGrad: true, dtype: "float64" });
    tensor([0, 0], undefined, "float64").pow(e).sum().backward();
    assert.deepEqual(e.grad!.toArray(), [0, 0]);
  });

  describe("float64 gradient check (engine gradCheck, max relative error < 1e-6)", () => {
    const binary: [string, (a: Tensor, b: Tensor) => Tensor][] = [
      ["add", (a, b) => a.add(b)],
      ["sub", (a, b) => a.sub(b)],
      ["mul", (a, b) => a.mul(b)],
      ["div", (a, b) => a.div(b)],
    ];
    const shapes: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[2, 1, 3], [4, 1]], [[], [2, 2]]];
    for (const [name, f] of binary) {
      for (const [sa, sb] of shapes) {
        it(`${name} (${sa.join("×") || "scalar"}) with (${sb.join("×") || "scalar"})`, () => {
          checkGradients(name, f, [leaf(sa, 1), leaf(sb, 2)]);
        });
      }
    }
    it("pow with a number exponent, a tensor exponent and a broadcast tensor exponent", () => {
      checkGradients("pow 3", (a) => a.pow(3), [leaf([2, 3], 3)]);
      checkGradients("pow 0.5", (a) => a.pow(0.5), [leaf([2, 3], 3, true)]);
      checkGradients("pow tensor", (a, b) => a.pow(b), [leaf([2, 3], 4, true), leaf([2, 3], 5)]);
      checkGradients("pow broadcast", (a, b) => a.pow(b), [leaf([2, 3], 6, true), leaf([3], 7)]);
    });
    it("number operands on either side: 2 − x, 1 / x", () => {
      checkGradients("rsub", (a) => tensor(2, undefined, "float64").sub(a), [leaf([3], 8)]);
      checkGradients("rdiv", (a) => tensor(1, undefined, "float64").div(a), [leaf([3], 9)]);
    });
    const unaryOps: [string, (a: Tensor) => Tensor, boolean][] = [
      ["neg", (a) => a.neg(), false],
      ["exp", (a) => a.exp(), false],
      ["log", (a) => a.log(), true],
      ["sqrt", (a) => a.sqrt(), true],
      ["tanh", (a) => a.tanh(), false],
      ["sigmoid", (a) => a.sigmoid(), false],
      ["relu", (a) => a.relu(), false],
      ["abs", (a) => a.abs(), false],
      ["clone", (a) => a.clone(), false],
    ];
    for (const [name, f, positive] of unaryOps) {
      it(name, () => {
        checkGradients(name, f, [leaf([3, 4], 10, positive)]);
      });
    }
    it("where, with cond, a and b broadcast together", () => {
      const cond = tensor([[1, 0, 1], [0, 0, 1]], undefined, "float64");
      checkGradients("where", (a, b) => where(cond, a, b), [leaf([2, 3], 11), leaf([2, 3], 12)]);
      checkGradients("where broadcast", (a, b) => where(cond, a, b), [leaf([3], 13), leaf([2, 1], 14)]);
    });
    it("maskedFill, with a broadcast mask", () => {
      checkGradients("maskedFill", (a) => a.maskedFill(tensor([[1], [0]]), -5), [leaf([2, 3], 15)]);
    });
  });
});
