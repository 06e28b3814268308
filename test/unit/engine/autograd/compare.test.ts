// Comparisons gt / lt / ge / le / eq (src/engine/autograd/compare.ts) and rnn.ones / rnn.randn.
import * as assert from "node:assert/strict";
import { manualSeed, ones, randn, tensor } from "../../../../src/engine/index";

describe("autograd: comparisons", () => {
  it("give 1 where the relation holds and 0 elsewhere, broadcasting like the arithmetic ops", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[2], [5]]); // [2, 1] broadcasts along the columns
    assert.deepEqual(a.gt(b).toArray(), [[0, 0, 1], [0, 0, 1]]);
    assert.deepEqual(a.lt(b).toArray(), [[1, 0, 0], [1, 0, 0]]);
    assert.deepEqual(a.ge(b).toArray(), [[0, 1, 1], [0, 1, 1]]);
    assert.deepEqual(a.le(b).toArray(), [[1, 1, 0], [1, 1, 0]]);
    assert.deepEqual(a.eq(b).toArray(), [[0, 1, 0], [0, 1, 0]]);
    assert.deepEqual(a.gt(3).toArray(), [[0, 0, 0], [1, 1, 1]]);
    assert.throws(() => a.eq(tensor([1, 2])), /eq: shapes \(2, 3\) and \(2,\) cannot be broadcast together/);
  });

  it("are not differentiable: the result never requires grad, and works as a mask", () => {
    const x = tensor([-1, 2, -3, 4], { requiresGrad: true });
    const m = x.gt(0);
    assert.equal(m.requiresGrad, false);
    x.mul(m).sum().backward(); // ∂Σ x·[x > 0]/∂x = [x > 0]
    assert.deepEqual(Array.from(x.grad!.data), [0, 1, 0, 1]);
    // An accuracy: predictions equal to the labels, averaged.
    assert.equal(tensor([1, 0, 2, 2]).eq(tensor([1, 1, 2, 0])).mean().item(), 0.5);
  });
});

describe("rnn.ones / rnn.randn", () => {
  it("ones: shape, dtype and requiresGrad as asked", () => {
    assert.deepEqual(ones([2, 2]).toArray(), [[1, 1], [1, 1]]);
    assert.equal(ones([3], "float64").dtype, "float64");
    const o = ones([2], { requiresGrad: true, dtype: "float64" });
    assert.equal(o.requiresGrad, true);
    assert.equal(o.dtype, "float64");
  });

  it("randn: N(0, 1) samples, reproducible from rnn.manualSeed or a seed", () => {
    manualSeed(5);
    const a = randn([100, 100]);
    manualSeed(5);
    assert.deepEqual(randn([100, 100]).data, a.data);
    assert.deepEqual(randn([4], { seed: 9 }).data, randn([4], { seed: 9 }).data);
    const n = a.size;
    const values = Array.from(a.data);
    const mean = values.reduce((s, v) => s + v, 0) / n;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    // 10,000 samples: the mean's standard error is 0.01 and the variance's ≈ √(2/10⁴) ≈ 0.014; 5σ bounds.
    assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.07, `variance ${variance}`);
    const r = randn([2, 3], { requiresGrad: true, dtype: "float64" });
    assert.equal(r.requiresGrad, true);
    assert.equal(r.dtype, "float64");
  });
});
