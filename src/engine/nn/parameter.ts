/**
 * Module parameters as autograd leaves.
 *
 * Two kinds of parameter meet here: the engine's `Param {value, grad}` (the layers' flat buffers,
 * which the manual `forward`/`backward` of the nn modules and the Keras-family layers read and
 * accumulate into) and the autograd Tensor (tensor.ts, autograd/graph.ts). `paramTensor(p)` joins
 * them: one persistent leaf per Param, the same object on every call, whose `data` IS `p.value` and
 * whose `.grad` is a Tensor view over `p.grad`. So a graph backward (graph.ts accumulateLeaf adds in
 * place into a non-null `.grad`) and a manual `backward` accumulate into the same buffer, an
 * optimizer that writes `data` in place updates the layer, and zeroing either zeroes both.
 *
 * Porting note: PyTorch starts a parameter's `.grad` as None; here every module parameter's `.grad`
 * starts as a zero tensor (what PyTorch 1.13's default `zero_grad()` leaves), because the Param's
 * gradient buffer exists from the start and must stay the one the graph fills. Assigning `null` to
 * it zeroes the buffer instead of dropping it; assigning a tensor copies it in (shape-checked).
 *
 * `Parameter(t)` (torch.nn.Parameter) makes a new leaf over t's values that a Module registers when
 * it is assigned to one of its properties; it gets a zero `.grad` of its own for the same reason.
 */
import type { Param } from "../layer";
import { allocFloats, Tensor } from "../tensor";

const parameters = new WeakSet<Tensor>();
const bridges = new WeakMap<Param, Tensor>();

/** Whether `t` is a module parameter (made by `Parameter(t)` or bridged from a layer's Param). */
export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && parameters.has(t);
}

/**
 * Pins `t.grad` to the buffer `grad` (same size and dtype as t.data): reading gives a Tensor view
 * over it, assigning null zeroes it, assigning a tensor copies its values in.
 */
function pinGrad(t: Tensor, grad: Tensor): void {
  Object.defineProperty(t, "grad", {
    enumerable: true,
    configurable: true,
    get: () => grad,
    set: (v: Tensor | null) => {
      if (v === null || v === undefined) {
        grad.data.fill(0);
        return;
      }
      if (!(v instanceof Tensor) || v.shape.join() !== t.shape.join()) {
        throw new Error(`grad: a parameter's gradient must be a tensor of shape [${t.shape.join(", ")}]` +
          (v instanceof Tensor ? ` but got [${v.shape.join(", ")}]` : ""));
      }
      if (v !== grad) grad.data.set(v.data);
    },
  });
}

/**
 * The persistent autograd leaf of a layer parameter: `data === p.value` (shared storage),
 * `requiresGrad` IS `p.trainable` (setting one sets the other), `.grad` a view over `p.grad`
 * (starts as zeros, never null).
 */
export function paramTensor(p: Param): Tensor {
  let t = bridges.get(p);
  if (!t || t.data !== p.value) {
    t = new Tensor(p.value, p.shape);
    pinGrad(t, new Tensor(p.grad, p.shape));
    // One flag, two names: freezing through the tensor (`w.requiresGrad = false`, PyTorch's way) or
    // through the layer (`p.trainable = false`) is the same, for optimizers and summaries alike.
    Object.defineProperty(t, "requiresGrad", {
      enumerable: true,
      configurable: true,
      get: () => p.trainable,
      set: (on: boolean) => { p.trainable = !!on; },
    });
    parameters.add(t);
    bridges.set(p, t);
  }
  return t;
}

/**
 * `rnn.nn.Parameter(t, requiresGrad = true)`: a new leaf over t's values (shared, not copied; t's
 * graph, if any, is not followed) marked as a module parameter — assigned to a property of a
 * Module (`this.w = rnn.nn.Parameter(rnn.randn([3, 4]))`) it is registered under that name, like
 * torch.nn.Parameter. Its `.grad` starts as zeros (see the header).
 */
export function Parameter(t: Tensor, requiresGrad = true): Tensor {
  if (!(t instanceof Tensor)) {
    throw new Error("rnn.nn.Parameter: expected a tensor, e.g. rnn.nn.Parameter(rnn.randn([3, 4]))");
  }
  const p = new Tensor(t.data, t.shape);
  p.requiresGrad = requiresGrad;
  pinGrad(p, new Tensor(allocFloats(p.size, p.dtype), p.shape));
  parameters.add(p);
  return p;
}
