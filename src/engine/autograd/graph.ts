/**
 * The autograd tape: how a result remembers the op that made it, and how `backward` walks it.
 *
 * Every differentiable op computes its forward values first, then calls `track(out, op, inputs,
 * backward)`. When gradients are enabled (not inside `noGrad`) and some input requires a gradient,
 * the result gets a node: the inputs and a closure that maps the result's gradient to the inputs'
 * gradients (each op's closure sits next to its forward, in elementwise.ts, reduce.ts, shape.ts,
 * matmul.ts). Leaves are tensors the user made with `requiresGrad: true`; they have no node and
 * receive their gradient in `.grad`.
 *
 * `backward(root, grad)` sorts the nodes reachable from the root (depth-first, iteratively so a
 * long unrolled recurrence does not overflow the stack), visits them in reverse order so each
 * tensor's gradient is complete before its node runs, and accumulates into the leaves' `.grad` —
 * gradients ADD to what is there, as in PyTorch, so a training loop zeroes them between steps.
 * A non-leaf marked with `retainGrad()` keeps its complete gradient in `.grad` the same way (added
 * when its node is reached, i.e. once every path into it has contributed).
 * The closures run with gradients disabled: backward builds no graph of its own (no double
 * backward). Afterwards every node of the graph is freed (its closure, and with it the saved
 * tensors, dropped); a second backward through it throws.
 *
 * A gradient that is zero but for one block along an axis — what `narrow`/`select` send back, e.g.
 * for `output[:, -1]` of a recurrent layer — travels as a `NarrowedGrad` (the block and where it
 * sits) instead of a full-size array of zeros. It becomes a full tensor where one is needed (a leaf,
 * a second path into the same tensor, any op that did not declare it reads one), so every op but
 * those few sees plain tensors; a fused recurrent layer takes the block itself.
 *
 * Porting note: PyTorch lets a second backward through ops that saved nothing (e.g. a bare `add`)
 * succeed and fails only where saved tensors were freed; here every freed node refuses, so the
 * error does not depend on which ops a graph happens to contain.
 */
import { allocFloats, Tensor } from "../tensor";
import { sameShape, shapeText } from "./broadcast";

/**
 * A gradient of shape `shape` that is zero outside entries [start, start + part.shape[axis]) of
 * `axis`, where it equals `part` (part's shape is `shape` with that axis shortened).
 */
export class NarrowedGrad {
  /** `full` makes the full-size gradient (zeros around the block). */
  constructor(readonly part: Tensor, readonly shape: readonly number[], readonly axis: number, readonly start: number,
              readonly full: () => Tensor) {}
}

/** A gradient as the tape carries it: a tensor, or a block of one (see NarrowedGrad). */
export type Grad = Tensor | NarrowedGrad;

/** Maps the gradient of a node's result (same shape) to one gradient per input (null: none). */
export type BackwardFn = (grad: Tensor) => (Grad | null)[];

/** One recorded op: its inputs and the closure that sends a gradient back to them. */
export interface GraphNode {
  /** The op's name, for error messages. */
  readonly op: string;
  /** The op's tensor inputs, in the order `backward` returns their gradients (emptied when freed). */
  inputs: readonly Tensor[];
  /** null once a backward pass went through this node (its saved values are gone). */
  backward: BackwardFn | null;
  /** True when `backward` takes a NarrowedGrad as it is (its parameter is then really a Grad). */
  readonly takesNarrowed?: boolean;
}

/** The gradient as a plain tensor. */
function fullGrad(g: Grad): Tensor {
  return g instanceof NarrowedGrad ? g.full() : g;
}

let gradEnabled = true;

/** Whether ops record a graph right now (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` with graph recording switched off (like `with torch.no_grad():`): results computed inside
 * do not require gradients and keep no references to their inputs — for evaluation, and for
 * updating parameters in place. Synchronous: work `fn` starts asynchronously runs after the switch
 * is back on.
 */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/**
 * Records `out` as the result of `op` on `inputs` when gradients are on and some input requires
 * one; returns `out` either way.
 */
export function track(out: Tensor, op: string, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out._node = { op, inputs, backward };
  }
  return out;
}

/**
 * Records `outs` as the results of ONE op on `inputs` (a fused op with several results: a recurrent
 * layer's output and final states, a cell's h and c) when gradients are on and some input requires
 * one. `backward` runs once per backward pass with each result's gradient (null for a result no path
 * reached) and returns one gradient per input.
 *
 * How it fits the one-result tape: the op's node sits on a hidden one-element tensor; each result
 * hangs on it by a node that only keeps the gradient it receives and sends back a zero. The hidden
 * tensor is computed before every result, so the sort visits all the results first and the op's
 * node last, with every result's gradient complete.
 */
export function trackMulti(outs: readonly Tensor[], op: string, inputs: readonly Tensor[],
                           backward: (grads: (Tensor | null)[]) => (Grad | null)[]): void;
/** With `takesNarrowed`: `backward` receives a result's NarrowedGrad as it is (e.g. only a recurrent output's last step). */
export function trackMulti(outs: readonly Tensor[], op: string, inputs: readonly Tensor[],
                           backward: (grads: (Grad | null)[]) => (Grad | null)[], takesNarrowed: true): void;
