// Shape and indexing ops (src/engine/autograd/shape.ts) and rnn.cat / rnn.stack: values against
// hand-worked layouts, their errors, and a float64 central-difference gradient check (engine
// gradCheck, five-point stencil) of every op.
import * as assert from "node:assert/strict";
import { cat, stack, Tensor, tensor } from "../../../../src/engine/index";
import { checkGradients, leaf } from "./check";

describe("autograd shape and indexing ops", () => {
  const x = tensor([[[0, 1], [2, 3], [4, 5]], [[6, 7], [8, 9], [10, 11]]]); // shape (2, 3, 2), x[b,t,f] = 6b + 2t + f

  it("transpose: reverse, permutation, and PyTorch's two-axis swap", () => {
    assert.deepEqual(tensor([[1, 2, 3], [4, 5, 6]]).transpose().toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.deepEqual(x.transpose([1, 0, 2]).shape, [3, 2, 2]);
    assert.deepEqual(x.transpose([1, 0, 2]).get(2, 1, 0), 10); // = x[1, 2, 0]
    assert.deepEqual(x.transpose(0, -1).get(1, 2, 0), 5); // = x[0, 2, 1]
    assert.throws(() => x.transpose([0, 0, 1]), { message: "transpose: [0, 0, 1] is not a permutation of the 3 axes of a tensor of shape (2, 3, 2)" });
  });

  it("unsqueeze and squeeze", () => {
    assert.deepEqual(x.unsqueeze(-1).shape, [2, 3, 2, 1]);
    assert.deepEqual(x.unsqueeze(0).shape, [1, 2, 3, 2]);
    assert.deepEqual(tensor([[[1], [2]]]).squeeze().shape, [2]);
    assert.deepEqual(tensor([[[1], [2]]]).squeeze(1).shape, [1, 2, 1]); // size 2: unchanged, as in PyTorch
    assert.deepEqual(tensor([[[1], [2]]]).squeeze(-1).shape, [1, 2]);
  });

  it("the gradient of a select is zero outside the selected entries, also for a retained non-leaf", () => {
    // d(Σ u[:, -1, :])/du = 1 at [:, -1, :] and 0 elsewhere (the identity's Jacobian restricted to the
    // block), for u = 1·x and so for x.
    const xl = tensor(x.data.slice(), x.shape, { requiresGrad: true });
    const u = xl.mul(1).retainGrad();
    u.select(1, -1).sum().backward();
    const expected = [[[0, 0], [0, 0], [1, 1]], [[0, 0], [0, 0], [1, 1]]];
    assert.deepEqual(u.grad!.toArray(), expected);
    assert.deepEqual(xl.grad!.toArray(), expected);
  });

  it("select, narrow and index pick what PyTorch's indexing picks", () => {
    assert.deepEqual(x.select(1, -1).toArray(), [[4, 5], [10, 11]]); // x[:, -1]
    assert.deepEqual(x.narrow(1, 1, 2).toArray(), [[[2, 3], [4, 5]], [[8, 9], [10, 11]]]); // x[:, 1:3]
    const table = tensor([[0, 0], [1, 1], [2, 2]]);
    assert.deepEqual(table.index([[2, 0], [-1, 1]]).toArray(), [[[2, 2], [0, 0]], [[2, 2], [1, 1]]]);
    assert.throws(() => x.select(1, 3), { message: "select: index 3 is out of range for axis 1 of size 3 (shape (2, 3, 2))" });
    assert.throws(() => x.narrow(1, 2, 2), { message: "narrow: start 2 and length 2 do not fit axis 1 of size 3 (shape (2, 3, 2))" });
    assert.throws(() => table.index([3]), /index: id 3 \(at flat position 0\) is not an integer in -3 … 2/);
  });

  it("cat and stack", () => {
    const a = tensor([[1, 2]]), b = tensor([[3, 4], [5, 6]]);
    assert.deepEqual(cat([a, b]).toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(cat([b, b], -1).toArray(), [[3, 4, 3, 4], [5, 6, 5, 6]]);
    assert.deepEqual(stack([a, a], 1).shape, [1, 2, 2]);
    assert.deepEqual(stack([tensor([1, 2]), tensor([3, 4])], -1).toArray(), [[1, 3], [2, 4]]);
    assert.throws(() => cat([a, b], 1), { message: "cat: shapes (1, 2) and (2, 2) differ outside axis 1" });
    assert.throws(() => stack([a, b]), { message: "stack: every tensor needs the same shape, got (1, 2) and (2, 2)" });
  });

  it("the old slice and reshape keep their meaning (and share data for reshape)", () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    assert.deepEqual(t.slice(-2).toArray(), [[3, 4], [5, 6]]);
    assert.equal(t.reshape([2, 3]).data, t.data);
    assert.equal(t.reshape(-1, 2).data, t.data);
  });

  describe("float64 gradient check (engine gradCheck, max relative error < 1e-6)", () => {
    const ids = tensor([[1, 0, 1], [-1, 1, 0]]); // rows picked more than once get the sum of their gradients
    const cases: [string, (x: Tensor) => Tensor][] = [
      ["reshape", (t) => t.reshape(4, 6)],
      ["transpose()", (t) => t.transpose()],
      ["transpose([1, 0, 2])", (t) => t.transpose([1, 0, 2])],
      ["transpose(0, 2)", (t) => t.transpose(0, 2)],
      ["unsqueeze(1)", (t) => t.unsqueeze(1)],
      ["squeeze", (t) => t.unsqueeze(0).squeeze()],
      ["select(1, -1)", (t) => t.select(1, -1)],
      ["select(0, 1)", (t) => t.select(0, 1)],
      ["narrow(2, 1, 2)", (t) => t.narrow(2, 1, 2)],
      ["slice(1)", (t) => t.slice(1)],
      ["index", (t) => t.index(ids)],
    ];
    for (const [name, f] of cases) {
      it(name, () => {
        checkGradients(name, f, [leaf([2, 3, 4], 31)]);
      });
    }
    it("narrowed gradients meeting other paths into one tensor (two selects and a mean of it)", () => {
      // select/narrow send back only their block; where a second path reaches the same tensor the
      // tape adds full-size gradients, so both the block and the sum must come out right.
      checkGradients("selects + mean", (t) => {
        const u = t.tanh();
        return u.select(1, -1).add(u.select(1, 0)).mul(u.mean(1)).add(u.narrow(1, 1, 1).squeeze(1));
      }, [leaf([2, 3, 4], 40)]);
    });
    it("cat along axes 0 and -1", () => {
      checkGradients("cat 0", (a, b) => cat([a, b, a], 0), [leaf([1, 3], 32), leaf([2, 3], 33)]);
      checkGradients("cat -1", (a, b) => cat([a, b], -1), [leaf([2, 2], 34), leaf([2, 3], 35)]);
    });
    it("stack along axes 0 and 2", () => {
      checkGradients("stack 0", (a, b) => stack([a, b], 0), [leaf([2, 3], 36), leaf([2, 3], 37)]);
      checkGradients("stack 2", (a, b) => stack([a, b], 2), [leaf([2, 3], 38), leaf([2, 3], 39)]);
    });
  });
});
