// torch.matmul's rules (src/engine/autograd/matmul.ts): result shapes from the torch.matmul docs'
// examples, values against a hand-worked product, the shape error, and a float64 central-difference
// gradient check (engine gradCheck, five-point stencil) for every case of the rules.
import * as assert from "node:assert/strict";
import { setGemmBackend } from "../../../../src/engine/gemm";
import { tensor, zeros } from "../../../../src/engine/index";
import { checkGradients, leaf, maxAbsDiff, uniform } from "./check";

describe("autograd matmul", () => {
  it("gives torch.matmul's result shapes", () => {
    // The torch.matmul docs: (3)·(3) → (); (3,4)·(4) → (3,); (10,3,4)·(10,4,5) → (10,3,5);
    // (10,3,4)·(4) → (10,3); (10,3,4)·(4,5) → (10,3,5) (broadcast); and (4)·(4,5) → (5,)
    const shape = (a: number[], b: number[]): number[] => zeros(a).matmul(zeros(b)).shape;
    assert.deepEqual(shape([3], [3]), []);
    assert.deepEqual(shape([3, 4], [4]), [3]);
    assert.deepEqual(shape([10, 3, 4], [10, 4, 5]), [10, 3, 5]);
    assert.deepEqual(shape([10, 3, 4], [4]), [10, 3]);
    assert.deepEqual(shape([10, 3, 4], [4, 5]), [10, 3, 5]);
    assert.deepEqual(shape([4], [4, 5]), [5]);
    assert.deepEqual(shape([2, 1, 3, 4], [5, 4, 2]), [2, 5, 3, 2]);
  });

  it("multiplies: [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]]", () => {
    assert.deepEqual(tensor([[1, 2], [3, 4]]).matmul(tensor([[5, 6], [7, 8]])).toArray(), [[19, 22], [43, 50]]);
    assert.equal(tensor([1, 2, 3]).matmul(tensor([4, 5, 6])).item(), 32);
  });

  it("names both shapes and the mismatch", () => {
    assert.throws(() => zeros([2, 3]).matmul(zeros([4, 5])), { message: "matmul: shapes (2, 3) and (4, 5) cannot be multiplied (3 ≠ 4)" });
    assert.throws(() => zeros([2, 2, 3]).matmul(zeros([3, 3, 1])), { message: "matmul: shapes (2, 2, 3) and (3, 3, 1) have batch axes (2,) and (3,) that cannot be broadcast together" });
    assert.throws(() => tensor(2).matmul(zeros([1])), /matmul: both operands need at least one axis/);
  });

  it("gives the same float32 products on the WASM and the TypeScript GEMM (≤ 1e-5)", () => {
    const a = tensor(Float32Array.from(uniform(3 * 40 * 64, 41)), [3, 40, 64]);
    const b = tensor(Float32Array.from(uniform(64 * 48, 42)), [64, 48]);
    try {
      setGemmBackend("wasm");
      const w = a.matmul(b);
      setGemmBackend("js");
      const j = a.matmul(b);
      assert.ok(maxAbsDiff(w.data, j.data) <= 1e-5, `max diff ${maxAbsDiff(w.data, j.data)}`);
    } finally {
      setGemmBackend("auto");
    }
  });

  describe("float64 gradient check (engine gradCheck, max relative error < 1e-6)", () => {
    const cases: [string, number[], number[]][] = [
      ["2-D · 2-D", [3, 4], [4, 2]],
      ["1-D · 1-D", [4], [4]],
      ["1-D · 2-D", [4], [4, 3]],
      ["2-D · 1-D", [3, 4], [4]],
      ["batched", [2, 3, 4], [2, 4, 5]],
      ["batched · 2-D (b broadcast)", [2, 3, 4], [4, 5]],
      ["2-D · batched (a broadcast)", [3, 4], [2, 4, 5]],
      ["batch axes broadcast both ways", [2, 1, 3, 4], [3, 4, 2]],
      ["batched · 1-D", [2, 3, 4], [4]],
    ];
    for (const [name, sa, sb] of cases) {
      it(`${name}: (${sa.join(", ")}) · (${sb.join(", ")})`, () => {
        checkGradients(name, (a, b) => a.matmul(b), [leaf(sa, 51), leaf(sb, 52)]);
      });
    }
  });
});
