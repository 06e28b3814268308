/**
 * Comparisons `gt lt ge le eq` (broadcasting): 1 where the relation holds, else 0, in the operands'
 * dtype. Porting note: PyTorch returns bool tensors; numbers 0/1 serve as masks here directly
 * (`x.mul(x.gt(0))`, `maskedFill`, `where`, a mean for an accuracy). Not differentiable, as in
 * PyTorch: the result never requires grad.
 */
import { allocFloats, sizeOf, Tensor } from "../tensor";
import { broadcastShapes, expandTo, resultDtype, scalarTensor } from "./broadcast";

type Relation = "gt" | "lt" | "ge" | "le" | "eq";

function compare(op: Relation, a: Tensor, b: Tensor | number): Tensor {
  const tb = typeof b === "number" ? scalarTensor(b, a.dtype) : b;
  if (!(tb instanceof Tensor)) throw new Error(`${op}: expected a tensor or a number to compare with, got ${typeof b}`);
  const shape = broadcastShapes(op, a.shape, tb.shape);
  const x = expandTo(a, shape).data, y = expandTo(tb, shape).data;
  const out = allocFloats(sizeOf(shape), resultDtype(a.dtype, tb.dtype));
  // One loop per relation: a shared loop with a per-element closure is several times slower in V8.
  switch (op) {
    case "gt": for (let i = 0; i < out.length; i++) out[i] = x[i] > y[i] ? 1 : 0; break;
    case "lt": for (let i = 0; i < out.length; i++) out[i] = x[i] < y[i] ? 1 : 0; break;
    case "ge": for (let i = 0; i < out.length; i++) out[i] = x[i] >= y[i] ? 1 : 0; break;
    case "le": for (let i = 0; i < out.length; i++) out[i] = x[i] <= y[i] ? 1 : 0; break;
    case "eq": for (let i = 0; i < out.length; i++) out[i] = x[i] === y[i] ? 1 : 0; break;
  }
  return new Tensor(out, shape);
}

export const gt = (a: Tensor, b: Tensor | number): Tensor => compare("gt", a, b);
export const lt = (a: Tensor, b: Tensor | number): Tensor => compare("lt", a, b);
export const ge = (a: Tensor, b: Tensor | number): Tensor => compare("ge", a, b);
export const le = (a: Tensor, b: Tensor | number): Tensor => compare("le", a, b);
export const eq = (a: Tensor, b: Tensor | number): Tensor => compare("eq", a, b);
