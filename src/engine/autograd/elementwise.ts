/**
 * Elementwise ops with their backward passes: the binary arithmetic (broadcasting), the unary
 * functions, `where` and `maskedFill`.
 *
 * A binary op takes Tensors or numbers. A number is a 0-d operand of the other operand's dtype (it
 * never promotes a float32 tensor to float64, as in PyTorch); two tensors give float64 when either is.
 * Each backward reduces its gradient to the operand's own shape with `sumTo` (broadcast axes summed).
 */
import { allocFloats, asTensor, sizeOf, Tensor, type FloatArray, type TensorLike } from "../tensor";
import { broadcastIndex, broadcastShapes, expandTo, resultDtype, scalarTensor, shapeText, sumTo } from "./broadcast";
import { track } from "./graph";

/** What a binary op accepts for each operand. */
export type Operand = Tensor | number;

/** Both operands as tensors: a number takes the dtype of the other operand (float32 when both are numbers). */
function operands(a: Operand, b: Operand): [Tensor, Tensor] {
  const ta = typeof a === "number" ? scalarTensor(a, typeof b === "number" ? "float32" : b.dtype) : a;
  const tb = typeof b === "number" ? scalarTensor(b, ta.dtype) : b;
  return [ta, tb];
}

/** out[i] = f(g[i], x[i], y[i]) for a gradient g and two tensors that broadcast to g's shape; g's dtype. */
function zip3(g: Tensor, x: Tensor, y: Tensor, f: (g: number, x: number, y: number) => number): Tensor {
  const mx = broadcastIndex(x.shape, g.shape), my = broadcastIndex(y.shape, g.shape);
  const out = allocFloats(g.size, g.dtype);
  const gd = g.data, xd = x.data, yd = y.data;
  for (let i = 0; i < out.length; i++) out[i] = f(gd[i], xd[mx ? mx[i] : i], yd[my ? my[i] : i]);
  return new Tensor(out, g.shape);
}

/**
 * Both operands broadcast to their common shape as flat arrays (copies only for an operand that
 * is broadcast), and the result's dtype: the per-op loops below then index all three alike.
 */
function expanded(op: string, x: Tensor, y: Tensor): { shape: number[]; xd: FloatArray; yd: FloatArray; out: FloatArray } {
  const shape = broadcastShapes(op, x.shape, y.shape);
  return { shape, xd: expandTo(x, shape).data, yd: expandTo(y, shape).data, out: allocFloats(sizeOf(shape), resultDtype(x.dtype, y.dtype)) };
}

// Each op writes its own loop: one shared loop calling a per-op closure per element runs several
// times slower once V8 has seen more than a few closures at that call site.

/** a + b (broadcasting). */
export function add(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const { shape, xd, yd, out } = expanded("add", x, y);
  for (let i = 0; i < out.length; i++) out[i] = xd[i] + yd[i];
  return track(new Tensor(out, shape), "add", [x, y], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)]);
}

/** a − b (broadcasting). */
export function sub(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const { shape, xd, yd, out } = expanded("sub", x, y);
  for (let i = 0; i < out.length; i++) out[i] = xd[i] - yd[i];
  return track(new Tensor(out, shape), "sub", [x, y], (g) => [sumTo(g, x.shape), y.requiresGrad ? sumTo(neg(g), y.shape) : null]);
}

/** a · b elementwise (broadcasting). */
export function mul(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const { shape, xd, yd, out } = expanded("mul", x, y);
  for (let i = 0; i < out.length; i++) out[i] = xd[i] * yd[i];
  return track(new Tensor(out, shape), "mul", [x, y], (g) => {
    const gd = g.data;
    let gx: Tensor | null = null, gy: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocFloats(gd.length, g.dtype);
      for (let i = 0; i < d.length; i++) d[i] = gd[i] * yd[i];
      gx = sumTo(new Tensor(d, shape), x.shape);
    }
    if (y.requiresGrad) {
      const d = allocFloats(gd.length, g.dtype);
      for (let i = 0; i < d.length; i++) d[i] = gd[i] * xd[i];
      gy = sumTo(new Tensor(d, shape), y.shape);
    }
    return [gx, gy];
  });
}

/** a / b elementwise (broadcasting). */
export function div(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const { shape, xd, yd, out } = expanded("div", x, y);
  for (let i = 0; i < out.length; i++) out[i] = xd[i] / yd[i];
  return track(new Tensor(out, shape), "div", [x, y], (g) => {
    const gd = g.data;
    let gx: Tensor | null = null, gy: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocFloats(gd.length, g.dtype);
      for (let i = 0; i < d.length; i++) d[i] = gd[i] / yd[i];
      gx = sumTo(new Tensor(d, shape), x.shape);
    }
    if (y.requiresGrad) {
      // d(p/q)/dq = −p/q²
      const d = allocFloats(gd.length, g.dtype);
      for (let i = 0; i < d.length; i++) d[i] = (-gd[i] * xd[i]) / (yd[i] * yd[i]);
      gy = sumTo(new Tensor(d, shape), y.shape);
    }
    return [gx, gy];
  });
}

/**
 * a ** b elementwise (broadcasting). Gradients as PyTorch's derivatives.yaml: b·a^(b−1) for the base
 * (0 where b = 0, so x ** 0 has zero gradient even at x = 0), a^b·ln a for the exponent (0 where
 * a = 0 and b ≥ 0, the limit PyTorch takes instead of 0 · −∞).
 */
