/**
 * `rnn.nn.utils`: `clipGradNorm_(params, maxNorm)`, torch.nn.utils.clip_grad_norm_ — between
 * `loss.backward()` and `optimizer.step()`, scales every gradient by min(1, maxNorm / (‖g‖₂ + 1e-6)),
 * ‖g‖₂ taken over all the parameters' gradients together (clip.ts clipByGlobalNorm, which `fit`'s
 * clipNorm uses too), in place. Parameters without a gradient are skipped.
 */
import { clipByGlobalNorm } from "../clip";
import { resolveParams, type ParamsLike } from "./optim";

/**
 * Clips the gradients of `params` (a Module, `model.parameters()` or an array of tensors) to a
 * global L2 norm of at most `maxNorm` and returns the norm they had before.
 * Porting note: PyTorch returns the norm as a 0-d tensor; here it is a number. Only the L2 norm.
 */
export function clipGradNorm_(params: ParamsLike, maxNorm: number): number {
  const where = "rnn.nn.utils.clipGradNorm_";
  if (!(typeof maxNorm === "number" && maxNorm > 0 && Number.isFinite(maxNorm))) {
    throw new Error(`${where}: maxNorm must be a positive finite number, got ${maxNorm}`);
  }
  const { tensors } = resolveParams(params, where);
  const grads = tensors.flatMap((t) => (t.grad ? [t.grad.data] : []));
  return clipByGlobalNorm(grads, maxNorm).preClipNorm;
}
