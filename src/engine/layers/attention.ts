/**
 * Keras's two attention layers, called on [query, value] or [query, value, key] (key defaults to value):
 *
 *   Attention (Luong et al. 2015, "dot"):         S = Q·Kᵀ, times the scalar weight `scale` with useScale
 *   AdditiveAttention (Bahdanau et al. 2015):     S[i, j] = Σ_d scale_d · tanh(Q[i, d] + K[j, d])
 *                                                 (scale [D] with useScale, Keras's default; else 1)
 *   then, for both:  W = softmax_j(S − 1e9 · [value step j masked, or j > i with useCausalMask]),   out = W·V
 *
 * which is Keras 2's `_calculate_scores` / `_apply_scores`; `returnAttentionScores` also outputs W (what
 * `rnn.show.attention` draws). Keras initializes Attention's scale to 1 and AdditiveAttention's with
 * glorot_uniform on [D] (fan_in = fan_out = D). Porting note: Keras's dropout on W and causal mask are
 * not implemented (both default off).
 *
 * Dimension letters: B batch, Tq query steps, Tv value/key steps, D query/key features, Dv value features.
 * Shapes: query [B, Tq, D], value [B, Tv, Dv], key [B, Tv, D], mask [B, Tv] (1 = keep), out [B, Tq, Dv],
 * weights [B, Tq, Tv].
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, LayerConfigData, Param } from "../layer";
import { makeParam } from "../layer";
import { bool, checkKeys } from "../options";
import { getInitializer } from "../random";
import { Tensor, allocFloats, type FloatArray } from "../tensor";
import type { GraphCall } from "../graph/symbolic";
import { MultiInputLayer } from "./merge";

/** Options of `rnn.attention({ useScale? })` and `rnn.additiveAttention({ useScale? })`. */
export interface AttentionOptions {
  /** Learn a scale of the scores: Attention a scalar (default false), AdditiveAttention a vector [dim] (default true). */
  useScale?: boolean;
  /** Layer name (default "attention" / "additive_attention", then "_1", … as Keras). */
  name?: string;
  /** Seed of AdditiveAttention's scale initialization (default: the model's stream). */
  seed?: number;
}

/** Masking as Keras: a masked value step gets a score lowered by 1e9, so its softmax weight is 0. */
const MASK_PENALTY = 1e9;

/** What one forward keeps for backward. */
interface AttentionCache {
  q: Tensor;
  v: Tensor;
  k: Tensor;
  /** Whether key is the value tensor (then ∂L/∂value gets the key gradient too). */
  keyIsValue: boolean;
  /** Softmax weights W [B, Tq, Tv]. */
  w: FloatArray;
  /** Unscaled dot products Q·Kᵀ [B, Tq, Tv] (Attention) or tanh(Q + K) [B, Tq, Tv, D] (AdditiveAttention). */
  aux: FloatArray;
  returnScores: boolean;
  inputs: number;
}

abstract class BaseAttention extends MultiInputLayer {
  readonly useScale: boolean;
  protected scale: Param | undefined;
  private cache: AttentionCache | undefined;

  constructor(base: string, factory: string, options: AttentionOptions, useScaleDefault: boolean) {
    checkKeys(options, ["useScale", "name", "seed"], factory);
    super(base, options.name, options.seed, factory);
    this.useScale = bool(options.useScale, useScaleDefault, "useScale", factory);
  }

  get config(): LayerConfigData {
    return { type: this.type, useScale: this.useScale, name: this.name };
  }

  override graphShapes(inputs: readonly number[][], call: GraphCall): number[][] {
    if (call.states) throw new Error(`layer "${this.name}" (${this.className}) takes no initialState`);
    const out = this.mergedShape(inputs.slice(0, call.main));
    if (call.mask && (inputs[inputs.length - 1].length !== 1 || (inputs[1][0] >= 0 && inputs[inputs.length - 1][0] >= 0 && inputs[inputs.length - 1][0] !== inputs[1][0]))) {
      throw new Error(`layer "${this.name}" (${this.className}): the value mask must be (None, ${inputs[1][0] < 0 ? "timesteps" : inputs[1][0]}), got (None, ${inputs[inputs.length - 1].join(", ")})`);
    }
    return call.returnAttentionScores ? [out, [inputs[0][0], inputs[1][0]]] : [out];
  }

  /** Raw scores S [B, Tq, Tv] into `s`; `aux` keeps what backward needs. */
  protected abstract scores(q: Tensor, k: Tensor, s: FloatArray): FloatArray;
  /** Adds ∂L/∂Q and ∂L/∂K (and the scale's gradient) from ∂L/∂S. */
  protected abstract scoresBackward(q: Tensor, k: Tensor, aux: FloatArray, dS: FloatArray, dq: FloatArray, dk: FloatArray): void;

