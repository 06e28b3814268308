/**
 * Gradient clipping ("clip to mitigate exploding gradients"), in place on the gradient buffers, each
 * mode reporting what it did so `fit` can plot pre/post-clip norms and how often clipping bites.
 *
 *   byGlobalNorm(grads, maxNorm)  PyTorch clip_grad_norm_: scale every gradient by
 *                                 min(1, maxNorm / (‖g‖₂ + 1e-6)) where ‖g‖₂ is over all tensors together.
 *   perTensor(grads, maxNorm)     each tensor scaled to norm ≤ maxNorm on its own (Keras's `clipnorm`;
 *                                 Keras's `global_clipnorm` is byGlobalNorm).
 *   byValue(grads, clipValue)     PyTorch clip_grad_value_ / Keras `clipvalue`: clamp to [−v, v].
 *
 * Every report: preClipNorm and postClipNorm (global L2 norms before/after) and fractionClipped —
 * the fraction of gradient elements whose value the clipping changed.
 */

export type Floats = Float32Array | Float64Array;

/** What one clipping call did (fit records these per batch, see History.preClipNorm). */
export interface ClipReport {
  /** Global L2 norm of all gradients before clipping. */
  preClipNorm: number;
  /** Global L2 norm after clipping (equal to preClipNorm when nothing was clipped). */
  postClipNorm: number;
  /** Fraction of gradient elements changed by clipping, in [0, 1]. */
  fractionClipped: number;
}

/** Global L2 norm over several gradient buffers. */
export function globalNorm(grads: readonly Floats[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  return Math.sqrt(sum);
}

function elementCount(grads: readonly Floats[]): number {
  return grads.reduce((a, g) => a + g.length, 0);
}

function checkThreshold(kind: string, v: number): void {
  if (!(typeof v === "number" && v > 0 && Number.isFinite(v))) throw new Error(`${kind} must be a positive finite number, got ${v}`);
}

/** Scales all gradients together so their global norm is at most maxNorm (PyTorch's 1e-6 guard included). */
export function clipByGlobalNorm(grads: readonly Floats[], maxNorm: number): ClipReport {
  checkThreshold("clipNorm", maxNorm);
  const pre = globalNorm(grads);
  const coef = maxNorm / (pre + 1e-6);
  if (coef >= 1) return { preClipNorm: pre, postClipNorm: pre, fractionClipped: 0 };
  let changed = 0;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      if (g[i] !== 0) changed++;
      g[i] *= coef;
    }
  }
  return { preClipNorm: pre, postClipNorm: globalNorm(grads), fractionClipped: changed / Math.max(1, elementCount(grads)) };
}

/** Scales each gradient tensor whose own norm exceeds maxNorm down to maxNorm. */
export function clipPerTensor(grads: readonly Floats[], maxNorm: number): ClipReport {
  checkThreshold("clipPerTensor", maxNorm);
  const pre = globalNorm(grads);
  let changed = 0;
  for (const g of grads) {
    const n = globalNorm([g]);
    if (n <= maxNorm) continue;
    const coef = maxNorm / n;
    for (let i = 0; i < g.length; i++) {
      if (g[i] !== 0) changed++;
      g[i] *= coef;
    }
  }
  return { preClipNorm: pre, postClipNorm: changed ? globalNorm(grads) : pre, fractionClipped: changed / Math.max(1, elementCount(grads)) };
}

/** Clamps every gradient element to [−clipValue, clipValue]. */
export function clipByValue(grads: readonly Floats[], clipValue: number): ClipReport {
  checkThreshold("clipValue", clipValue);
  const pre = globalNorm(grads);
  let changed = 0;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      if (g[i] > clipValue) {
        g[i] = clipValue;
        changed++;
      } else if (g[i] < -clipValue) {
        g[i] = -clipValue;
        changed++;
      }
    }
  }
  return { preClipNorm: pre, postClipNorm: changed ? globalNorm(grads) : pre, fractionClipped: changed / Math.max(1, elementCount(grads)) };
}

export interface ClipOptions {
  /** Global-norm threshold (PyTorch clip_grad_norm_). */
  clipNorm?: number;
  /** Per-tensor norm threshold (Keras clipnorm). */
  clipPerTensor?: number;
  /** Element value threshold. */
  clipValue?: number;
}

/**
 * Applies the requested clipping modes in the order value → per tensor → global norm and reports the
 * combined effect (pre = before any, post = after all, fraction = elements changed by any mode, at most 1).
 * With no mode set it only measures the norm.
 */
export function clipGradients(grads: readonly Floats[], options: ClipOptions): ClipReport {
  const pre = globalNorm(grads);
  let fraction = 0;
  if (options.clipValue !== undefined) fraction += clipByValue(grads, options.clipValue).fractionClipped;
  if (options.clipPerTensor !== undefined) fraction += clipPerTensor(grads, options.clipPerTensor).fractionClipped;
  if (options.clipNorm !== undefined) fraction += clipByGlobalNorm(grads, options.clipNorm).fractionClipped;
  const any = options.clipValue !== undefined || options.clipPerTensor !== undefined || options.clipNorm !== undefined;
  return { preClipNorm: pre, postClipNorm: any ? globalNorm(grads) : pre, fractionClipped: Math.min(1, fraction) };
}
