/**
 * GRU (Cho et al. 2014), gate blocks in Keras order z, r, n (Keras calls the candidate "h"):
 *   z = σ(x·W_z + h·U_z + b_z)          r = σ(x·W_r + h·U_r + b_r)
 *   reset after  (Keras default, PyTorch's only form):  n = act(x·W_n + b_n + r ⊙ (h·U_n + bR_n))
 *   reset before (Keras resetAfter: false, TF.js):     n = act(x·W_n + b_n + (r ⊙ h)·U_n)
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n
 * PyTorch orders the blocks r, z, n and writes h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}: the same function, so
 * nn.GRU only reorders blocks at its boundary. (Cho et al.'s paper swaps the roles of z and 1 − z.)
 *
 * Dimension letters: B batch, H units, G = 3H. Buffers are RecurrentCore's (recurrent.ts):
 * act holds [z, r, n]; aux holds h·U_n + bR_n (reset after) or r ⊙ h_{t−1} (reset before); rec is a
 * [B, 3H] scratch for the reset-after recurrent product.
 *
 * Porting note: with recurrentDropout, Keras (implementation 2) also multiplies the carried state in
 * h_t = z ⊙ h_{t−1} + … by the dropout mask; we mask only the inputs of the recurrent products, as
 * Gal & Ghahramani's variational dropout describes (LSTM behaves the same in both).
 */
import { LAYER_FACTS } from "../layerFacts";
import { gemmTN } from "../ops";
import { gruAfterStepForward } from "../pointwise";
import { recurrentProduct, recurrentProductBias, sigm, tanhExp, recurrentGemm, recurrentGemmT, type Cell, type CoreWeights, type RecurrentCore } from "../recurrent";
import type { GateName } from "../layer";
import { KerasRecurrentLayer, type KerasRecurrentOptions } from "./kerasRecurrent";