export function trackMulti(outs: readonly Tensor[], op: string, inputs: readonly Tensor[],
                           backward: ((grads: (Tensor | null)[]) => (Grad | null)[]) | ((grads: (Grad | null)[]) => (Grad | null)[]),
                           takesNarrowed = false): void {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return;
  const dtype = outs[0].dtype;
  // Without takesNarrowed the results' nodes receive full tensors only (the tape expands any block).
  const kept: (Grad | null)[] = outs.map(() => null);
  const joint = new Tensor(allocFloats(1, dtype), []);
  joint._node = { op, inputs, backward: () => (backward as (grads: (Grad | null)[]) => (Grad | null)[])(kept) };
  outs.forEach((out, i) => {
    out._node = { op, inputs: [joint], takesNarrowed, backward: (grad: Grad) => {
      kept[i] = grad;
      return [new Tensor(allocFloats(1, dtype), [])];
    } } as GraphNode;
  });
}

/** `g` in `dtype` (a copy only when it differs). */
function asDtype(g: Tensor, like: Tensor): Tensor {
  return g.dtype === like.dtype ? g : g.clone(like.dtype);
}

/** a + b elementwise, both of a's shape, as a new tensor. */
function addSame(a: Tensor, b: Tensor): Tensor {
  const out = allocFloats(a.size, a.dtype);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return new Tensor(out, a.shape);
}

/** `g` in `like`'s dtype (a NarrowedGrad of another dtype becomes a full tensor). */
function gradAsDtype(g: Grad, like: Tensor): Grad {
  return g instanceof NarrowedGrad && g.part.dtype === like.dtype ? g : asDtype(fullGrad(g), like);
}

/** The nodes' tensors reachable from `root`, each after every tensor computed from it (reverse topological order). */
function reverseTopological(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  // Explicit stack of [tensor, next input to visit]: post-order without recursion.
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const node = top[0]._node!;
    if (top[1] < node.inputs.length) {
      const input = node.inputs[top[1]++];
      if (input._node && !seen.has(input)) {
        seen.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  return order.reverse();
}

/** `root.backward(grad)`: see the header. */
export function backward(root: Tensor, grad?: Tensor | number): void {
  if (!root.requiresGrad) {
    throw new Error("backward: this tensor does not require grad (make its inputs with requiresGrad: true, outside rnn.noGrad)");
  }
  let g: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new Error(`backward: a gradient can be implied only for a scalar output, but this one has shape ${shapeText(root.shape)}; ` +
        "pass backward(grad) with a gradient of that shape, or reduce it first (e.g. .sum())");
    }
    g = new Tensor(allocFloats(1, root.dtype).fill(1), root.shape);
  } else {
    g = typeof grad === "number" ? new Tensor(allocFloats(1, root.dtype).fill(grad), []) : grad;
    if (!sameShape(g.shape, root.shape) && !(typeof grad === "number" && root.size === 1)) {
      throw new Error(`backward: the gradient has shape ${shapeText(g.shape)} but the output has shape ${shapeText(root.shape)}`);
    }
    g = asDtype(g.reshape(root.shape), root);
  }
  if (!root._node) {
    accumulateLeaf(root, g);
    return;
  }
  const order = reverseTopological(root);
  for (const t of order) {
    if (t._node!.backward === null) {
      throw new Error(`backward: trying to backward through the graph a second time (through "${t._node!.op}"): ` +
        "a backward pass frees the graph; compute the forward pass again for another backward");
    }
  }
  const grads = new Map<Tensor, Grad>([[root, g]]);
  const before = gradEnabled;
  gradEnabled = false;
  try {
    for (const t of order) {
      const node = t._node!;
      const gt = grads.get(t);
      grads.delete(t);
      const fn = node.backward!;
      node.backward = null;
      if (!gt) continue;
      const gFull = node.takesNarrowed ? null : fullGrad(gt);
      if (t._retainsGrad) accumulateLeaf(t, asDtype(gFull ?? fullGrad(gt), t));
      // (A node that takes a NarrowedGrad declares its closure's parameter as a Grad.)
      const gs = fn(gFull ?? (gt as Tensor));
      node.inputs.forEach((input, i) => {
        const gi = gs[i];
        if (!gi || !input.requiresGrad) return;
        const gIn = gradAsDtype(gi, input);
        if (input._node) {
          const prev = grads.get(input);
          grads.set(input, prev ? addSame(fullGrad(prev), fullGrad(gIn)) : gIn);
        } else {
          accumulateLeaf(input, fullGrad(gIn));
        }
      });
    }
  } finally {
    gradEnabled = before;
    // Every node the pass reached is freed, a failed pass included: its saved values and its
    // references to the intermediate tensors go, so only the leaves' gradients outlive the pass.
    for (const t of order) {
      t._node!.backward = null;
      t._node!.inputs = [];
    }
  }
}

/** leaf.grad += g (a fresh copy the first time, so no two leaves ever share a gradient buffer). */
function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (leaf.grad === null) {
    leaf.grad = g.clone(leaf.dtype);
    return;
  }
  const acc = leaf.grad.data;
  for (let i = 0; i < acc.length; i++) acc[i] += g.data[i];
}
