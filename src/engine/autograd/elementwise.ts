/**
 * Elementwise ops with their backward passes: the binary arithmetic (broadcasting), the unary
 * functions, `where` and `maskedFill`.
 *
 * A binary op takes Tensors or numbers. A number is a 0-d operand of the other operand's dtype (it
 * never promotes a float32 tensor to float64, as in PyTorch); two tensors give float64 when either is.
 * Each backward reduces its gradient to the operand's own shape with `sumTo` (broadcast axes summed).
 */
import { allocFloats, asTensor, Tensor, type TensorLike } from "../tensor";
import { broadcastIndex, broadcastShapes, resultDtype, scalarTensor, shapeText, sumTo } from "./broadcast";
import { track } from "./graph";

/** What a binary op accepts for each operand. */
export type Operand = Tensor | number;

/** Both operands as tensors: a number takes the dtype of the other operand (float32 when both are numbers). */
function operands(a: Operand, b: Operand): [Tensor, Tensor] {
  const ta = typeof a === "number" ? scalarTensor(a, typeof b === "number" ? "float32" : b.dtype) : a;
  const tb = typeof b === "number" ? scalarTensor(b, ta.dtype) : b;
  return [ta, tb];
}

/** out[i] = f(a[i], b[i]) over the broadcast shape of a and b. */
function zip(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const ma = broadcastIndex(a.shape, shape), mb = broadcastIndex(b.shape, shape);
  const n = ma?.length ?? mb?.length ?? a.size;
  const out = allocFloats(n, resultDtype(a.dtype, b.dtype));
  const ad = a.data, bd = b.data;
  if (ma === null && mb === null) for (let i = 0; i < n; i++) out[i] = f(ad[i], bd[i]);
  else if (ma === null) for (let i = 0; i < n; i++) out[i] = f(ad[i], bd[mb![i]]);
  else if (mb === null) for (let i = 0; i < n; i++) out[i] = f(ad[ma[i]], bd[i]);
  else for (let i = 0; i < n; i++) out[i] = f(ad[ma[i]], bd[mb[i]]);
  return new Tensor(out, shape);
}

/** out[i] = f(g[i], x[i], y[i]) for a gradient g and two tensors that broadcast to g's shape; g's dtype. */
function zip3(g: Tensor, x: Tensor, y: Tensor, f: (g: number, x: number, y: number) => number): Tensor {
  const mx = broadcastIndex(x.shape, g.shape), my = broadcastIndex(y.shape, g.shape);
  const out = allocFloats(g.size, g.dtype);
  const gd = g.data, xd = x.data, yd = y.data;
  for (let i = 0; i < out.length; i++) out[i] = f(gd[i], xd[mx ? mx[i] : i], yd[my ? my[i] : i]);
  return new Tensor(out, g.shape);
}

/** a + b (broadcasting). */
export function add(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const out = zip("add", x, y, (p, q) => p + q);
  return track(out, "add", [x, y], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)]);
}

/** a − b (broadcasting). */
export function sub(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const out = zip("sub", x, y, (p, q) => p - q);
  return track(out, "sub", [x, y], (g) => [sumTo(g, x.shape), y.requiresGrad ? sumTo(neg(g), y.shape) : null]);
}

/** a · b elementwise (broadcasting). */
export function mul(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const out = zip("mul", x, y, (p, q) => p * q);
  return track(out, "mul", [x, y], (g) => [
    x.requiresGrad ? sumTo(zip3(g, y, y, (gi, q) => gi * q), x.shape) : null,
    y.requiresGrad ? sumTo(zip3(g, x, x, (gi, p) => gi * p), y.shape) : null,
  ]);
}

/** a / b elementwise (broadcasting). */
export function div(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const out = zip("div", x, y, (p, q) => p / q);
  return track(out, "div", [x, y], (g) => [
    x.requiresGrad ? sumTo(zip3(g, y, y, (gi, q) => gi / q), x.shape) : null,
    // d(p/q)/dq = −p/q²
    y.requiresGrad ? sumTo(zip3(g, x, y, (gi, p, q) => (-gi * p) / (q * q)), y.shape) : null,
  ]);
}

/**
 * a ** b elementwise (broadcasting). Gradients as PyTorch's derivatives.yaml: b·a^(b−1) for the base
 * (0 where b = 0, so x ** 0 has zero gradient even at x = 0), a^b·ln a for the exponent (0 where
 * a = 0 and b ≥ 0, the limit PyTorch takes instead of 0 · −∞).
 */
export function pow(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const out = zip("pow", x, y, Math.pow);
  return track(out, "pow", [x, y], (g) => [
    x.requiresGrad ? sumTo(zip3(g, x, y, (gi, p, q) => (q === 0 ? 0 : gi * q * Math.pow(p, q - 1))), x.shape) : null,
    y.requiresGrad ? sumTo(zip3(g, x, y, (gi, p, q) => (p === 0 && q >= 0 ? 0 : gi * Math.pow(p, q) * Math.log(p))), y.shape) : null,
  ]);
}

/**
 * A unary op: y = f(x), and the input gradient from the output gradient, x and y (each op's
 * derivative written in whichever of x and y is cheaper).
 */
