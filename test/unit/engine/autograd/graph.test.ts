// The autograd tape (src/engine/autograd/graph.ts): accumulation into leaves, shared subexpressions,
// the freed graph, noGrad, detach and the errors a learner will meet. Expected gradients are worked
// by hand from the chain rule in each comment.
import * as assert from "node:assert/strict";
import { isGradEnabled, noGrad, tensor, type Tensor } from "../../../../src/engine/index";
import { trackMulti } from "../../../../src/engine/autograd/graph";

describe("autograd graph", () => {
  it("accumulates into leaf .grad across backward passes, like PyTorch", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward(); // d Σx² / dx = 2x
    assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
    x.mul(3).sum().backward(); // + 3
    assert.deepEqual(x.grad!.toArray(), [5, 7, 9]);
    x.grad = null;
    x.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [1, 1, 1]);
  });

  it("adds the gradients of every path through a shared intermediate", () => {
    // y = x + 1 used twice: L = Σ (y·y + 2y) → dL/dx = 2y + 2 = 2x + 4
    const x = tensor([1, -2], { requiresGrad: true });
    const y = x.add(1);
    y.mul(y).add(y.mul(2)).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [6, 0]);
    assert.equal(y.grad, null, "a non-leaf keeps no .grad");
    assert.ok(x.isLeaf && !y.isLeaf && y.requiresGrad);
  });

  it("takes an explicit gradient for a non-scalar output and refuses to guess one", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(2);
    assert.throws(() => y.backward(), {
      message: "backward: a gradient can be implied only for a scalar output, but this one has shape (2, 2); pass backward(grad) with a gradient of that shape, or reduce it first (e.g. .sum())",
    });
    assert.throws(() => y.backward(tensor([1, 2])), { message: "backward: the gradient has shape (2,) but the output has shape (2, 2)" });
    y.backward(tensor([[1, 0], [0, 1]])); // d(2x)/dx · g = 2g
    assert.deepEqual(x.grad!.toArray(), [[2, 0], [0, 2]]);
  });

  it("frees the graph: a second backward through it is an error", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.tanh().sum();
    loss.backward();
    assert.throws(() => loss.backward(), /backward: trying to backward through the graph a second time \(through "sum"\)/);
    // Also through a part shared with another output (PyTorch without retain_graph says the same).
    const y = x.tanh();
    y.mul(2).sum().backward();
    assert.throws(() => y.mul(3).sum().backward(), /a second time \(through "tanh"\)/);
  });

  it("records nothing inside noGrad, and restores recording after a throw", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => {
      assert.equal(isGradEnabled(), false);
      return x.mul(2);
    });
    assert.equal(isGradEnabled(), true);
    assert.equal(y.requiresGrad, false);
    assert.throws(() => y.sum().backward(), /does not require grad/);
    assert.throws(() => noGrad(() => { throw new Error("boom"); }), /boom/);
    assert.equal(isGradEnabled(), true);
  });

  it("detach shares values outside the graph; item reads one element", () => {
    const x = tensor([[3]], { requiresGrad: true });
    const d = x.mul(2).detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.item(), 6);
    assert.throws(() => tensor([1, 2]).item(), /item: only a one-element tensor has an item; this one has shape \[2\]/);
    assert.throws(() => { x.mul(2).requiresGrad = false; }, /only a leaf's flag can be changed/);
  });

  it("keeps the old tensor() signature and copies a tensor out of its graph", () => {
    const x = tensor([1, 2], [2, 1], "float64");
    assert.deepEqual([x.dtype, x.shape, x.requiresGrad], ["float64", [2, 1], false]);
    const leafWithShape = tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true, dtype: "float64" });
    assert.deepEqual([leafWithShape.dtype, leafWithShape.requiresGrad], ["float64", true]);
    const copy = tensor(leafWithShape.mul(2));
    assert.equal(copy.requiresGrad, false);
  });

  it("backpropagates through reshape, slice and a long chain without overflowing the stack", () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true, dtype: "float64" });
    x.reshape(2, 2).slice(1).sum().backward(); // only the second row [3, 4] reaches the sum
    assert.deepEqual(x.grad!.toArray(), [0, 0, 1, 1]);
    const h = tensor([0.5], { requiresGrad: true, dtype: "float64" });
    let y = h;
    for (let i = 0; i < 20000; i++) y = y.mul(1);
    y.sum().backward();
    assert.deepEqual(h.grad!.toArray(), [1]);
  });

  it("keeps a non-leaf's gradient after retainGrad(), complete over every path", () => {
    // h = 2x, L = Σ h²: ∂L/∂h = 2h = 4x; ∂L/∂x = 8x (chain rule).
    const x = tensor([1, -3], { requiresGrad: true });
    const h = x.mul(2).retainGrad();
    const root = h.mul(h).sum().retainGrad();
    assert.ok(h.retainsGrad && !x.retainsGrad);
    root.backward();
    assert.deepEqual(h.grad!.toArray(), [4, -12]);
    assert.deepEqual(root.grad!.toArray(), 1, "the root's own gradient is the implied 1");
    assert.deepEqual(x.grad!.toArray(), [8, -24]);
    // Two paths into h2 (L = Σ h2 + Σ 3·h2): its .grad is their sum 1 + 3 = 4, written once.
    const h2 = x.mul(1).retainGrad();
    h2.sum().add(h2.mul(3).sum()).backward();
    assert.deepEqual(h2.grad!.toArray(), [4, 4]);
    assert.equal(x.retainGrad(), x, "a no-op on a leaf");
    assert.throws(() => tensor([1]).retainGrad(), /retainGrad: this tensor does not require grad/);
  });

  it("trackMulti: one op with several results runs its backward once, with null for a result no path reached", () => {
    // A toy op x → (2x, 3x): its backward sees g1 and g2 and returns 2·g1 + 3·g2 (chain rule).
    const x = tensor([1, 2], { requiresGrad: true });
    const calls: (number[] | null)[][] = [];
    const op = (): [Tensor, Tensor] => {
      const a = tensor([2 * x.data[0], 2 * x.data[1]]), b = tensor([3 * x.data[0], 3 * x.data[1]]);
      trackMulti([a, b], "toy", [x], ([g1, g2]) => {
        calls.push([g1 ? g1.toFlatArray() : null, g2 ? g2.toFlatArray() : null]);
        return [tensor([0, 1].map((i) => 2 * (g1?.data[i] ?? 0) + 3 * (g2?.data[i] ?? 0)))];
      });
      return [a, b];
    };
    const [a1] = op();
    a1.sum().backward();
    assert.deepEqual(calls, [[[1, 1], null]]);
    assert.deepEqual(x.grad!.toArray(), [2, 2]);
    x.grad = null;
    const [a2, b2] = op();
    a2.sum().add(b2.mul(2).sum()).backward(); // L = Σ 2x + Σ 2·3x → 2 + 6 = 8 per entry
    assert.deepEqual(calls[1], [[1, 1], [2, 2]]);
    assert.deepEqual(x.grad!.toArray(), [8, 8]);
    assert.throws(() => b2.sum().backward(), /a second time \(through "toy"\)/);
    assert.equal(noGrad(() => { const [c] = op(); return c.requiresGrad; }), false, "no graph inside noGrad");
  });
});
