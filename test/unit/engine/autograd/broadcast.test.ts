// The one broadcasting helper every autograd op uses (src/engine/autograd/broadcast.ts). Expected
// shapes are the worked examples of NumPy's "Broadcasting" page (numpy.org/doc/stable/user/basics.broadcasting.html).
import * as assert from "node:assert/strict";
import { broadcastIndex, broadcastShapes, expandTo, normAxis, shapeText, sumTo } from "../../../../src/engine/autograd/broadcast";
import { tensor } from "../../../../src/engine/index";

describe("autograd broadcasting", () => {
  it("gives NumPy's result shapes", () => {
    // numpy.org: "A (4d array): 8 x 1 x 6 x 1; B (3d array): 7 x 1 x 5; Result (4d array): 8 x 7 x 6 x 5"
    assert.deepEqual(broadcastShapes("add", [8, 1, 6, 1], [7, 1, 5]), [8, 7, 6, 5]);
    // "A: 5 x 4, B: 1 → 5 x 4"; "A: 5 x 4, B: 4 → 5 x 4"; "A: 15 x 3 x 5, B: 15 x 1 x 5 → 15 x 3 x 5"
    assert.deepEqual(broadcastShapes("add", [5, 4], [1]), [5, 4]);
    assert.deepEqual(broadcastShapes("add", [5, 4], [4]), [5, 4]);
    assert.deepEqual(broadcastShapes("add", [15, 3, 5], [15, 1, 5]), [15, 3, 5]);
    assert.deepEqual(broadcastShapes("add", [15, 3, 5], [3, 1]), [15, 3, 5]);
    assert.deepEqual(broadcastShapes("add", [], [2, 3]), [2, 3]);
  });

  it("names the op, both shapes and the axis that disagrees", () => {
    // numpy.org's mismatches: "A: 3, B: 4" and "A: 2 x 1, B: 8 x 4 x 3"
    assert.throws(() => broadcastShapes("add", [3], [4]), { message: "add: shapes (3,) and (4,) cannot be broadcast together (3 ≠ 4 at axis -1)" });
    assert.throws(() => broadcastShapes("mul", [2, 1], [8, 4, 3]), { message: "mul: shapes (2, 1) and (8, 4, 3) cannot be broadcast together (2 ≠ 4 at axis -2)" });
    assert.throws(() => tensor([[1, 2, 3]]).add(tensor([1, 2])), /add: shapes \(1, 3\) and \(2,\) cannot be broadcast/);
  });

  it("maps every output element to its source element", () => {
    // [2, 1] over [2, 3]: row r of the output reads element r; [3] over [2, 3]: column c reads c.
    assert.deepEqual([...broadcastIndex([2, 1], [2, 3])!], [0, 0, 0, 1, 1, 1]);
    assert.deepEqual([...broadcastIndex([3], [2, 3])!], [0, 1, 2, 0, 1, 2]);
    assert.deepEqual([...broadcastIndex([], [2, 2])!], [0, 0, 0, 0]);
    assert.deepEqual([...broadcastIndex([2, 1, 2], [2, 3, 2])!], [0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3]);
    assert.equal(broadcastIndex([2, 3], [2, 3]), null);
  });

  it("sums a gradient back over the broadcast axes, and expands values forward", () => {
    const g = tensor([[1, 2, 3], [4, 5, 6]], undefined, "float64");
    assert.deepEqual(sumTo(g, [2, 1]).toArray(), [[6], [15]]);
    assert.deepEqual(sumTo(g, [3]).toArray(), [5, 7, 9]);
    assert.equal(sumTo(g, []).item(), 21);
    assert.equal(sumTo(g, [2, 3]), g);
    assert.deepEqual(expandTo(tensor([1, 2]), [3, 2]).toArray(), [[1, 2], [1, 2], [1, 2]]);
  });

  it("normalises negative axes like PyTorch and prints shapes like PyTorch", () => {
    assert.equal(normAxis("sum", -1, 3), 2);
    assert.equal(normAxis("sum", -3, 3), 0);
    assert.throws(() => normAxis("sum", 3, 3), { message: "sum: axis 3 is out of range for a tensor of rank 3 (expected -3 … 2)" });
    assert.throws(() => normAxis("sum", -4, 3), /out of range/);
    assert.equal(normAxis("softmax", -1, 0), 0); // torch.softmax(torch.tensor(2.0), -1) is allowed
    assert.throws(() => normAxis("sum", 1, 0), { message: "sum: axis 1 is out of range for a tensor of rank 0 (expected 0 or -1)" });
    assert.equal(shapeText([2, 3]), "(2, 3)");
    assert.equal(shapeText([4]), "(4,)");
    assert.equal(shapeText([]), "()");
  });
});