function unary(op: string, x: Tensor, f: (v: number) => number, df: (g: number, x: number, y: number) => number): Tensor {
  const xd = x.data;
  const yd = allocFloats(xd.length, x.dtype);
  for (let i = 0; i < xd.length; i++) yd[i] = f(xd[i]);
  const y = new Tensor(yd, x.shape);
  return track(y, op, [x], (g) => {
    const gd = g.data;
    const out = allocFloats(gd.length, g.dtype);
    for (let i = 0; i < gd.length; i++) out[i] = df(gd[i], xd[i], yd[i]);
    return [new Tensor(out, x.shape)];
  });
}

/** −x. */
export function neg(x: Tensor): Tensor {
  return unary("neg", x, (v) => -v, (g) => -g);
}

/** eˣ. */
export function exp(x: Tensor): Tensor {
  return unary("exp", x, Math.exp, (g, _x, y) => g * y);
}

/** ln x (NaN below 0, −∞ at 0, as in PyTorch). */
export function log(x: Tensor): Tensor {
  return unary("log", x, Math.log, (g, v) => g / v);
}

/** √x. */
export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", x, Math.sqrt, (g, _x, y) => g / (2 * y));
}

/** tanh x; d/dx = 1 − tanh² x. */
export function tanh(x: Tensor): Tensor {
  return unary("tanh", x, Math.tanh, (g, _x, y) => g * (1 - y * y));
}

/** σ(x) = 1 / (1 + e^−x); d/dx = σ(1 − σ). */
export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x, (v) => 1 / (1 + Math.exp(-v)), (g, _x, y) => g * y * (1 - y));
}

/** max(x, 0); the gradient at exactly 0 is 0, as in PyTorch. */
export function relu(x: Tensor): Tensor {
  return unary("relu", x, (v) => (v > 0 ? v : 0), (g, v) => (v > 0 ? g : 0));
}

/** |x|; the gradient is sign(x) · g, 0 at 0 as in PyTorch. */
export function abs(x: Tensor): Tensor {
  return unary("abs", x, Math.abs, (g, v) => (v > 0 ? g : v < 0 ? -g : 0));
}

/** A copy of x (in `dtype`) that stays in the graph: the gradient passes through, converted back to x's dtype. */
export function copy(x: Tensor, dtype = x.dtype): Tensor {
  const out = allocFloats(x.size, dtype);
  out.set(x.data);
  return track(new Tensor(out, x.shape), "clone", [x], (g) => [g]);
}

/** A condition as a tensor (nonzero = true); no gradient ever flows into it. */
function condition(c: TensorLike): Tensor {
  return asTensor(c);
}

/**
 * `cond ? a : b` elementwise, the three broadcast together (like torch.where); `cond` is nonzero for
 * true. The gradient goes to `a` where cond holds and to `b` elsewhere.
 */
export function where(cond: TensorLike, a: Tensor | number, b: Tensor | number): Tensor {
  const c = condition(cond);
  const [x, y] = operands(a, b);
  const shape = broadcastShapes("where", c.shape, broadcastShapes("where", x.shape, y.shape));
  const mc = broadcastIndex(c.shape, shape), mx = broadcastIndex(x.shape, shape), my = broadcastIndex(y.shape, shape);
  const out = allocFloats(mc?.length ?? c.size, resultDtype(x.dtype, y.dtype));
  const cd = c.data, xd = x.data, yd = y.data;
  for (let i = 0; i < out.length; i++) out[i] = cd[mc ? mc[i] : i] !== 0 ? xd[mx ? mx[i] : i] : yd[my ? my[i] : i];
  return track(new Tensor(out, shape), "where", [x, y], (g) => [
    x.requiresGrad ? sumTo(zip3(g, c, c, (gi, ci) => (ci !== 0 ? gi : 0)), x.shape) : null,
    y.requiresGrad ? sumTo(zip3(g, c, c, (gi, ci) => (ci !== 0 ? 0 : gi)), y.shape) : null,
  ]);
}

/**
 * x with `value` wherever `mask` (nonzero = true, broadcast to x's shape) holds, like
 * torch.Tensor.masked_fill — e.g. −∞ at padded positions before a softmax. No gradient reaches x
 * where it was filled.
 */
export function maskedFill(x: Tensor, mask: TensorLike, value: number): Tensor {
  const m = condition(mask);
  const shape = broadcastShapes("maskedFill", m.shape, x.shape);
  if (shape.length !== x.shape.length || shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`maskedFill: the mask of shape ${shapeText(m.shape)} does not broadcast to the tensor's shape ${shapeText(x.shape)}`);
  }
  const mm = broadcastIndex(m.shape, shape);
  const out = allocFloats(x.size, x.dtype);
  const md = m.data, xd = x.data;
  for (let i = 0; i < out.length; i++) out[i] = md[mm ? mm[i] : i] !== 0 ? value : xd[i];
  return track(new Tensor(out, shape), "maskedFill", [x], (g) => [zip3(g, m, m, (gi, mi) => (mi !== 0 ? 0 : gi))]);
}
