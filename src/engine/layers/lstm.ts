/**
 * LSTM (Hochreiter & Schmidhuber 1997, with forget gate, Gers et al. 2000), gate blocks i, f, g, o:
 *   i = σ(z_i)   f = σ(z_f)   g = act(z_g)   o = σ(z_o)       z = x_t·W + h_{t−1}·U + b
 *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ act(c_t)         (σ = recurrentActivation, act = activation)
 * The cell math for one timestep (forward and backward) plus the Keras factory `rnn.lstm`.
 * Keras calls the candidate block "c" (order i, f, c, o) — the same math as PyTorch's i, f, g, o.
 *
 * Dimension letters: B batch, H units, G = 4H. Buffers are RecurrentCore's (recurrent.ts):
 * act holds [i, f, g, o] per row, cs the cell states (slot s+1 after step s), aux act(c_s).
 */
import { LAYER_FACTS } from "../layerFacts";
import { gemmTN } from "../ops";
import { lstmStepForward } from "../pointwise";
import { recurrentProduct, sigm, tanhExp, recurrentGemmT, type Cell, type CoreWeights, type RecurrentCore } from "../recurrent";
import type { GateName } from "../layer";
import { KerasRecurrentLayer, type KerasRecurrentOptions } from "./kerasRecurrent";

/** lstmForward / lstmBackward for one step s. */
export const lstmCell: Cell = {
  kind: "lstm",
  gates: 4,
  directStatePath: false,
  recordedGates: ["i", "f", "g", "o", "c", "h"],

  forwardStep(core: RecurrentCore, s: number): void {
    const { B, H, G } = core;
    const zOff = s * B * G;
    // zx[s] (B,4H) += h_{s−1} (B,H) · U (H,4H) — one fused GEMM for all four gates
    recurrentProduct(core, s, 0, G, core.zx, zOff, true);
    const zx = core.zx, a = core.act_, cs = core.cs, hs = core.hs, aux = core.aux;
    const act = core.act, ract = core.ract;
    const prevOff = s * B * H, nextOff = core.stateOffset(s);
    if (core.standard) {
      // Fused WASM SIMD step (pointwise.ts) when it applies (float32, H a multiple of 4).
      if (lstmStepForward("tanh", "sigmoid", B, H, zx, zOff, a, cs, prevOff, nextOff, aux, hs)) return;
      // Same math as below with σ and tanh inlined (the default activations).
      for (let b = 0; b < B; b++) {
        const zo = zOff + b * G;
        for (let j = 0; j < H; j++) {
          const i = sigm(zx[zo + j]);
          const f = sigm(zx[zo + H + j]);
          const g = tanhExp(zx[zo + 2 * H + j]);
          const o = sigm(zx[zo + 3 * H + j]);
          a[zo + j] = i; a[zo + H + j] = f; a[zo + 2 * H + j] = g; a[zo + 3 * H + j] = o;
          const q = b * H + j;
          const c = f * cs[prevOff + q] + i * g;
          const tc = tanhExp(c);
          cs[nextOff + q] = c;
          aux[prevOff + q] = tc;
          hs[nextOff + q] = o * tc;
        }
      }
      return;
    }
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G;
      for (let j = 0; j < H; j++) {
        const i = ract(zx[zo + j]);
        const f = ract(zx[zo + H + j]);
        const g = act(zx[zo + 2 * H + j]);
        const o = ract(zx[zo + 3 * H + j]);
        a[zo + j] = i; a[zo + H + j] = f; a[zo + 2 * H + j] = g; a[zo + 3 * H + j] = o;
        const q = b * H + j;
        const c = f * cs[prevOff + q] + i * g;
        const tc = act(c);
        cs[nextOff + q] = c;
        aux[prevOff + q] = tc;
        hs[nextOff + q] = o * tc;
      }
    }
  },

  backwardStep(core: RecurrentCore, s: number): void {
    const { B, H, G } = core;
    const zOff = s * B * G;
    const prevOff = s * B * H;
    const a = core.act_, cs = core.cs, aux = core.aux, dzx = core.dzx;
    const dh = core.dh, dcIn = core.dc, dcTotal = core.dcTotal, dcPrev = core.dcPrev;
    const actGrad = core.actGrad, ractGrad = core.ractGrad;
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G;
      for (let j = 0; j < H; j++) {
        const q = b * H + j;
        const i = a[zo + j], f = a[zo + H + j], g = a[zo + 2 * H + j], o = a[zo + 3 * H + j];
        const tc = aux[prevOff + q];
        const dhq = dh[q];
        // Total ∂L/∂c_s: carried from s+1 plus through h_s = o·act(c_s).
        const dc = dcIn[q] + dhq * o * actGrad(tc);
        dcTotal[q] = dc;
        dzx[zo + j] = dc * g * ractGrad(i);
        dzx[zo + H + j] = dc * cs[prevOff + q] * ractGrad(f);
        dzx[zo + 2 * H + j] = dc * i * actGrad(g);
        dzx[zo + 3 * H + j] = dhq * tc * ractGrad(o);
        dcPrev[q] = dc * f;
      }
    }
    // dhPrev (B,H) = dz (B,4H) · U (H,4H)ᵀ
    recurrentGemmT(core, dzx, zOff, 0, G, core.dhPrev, 0, false);
  },

  recurrentWeightGrads(core: RecurrentCore, grads: CoreWeights): void {
    const { T, B, H, G } = core;
    const prev = core.previousStates();
    // dU (H,4H) += Hprev (T·B,H)ᵀ · dz (T·B,4H)
    gemmTN(H, G, T * B, prev, 0, H, core.dzr, 0, G, grads.recurrentKernel, 0, G, true);
  },

  recordSource(core: RecurrentCore, name: GateName) {
    const { H, G } = core;
    switch (name) {
      case "c": return { buf: core.cs, rowLen: H, col: 0, slotShift: 1 };
      case "h": return { buf: core.hs, rowLen: H, col: 0, slotShift: 1 };
      default: return { buf: core.act_, rowLen: G, col: "ifgo".indexOf(name) * H, slotShift: 0 };
    }
  },
};

/**
 * `rnn.lstm({ units })` — Keras LSTM: kernel [I, 4H], recurrent_kernel [H, 4H], bias [4H] (gate order
 * i, f, c, o); 4·(H·(I + H) + H) parameters (4·(16·(1+16) + 16) = 1,152 for LSTM(16) on one feature).
 * unitForgetBias (default true, as Keras) starts the forget-gate bias at 1.
 */
export function lstm(options: KerasRecurrentOptions): KerasRecurrentLayer {
  return new KerasRecurrentLayer({
    type: "lstm", className: LAYER_FACTS.lstm.className, baseName: LAYER_FACTS.lstm.baseName, factory: LAYER_FACTS.lstm.factory,
    extraOptions: ["recurrentActivation", "unitForgetBias"], makeCell: () => lstmCell,
  }, options);
}