  graphForward(inputs: Tensor[], _ctx: ForwardContext, call: GraphCall): Tensor[] {
    const [q, v] = inputs;
    const k = call.main === 3 ? inputs[2] : v;
    const mask = call.mask ? inputs[inputs.length - 1] : null;
    this.mergedShape([q, v, ...(call.main === 3 ? [k] : [])].map((t) => t.shape.slice(1)));
    const [B, Tq] = q.shape, Tv = v.shape[1], Dv = v.shape[2];
    const s = allocFloats(B * Tq * Tv, q.dtype);
    const aux = this.scores(q, k, s);
    // Softmax over the value steps, masked steps pushed down by 1e9 (Keras's padding mask).
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < Tq; i++) {
        const o = (b * Tq + i) * Tv;
        let max = -Infinity;
        for (let j = 0; j < Tv; j++) {
          if ((mask && !mask.data[b * Tv + j]) || (call.useCausalMask && j > i)) s[o + j] -= MASK_PENALTY;
          if (s[o + j] > max) max = s[o + j];
        }
        let sum = 0;
        for (let j = 0; j < Tv; j++) sum += (s[o + j] = Math.exp(s[o + j] - max));
        for (let j = 0; j < Tv; j++) s[o + j] /= sum;
      }
    }
    // out [B, Tq, Dv] = W [B, Tq, Tv] · V [B, Tv, Dv]
    const out = allocFloats(B * Tq * Dv, q.dtype);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < Tq; i++) {
        const wo = (b * Tq + i) * Tv, oo = (b * Tq + i) * Dv;
        for (let j = 0; j < Tv; j++) {
          const wij = s[wo + j], vo = (b * Tv + j) * Dv;
          for (let d = 0; d < Dv; d++) out[oo + d] += wij * v.data[vo + d];
        }
      }
    }
    this.cache = { q, v, k, keyIsValue: call.main === 2, w: s, aux, returnScores: call.returnAttentionScores, inputs: inputs.length };
    const outs = [new Tensor(out, [B, Tq, Dv])];
    if (call.returnAttentionScores) outs.push(new Tensor(s.slice(), [B, Tq, Tv]));
    return outs;
  }

  graphBackward(dys: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[] {
    const c = this.cache;
    if (!c) throw new Error(`layer "${this.name}" (${this.className}): backward called without a forward`);
    this.cache = undefined;
    const { q, v, k, w } = c;
    const [B, Tq] = q.shape, Tv = v.shape[1], Dv = v.shape[2];
    const dOut = dys[0], dW = allocFloats(B * Tq * Tv, q.dtype), dv = allocFloats(v.size, q.dtype);
    if (c.returnScores && dys[1]) dW.set(dys[1].data);
    if (dOut) {
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < Tq; i++) {
          const wo = (b * Tq + i) * Tv, oo = (b * Tq + i) * Dv;
          for (let j = 0; j < Tv; j++) {
            const vo = (b * Tv + j) * Dv;
            let acc = 0;
            for (let d = 0; d < Dv; d++) {
              acc += dOut.data[oo + d] * v.data[vo + d]; // ∂L/∂W = ∂L/∂out · Vᵀ
              dv[vo + d] += w[wo + j] * dOut.data[oo + d]; // ∂L/∂V = Wᵀ · ∂L/∂out
            }
            dW[wo + j] += acc;
          }
        }
      }
    }
    // Softmax backward: ∂L/∂S = W ⊙ (∂L/∂W − Σ_j W·∂L/∂W); masked steps have W = 0 and get none.
    const dS = dW;
    for (let r = 0; r < B * Tq; r++) {
      let dot = 0;
      for (let j = 0; j < Tv; j++) dot += w[r * Tv + j] * dW[r * Tv + j];
      for (let j = 0; j < Tv; j++) dS[r * Tv + j] = w[r * Tv + j] * (dW[r * Tv + j] - dot);
    }
    const dq = allocFloats(q.size, q.dtype), dk = allocFloats(k.size, q.dtype);
    this.scoresBackward(q, k, c.aux, dS, dq, dk);
    if (c.keyIsValue) for (let i = 0; i < dv.length; i++) dv[i] += dk[i];
    const grads: (Tensor | null)[] = [needed[0] ? new Tensor(dq, q.shape) : null, needed[1] ? new Tensor(dv, v.shape) : null];
    if (!c.keyIsValue) grads.push(needed[2] ? new Tensor(dk, k.shape) : null);
    while (grads.length < c.inputs) grads.push(null); // the mask takes no gradient
    return grads;
  }
}

/** Keras Attention: dot-product scores, optionally times a learned scalar `scale` (initialized to 1). */
export class Attention extends BaseAttention {
  readonly type = LAYER_FACTS.attention.type;
  readonly className = LAYER_FACTS.attention.className;

  constructor(options: AttentionOptions = {}) {
    super(LAYER_FACTS.attention.baseName, "rnn.attention", options, false);
  }

  protected override buildFrom(inputs: readonly number[][], ctx: BuildContext): void {
    this.scale = undefined;
    const params: Param[] = [];
    if (this.useScale) {
      this.scale = makeParam("scale", [], ctx.dtype);
      this.scale.value[0] = 1; // Keras: initializer "ones"
      params.push(this.scale);
    }
    this.setParams(params, inputs[0]);
  }