/** gruForward / gruBackward (reset gate after the recurrent product) for one step s. */
const gruResetAfterCell: Cell = {
  kind: "gru",
  gates: 3,
  directStatePath: true,
  recordedGates: ["r", "z", "n", "h"],

  forwardStep(core: RecurrentCore, s: number): void {
    const { B, H, G } = core;
    const zOff = s * B * G;
    const rec = core.rec;
    // rec (B,3H) = h_{s−1} (B,H) · U (H,3H) (+ bR, laid into rec before the product)
    const rb = core.w.recurrentBias;
    if (rb) recurrentProductBias(core, s, rb, rec, 0);
    else recurrentProduct(core, s, 0, G, rec, 0, false);
    const zx = core.zx, a = core.act_, hs = core.hs, aux = core.aux;
    const act = core.act, ract = core.ract;
    const prevOff = s * B * H, nextOff = core.stateOffset(s);
    if (core.standard) {
      // Fused WASM SIMD step (pointwise.ts; rec already holds bR) when it applies (float32, H % 4 = 0).
      if (gruAfterStepForward("tanh", "sigmoid", B, H, zx, zOff, rec, null, a, aux, hs, prevOff, nextOff)) return;
      // Same math as below with σ and tanh inlined (the default activations).
      for (let b = 0; b < B; b++) {
        const zo = zOff + b * G, ro = b * G;
        for (let j = 0; j < H; j++) {
          const q = b * H + j;
          const z = sigm(zx[zo + j] + rec[ro + j]);
          const r = sigm(zx[zo + H + j] + rec[ro + H + j]);
          const rn = rec[ro + 2 * H + j];
          const n = tanhExp(zx[zo + 2 * H + j] + r * rn);
          a[zo + j] = z; a[zo + H + j] = r; a[zo + 2 * H + j] = n;
          aux[prevOff + q] = rn;
          hs[nextOff + q] = z * hs[prevOff + q] + (1 - z) * n;
        }
      }
      return;
    }
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G, ro = b * G;
      for (let j = 0; j < H; j++) {
        const q = b * H + j;
        const z = ract(zx[zo + j] + rec[ro + j]);
        const r = ract(zx[zo + H + j] + rec[ro + H + j]);
        const rn = rec[ro + 2 * H + j];
        const n = act(zx[zo + 2 * H + j] + r * rn);
        a[zo + j] = z; a[zo + H + j] = r; a[zo + 2 * H + j] = n;
        aux[prevOff + q] = rn;
        hs[nextOff + q] = z * hs[prevOff + q] + (1 - z) * n;
      }
    }
  },

  backwardStep(core: RecurrentCore, s: number): void {
    const { B, H, G } = core;
    const zOff = s * B * G;
    const prevOff = s * B * H;
    const a = core.act_, hs = core.hs, aux = core.aux, dzx = core.dzx, dzr = core.dzr;
    const dh = core.dh, direct = core.dhDirect;
    const actGrad = core.actGrad, ractGrad = core.ractGrad;
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G;
      for (let j = 0; j < H; j++) {
        const q = b * H + j;
        const z = a[zo + j], r = a[zo + H + j], n = a[zo + 2 * H + j];
        const dhq = dh[q];
        const dn = dhq * (1 - z) * actGrad(n);        // ∂L/∂(pre-activation of n)
        const dz = dhq * (hs[prevOff + q] - n) * ractGrad(z);
        const dr = dn * aux[prevOff + q] * ractGrad(r);
        dzx[zo + j] = dz; dzx[zo + H + j] = dr; dzx[zo + 2 * H + j] = dn;
        dzr[zo + j] = dz; dzr[zo + H + j] = dr; dzr[zo + 2 * H + j] = dn * r;
        direct[q] = dhq * z;
      }
    }
    // dhPrev (B,H) = dzr (B,3H) · U (H,3H)ᵀ
    recurrentGemmT(core, dzr, zOff, 0, G, core.dhPrev, 0, false);
  },

  recurrentWeightGrads(core: RecurrentCore, grads: CoreWeights): void {
    const { T, B, H, G } = core;
    const prev = core.previousStates();
    // dU (H,3H) += Hprev (T·B,H)ᵀ · dzr (T·B,3H); dbR (3H) += Σ rows of dzr
    gemmTN(H, G, T * B, prev, 0, H, core.dzr, 0, G, grads.recurrentKernel, 0, G, true, grads.recurrentBias, 0);
  },

  recordSource(core: RecurrentCore, name: GateName) {
    return gruRecordSource(core, name);
  },
};

