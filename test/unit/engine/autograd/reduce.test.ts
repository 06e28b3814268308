// Reductions and softmax (src/engine/autograd/reduce.ts): values against the formulas, the
// arg-extremum gradient rule of PyTorch, and a float64 central-difference gradient check (engine
// gradCheck, five-point stencil) of every op, keepDims and negative axes included.
import * as assert from "node:assert/strict";
import { Tensor, tensor } from "../../../../src/engine/index";
import { checkGradients, leaf } from "./check";

describe("autograd reductions and softmax", () => {
  it("sum and mean over all, one, several and negative axes, with keepDims", () => {
    const x = tensor([[[1, 2], [3, 4], [5, 6]]]); // shape (1, 3, 2)
    assert.equal(x.sum().item(), 21);
    assert.equal(x.mean().item(), 3.5);
    assert.deepEqual(x.sum(1).toArray(), [[9, 12]]);
    assert.deepEqual(x.sum(-1, true).toArray(), [[[3], [7], [11]]]);
    assert.deepEqual(x.mean([0, 2]).toArray(), [1.5, 3.5, 5.5]);
    assert.deepEqual(x.sum(1, true).shape, [1, 1, 2]);
  });

  it("max and min give values; the gradient goes to the first arg-extremum along an axis, evenly to ties overall", () => {
    const x = tensor([[1, 5, 5], [7, 2, 7]], { requiresGrad: true });
    assert.deepEqual(x.max(1).toArray(), [5, 7]);
    assert.deepEqual(x.min(0, true).toArray(), [[1, 2, 5]]);
    x.max(1).sum().backward(); // torch.max(x, 1) picks index 1 in row 0 and index 0 in row 1 (first of the ties)
    assert.deepEqual(x.grad!.toArray(), [[0, 1, 0], [1, 0, 0]]);
    x.grad = null;
    x.max().backward(); // torch.max(x) (evenly_distribute_backward): 7 occurs twice → 1/2 each
    assert.deepEqual(x.grad!.toArray(), [[0, 0, 0], [0.5, 0, 0.5]]);
  });

  it("softmax and logSoftmax are stable for large inputs and sum to one", () => {
    // softmax([1000, 1001, 1002]) = softmax([0, 1, 2]) = e^k / (1 + e + e²)
    const s = tensor([[1000, 1001, 1002]], undefined, "float64").softmax(-1);
    const z = 1 + Math.E + Math.E ** 2;
    assert.ok(Math.abs(s.get(0, 0) - 1 / z) < 1e-14 && Math.abs(s.get(0, 2) - Math.E ** 2 / z) < 1e-14);
    const ls = tensor([[1000, 1001, 1002]], undefined, "float64").logSoftmax(1);
    assert.ok(Math.abs(ls.get(0, 0) + Math.log(z)) < 1e-12, `logSoftmax ${ls.get(0, 0)}`);
    assert.ok(Math.abs(tensor([[0.3, -2, 4], [1, 1, 1]]).softmax(0).sum(0).sub(1).abs().max().item()) < 1e-6);
  });

  describe("float64 gradient check (engine gradCheck, max relative error < 1e-6)", () => {
    const cases: [string, (x: Tensor) => Tensor][] = [
      ["sum all", (x) => x.sum()],
      ["sum axis 1", (x) => x.sum(1)],
      ["sum axes [0, -1] keepDims", (x) => x.sum([0, -1], true)],
      ["mean all", (x) => x.mean()],
      ["mean axis -2 keepDims", (x) => x.mean(-2, true)],
      ["max all", (x) => x.max()],
      ["max axis 2", (x) => x.max(2)],
      ["min axis 0 keepDims", (x) => x.min(0, true)],
      ["softmax axis -1", (x) => x.softmax(-1)],
      ["softmax axis 1", (x) => x.softmax(1)],
      ["logSoftmax axis -1", (x) => x.logSoftmax(-1)],
      ["logSoftmax axis 0", (x) => x.logSoftmax(0)],
    ];
    for (const [name, f] of cases) {
      it(name, () => {
        checkGradients(name, f, [leaf([2, 3, 4], 21)]);
      });
    }
  });
});