  /** S = Q·Kᵀ (× scale); aux keeps Q·Kᵀ for the scale's gradient. */
  protected scores(q: Tensor, k: Tensor, s: FloatArray): FloatArray {
    const [B, Tq, D] = q.shape, Tv = k.shape[1];
    const scale = this.scale ? this.scale.value[0] : 1;
    const raw = allocFloats(B * Tq * Tv, q.dtype);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < Tq; i++) {
        const qo = (b * Tq + i) * D;
        for (let j = 0; j < Tv; j++) {
          const ko = (b * Tv + j) * D;
          let acc = 0;
          for (let d = 0; d < D; d++) acc += q.data[qo + d] * k.data[ko + d];
          raw[(b * Tq + i) * Tv + j] = acc;
          s[(b * Tq + i) * Tv + j] = acc * scale;
        }
      }
    }
    return raw;
  }

  protected scoresBackward(q: Tensor, k: Tensor, raw: FloatArray, dS: FloatArray, dq: FloatArray, dk: FloatArray): void {
    const [B, Tq, D] = q.shape, Tv = k.shape[1];
    const scale = this.scale ? this.scale.value[0] : 1;
    let dScale = 0;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < Tq; i++) {
        const qo = (b * Tq + i) * D;
        for (let j = 0; j < Tv; j++) {
          const g = dS[(b * Tq + i) * Tv + j];
          dScale += g * raw[(b * Tq + i) * Tv + j];
          const ko = (b * Tv + j) * D, gs = g * scale;
          for (let d = 0; d < D; d++) {
            dq[qo + d] += gs * k.data[ko + d];
            dk[ko + d] += gs * q.data[qo + d];
          }
        }
      }
    }
    if (this.scale) this.scale.grad[0] += dScale;
  }
}

/** Keras AdditiveAttention: Bahdanau scores Σ_d scale_d·tanh(q_d + k_d), scale [D] learned with useScale (default). */
export class AdditiveAttention extends BaseAttention {
  readonly type = LAYER_FACTS.additiveAttention.type;
  readonly className = LAYER_FACTS.additiveAttention.className;

  constructor(options: AttentionOptions = {}) {
    super(LAYER_FACTS.additiveAttention.baseName, "rnn.additiveAttention", options, true);
  }

  protected override buildFrom(inputs: readonly number[][], ctx: BuildContext): void {
    this.scale = undefined;
    const params: Param[] = [];
    if (this.useScale) {
      const D = inputs[0][inputs[0].length - 1];
      this.scale = makeParam("scale", [D], ctx.dtype);
      getInitializer("glorotUniform", "additiveAttention scale")(this.scale.value, this.scale.shape, this.initRng(ctx)); // Keras: glorot_uniform
      params.push(this.scale);
    }
    this.setParams(params, inputs[0]);
  }

  /** S[i, j] = Σ_d scale_d·tanh(Q[i, d] + K[j, d]); aux keeps the tanh values [B, Tq, Tv, D]. */
  protected scores(q: Tensor, k: Tensor, s: FloatArray): FloatArray {
    const [B, Tq, D] = q.shape, Tv = k.shape[1];
    const sc = this.scale?.value;
    const th = allocFloats(B * Tq * Tv * D, q.dtype);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < Tq; i++) {
        const qo = (b * Tq + i) * D;
        for (let j = 0; j < Tv; j++) {
          const ko = (b * Tv + j) * D, to = ((b * Tq + i) * Tv + j) * D;
          let acc = 0;
          for (let d = 0; d < D; d++) {
            const t = (th[to + d] = Math.tanh(q.data[qo + d] + k.data[ko + d]));
            acc += (sc ? sc[d] : 1) * t;
          }
          s[(b * Tq + i) * Tv + j] = acc;
        }
      }
    }
    return th;
  }

  protected scoresBackward(q: Tensor, k: Tensor, th: FloatArray, dS: FloatArray, dq: FloatArray, dk: FloatArray): void {
    const [B, Tq, D] = q.shape, Tv = k.shape[1];
    const sc = this.scale?.value, gsc = this.scale?.grad;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < Tq; i++) {
        const qo = (b * Tq + i) * D;
        for (let j = 0; j < Tv; j++) {
          const g = dS[(b * Tq + i) * Tv + j];
          const ko = (b * Tv + j) * D, to = ((b * Tq + i) * Tv + j) * D;
          for (let d = 0; d < D; d++) {
            const t = th[to + d];
            if (gsc) gsc[d] += g * t;
            const dPre = g * (sc ? sc[d] : 1) * (1 - t * t); // tanh' = 1 − tanh²
            dq[qo + d] += dPre;
            dk[ko + d] += dPre;
          }
        }
      }
    }
  }
}

/** `rnn.attention({ useScale? })` — Keras Attention (Luong dot-product) on [query, value] or [query, value, key]. */
export function attention(options: AttentionOptions = {}): Attention {
  return new Attention(options);
}

/** `rnn.additiveAttention({ useScale? })` — Keras AdditiveAttention (Bahdanau) on [query, value] or [query, value, key]; scale [dim] by default. */
export function additiveAttention(options: AttentionOptions = {}): AdditiveAttention {
  return new AdditiveAttention(options);
}