export function pow(a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b);
  const { shape, xd, yd, out } = expanded("pow", x, y);
  for (let i = 0; i < out.length; i++) out[i] = Math.pow(xd[i], yd[i]);
  return track(new Tensor(out, shape), "pow", [x, y], (g) => {
    const gd = g.data;
    let gx: Tensor | null = null, gy: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocFloats(gd.length, g.dtype);
      for (let i = 0; i < d.length; i++) d[i] = yd[i] === 0 ? 0 : gd[i] * yd[i] * Math.pow(xd[i], yd[i] - 1);
      gx = sumTo(new Tensor(d, shape), x.shape);
    }
    if (y.requiresGrad) {
      const d = allocFloats(gd.length, g.dtype);
      for (let i = 0; i < d.length; i++) d[i] = xd[i] === 0 && yd[i] >= 0 ? 0 : gd[i] * out[i] * Math.log(xd[i]);
      gy = sumTo(new Tensor(d, shape), y.shape);
    }
    return [gx, gy];
  });
}

/**
 * A unary op: `forward` fills y from x, `backward` fills the input gradient gx from the output
 * gradient g, x and y (each op's derivative written in whichever of x and y is cheaper).
 */
function unary(
  op: string, x: Tensor,
  forward: (y: FloatArray, x: FloatArray) => void,
  backward: (gx: FloatArray, g: FloatArray, x: FloatArray, y: FloatArray) => void,
): Tensor {
  const xd = x.data;
  const yd = allocFloats(xd.length, x.dtype);
  forward(yd, xd);
  return track(new Tensor(yd, x.shape), op, [x], (g) => {
    const gx = allocFloats(g.size, g.dtype);
    backward(gx, g.data, xd, yd);
    return [new Tensor(gx, x.shape)];
  });
}

/** −x. */
export function neg(x: Tensor): Tensor {
  return unary("neg", x,
    (y, v) => { for (let i = 0; i < y.length; i++) y[i] = -v[i]; },
    (gx, g) => { for (let i = 0; i < gx.length; i++) gx[i] = -g[i]; });
}

/** eˣ. */
export function exp(x: Tensor): Tensor {
  return unary("exp", x,
    (y, v) => { for (let i = 0; i < y.length; i++) y[i] = Math.exp(v[i]); },
    (gx, g, _v, y) => { for (let i = 0; i < gx.length; i++) gx[i] = g[i] * y[i]; });
}

/** ln x (NaN below 0, −∞ at 0, as in PyTorch). */
export function log(x: Tensor): Tensor {
  return unary("log", x,
    (y, v) => { for (let i = 0; i < y.length; i++) y[i] = Math.log(v[i]); },
    (gx, g, v) => { for (let i = 0; i < gx.length; i++) gx[i] = g[i] / v[i]; });
}

/** √x. */
export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", x,
    (y, v) => { for (let i = 0; i < y.length; i++) y[i] = Math.sqrt(v[i]); },
    (gx, g, _v, y) => { for (let i = 0; i < gx.length; i++) gx[i] = g[i] / (2 * y[i]); });
}

/** tanh x; d/dx = 1 − tanh² x. */
export function tanh(x: Tensor): Tensor {
  return unary("tanh", x,
    (y, v) => { for (let i = 0; i < y.length; i++) y[i] = Math.tanh(v[i]); },
    (gx, g, _v, y) => { for (let i = 0; i < gx.length; i++) gx[i] = g[i] * (1 - y[i] * y[i]); });
}

/** σ(x) = 1 / (1 + e^−x); d/dx = σ(1 − σ). */
export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x,
    (y, v) => { for (let i = 0; i < y.length; i++) y[i] = 1 / (1 + Math.exp(-v[i])); },
    (gx, g, _v, y) => { for (let i = 0; i < gx.length; i++) gx[i] = g[i] * y[i] * (1 - y[i]); });
}

/** max(x, 0); the gradient at exactly 0 is 0, as in PyTorch. */
export function relu(x: Tensor): Tensor {
  return unary("relu", x,
    (y, v) => { for (let i = 0; i < y.length; i++) y[i] = v[i] > 0 ? v[i] : 0; },
    (gx, g, v) => { for (let i = 0; i < gx.length; i++) gx[i] = v[i] > 0 ? g[i] : 0; });
}

/** |x|; the gradient is sign(x) · g, 0 at 0 as in PyTorch. */
export function abs(x: Tensor): Tensor {
  return unary("abs", x,
    (y, v) => { for (let i = 0; i < y.length; i++) y[i] = Math.abs(v[i]); },
    (gx, g, v) => { for (let i = 0; i < gx.length; i++) gx[i] = v[i] > 0 ? g[i] : v[i] < 0 ? -g[i] : 0; });
}

/** A copy of x (in `dtype`) that stays in the graph: the gradient passes through, converted back to x's dtype. */
export function copy(x: Tensor, dtype = x.dtype): Tensor {
  const out = allocFloats(x.size, dtype);
  out.set(x.data);
  return track(new Tensor(out, x.shape), "clone", [x], (g) => [g]);
}

/** Nested arrays of booleans (a JavaScript mask) become 1s and 0s; anything else is left as it is. */
function numericMask(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  return Array.isArray(v) ? v.map(numericMask) : v;
}

/** A condition as a tensor (nonzero or true = true); no gradient ever flows into it. */
function condition(c: TensorLike | boolean[] | boolean[][] | boolean[][][]): Tensor {
  return asTensor(numericMask(c) as TensorLike);
}

/**
 * `cond ? a : b` elementwise, the three broadcast together (like torch.where); `cond` is nonzero for
 * true (nested boolean arrays work too). The gradient goes to `a` where cond holds and to `b` elsewhere.
 */
export function where(cond: TensorLike | boolean[] | boolean[][] | boolean[][][], a: Tensor | number, b: Tensor | number): Tensor {
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
export function maskedFill(x: Tensor, mask: TensorLike | boolean[] | boolean[][] | boolean[][][], value: number): Tensor {
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