/** gruForward / gruBackward (reset gate before the recurrent product) for one step s. */
const gruResetBeforeCell: Cell = {
  kind: "gru",
  gates: 3,
  directStatePath: true,
  recordedGates: ["r", "z", "n", "h"],

  forwardStep(core: RecurrentCore, s: number): void {
    const { B, H, G } = core;
    const zOff = s * B * G;
    const zx = core.zx, a = core.act_, hs = core.hs, aux = core.aux;
    const act = core.act, ract = core.ract;
    // zx[s][:, 0:2H] (B,2H) += h_{s−1} (B,H) · U[:, 0:2H] (H,2H)
    recurrentProduct(core, s, 0, 2 * H, zx, zOff, true);
    const hin = core.recurrentInput(), hinOff = s * B * H;
    const prevOff = s * B * H, nextOff = core.stateOffset(s);
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G;
      for (let j = 0; j < H; j++) {
        const z = ract(zx[zo + j]);
        const r = ract(zx[zo + H + j]);
        a[zo + j] = z; a[zo + H + j] = r;
        aux[prevOff + b * H + j] = r * hin[hinOff + b * H + j];
      }
    }
    // zx[s][:, 2H:3H] (B,H) += (r ⊙ h) (B,H) · U[:, 2H:3H] (H,H)
    recurrentGemm(core, aux, prevOff, 2 * H, H, zx, zOff + 2 * H, true);
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G;
      for (let j = 0; j < H; j++) {
        const q = b * H + j;
        const z = a[zo + j];
        const n = act(zx[zo + 2 * H + j]);
        a[zo + 2 * H + j] = n;
        hs[nextOff + q] = z * hs[prevOff + q] + (1 - z) * n;
      }
    }
  },

  backwardStep(core: RecurrentCore, s: number): void {
    const { B, H, G } = core;
    const zOff = s * B * G;
    const prevOff = s * B * H;
    const a = core.act_, hs = core.hs, dzx = core.dzx, dhPrev = core.dhPrev;
    const dh = core.dh, direct = core.dhDirect;
    const actGrad = core.actGrad, ractGrad = core.ractGrad;
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G;
      for (let j = 0; j < H; j++) {
        const q = b * H + j;
        const z = a[zo + j], n = a[zo + 2 * H + j];
        const dhq = dh[q];
        dzx[zo + 2 * H + j] = dhq * (1 - z) * actGrad(n);
        dzx[zo + j] = dhq * (hs[prevOff + q] - n) * ractGrad(z);
        direct[q] = dhq * z;
      }
    }
    // d(r ⊙ h) (B,H) = dn (B,H) · U[:, 2H:3H] (H,H)ᵀ, kept in dhPrev for now
    recurrentGemmT(core, dzx, zOff + 2 * H, 2 * H, H, dhPrev, 0, false);
    const hin = core.recurrentInput(), hinOff = s * B * H;
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G;
      for (let j = 0; j < H; j++) {
        const q = b * H + j;
        const r = a[zo + H + j];
        const drh = dhPrev[q];
        dzx[zo + H + j] = drh * hin[hinOff + q] * ractGrad(r);
        dhPrev[q] = drh * r;
      }
    }
    // dhPrev (B,H) += [dz, dr] (B,2H) · U[:, 0:2H] (H,2H)ᵀ
    recurrentGemmT(core, dzx, zOff, 0, 2 * H, dhPrev, 0, true);
  },

  recurrentWeightGrads(core: RecurrentCore, grads: CoreWeights): void {
    const { T, B, H, G } = core;
    const prev = core.previousStates();
    // dU[:, 0:2H] (H,2H) += Hprev (T·B,H)ᵀ · [dz, dr] (T·B,2H)
    gemmTN(H, 2 * H, T * B, prev, 0, H, core.dzx, 0, G, grads.recurrentKernel, 0, G, true);
    // dU[:, 2H:3H] (H,H) += (r ⊙ h) (T·B,H)ᵀ · dn (T·B,H)
    gemmTN(H, H, T * B, core.aux, 0, H, core.dzx, 2 * H, G, grads.recurrentKernel, 2 * H, G, true);
  },

  recordSource(core: RecurrentCore, name: GateName) {
    return gruRecordSource(core, name);
  },
};

function gruRecordSource(core: RecurrentCore, name: GateName) {
  const { H, G } = core;
  if (name === "h") return { buf: core.hs, rowLen: H, col: 0, slotShift: 1 };
  return { buf: core.act_, rowLen: G, col: "zrn".indexOf(name) * H, slotShift: 0 };
}

/** The GRU cell for either reset placement. */
export function gruCell(resetAfter: boolean): Cell {
  return resetAfter ? gruResetAfterCell : gruResetBeforeCell;
}

/**
 * `rnn.gru({ units, resetAfter? })` — Keras GRU: kernel [I, 3H], recurrent_kernel [H, 3H], bias [2, 3H]
 * with resetAfter (default, 3·(H·(I+H) + 2H): 165 for GRU(5) on 4 features) or [3H] without (150).
 */
export function gru(options: KerasRecurrentOptions): KerasRecurrentLayer {
  return new KerasRecurrentLayer({
    type: "gru", className: LAYER_FACTS.gru.className, baseName: LAYER_FACTS.gru.baseName, factory: LAYER_FACTS.gru.factory,
    extraOptions: ["recurrentActivation", "resetAfter"], makeCell: ({ resetAfter }) => gruCell(resetAfter),
  }, options);
}
