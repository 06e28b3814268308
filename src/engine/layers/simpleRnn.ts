/**
 * SimpleRNN (Elman): h_t = act(x_t·W + h_{t−1}·U + b), act = tanh by default.
 * The cell math for one timestep (forward and backward) plus the Keras factory `rnn.simpleRNN`.
 * PyTorch's nn.RNN (nonlinearity tanh | relu) uses the same cell through nn/recurrent.ts.
 *
 * Dimension letters: B batch, H units, G = H (one gate block). Buffers are RecurrentCore's
 * (recurrent.ts), time-major in processing order.
 */
import { LAYER_FACTS } from "../layerFacts";
import { gemmTN } from "../ops";
import { recurrentProduct, tanhExp, recurrentGemmT, type Cell, type CoreWeights, type RecurrentCore } from "../recurrent";
import { KerasRecurrentLayer, type KerasRecurrentOptions } from "./kerasRecurrent";

/** simpleRnnForward / simpleRnnBackward for one step s. */
export const simpleRnnCell: Cell = {
  kind: "simpleRNN",
  gates: 1,
  directStatePath: false,
  recordedGates: ["h"],

  forwardStep(core: RecurrentCore, s: number): void {
    const { B, H, G } = core;
    const zOff = s * B * G;
    // zx[s] (B,G) += h_{s−1} (B,H) · U (H,G)
    recurrentProduct(core, s, 0, G, core.zx, zOff, true);
    const zx = core.zx, hs = core.hs, act = core.act;
    const hOff = core.stateOffset(s);
    if (core.standard) for (let q = 0; q < B * H; q++) hs[hOff + q] = tanhExp(zx[zOff + q]);
    else for (let q = 0; q < B * H; q++) hs[hOff + q] = act(zx[zOff + q]);
  },

  backwardStep(core: RecurrentCore, s: number): void {
    const { B, H, G } = core;
    const zOff = s * B * G;
    const hOff = core.stateOffset(s);
    const dh = core.dh, hs = core.hs, dzx = core.dzx, actGrad = core.actGrad;
    // ∂L/∂z = ∂L/∂h · act′(z), with act′ written through h = act(z)
    for (let q = 0; q < B * H; q++) dzx[zOff + q] = dh[q] * actGrad(hs[hOff + q]);
    // dhPrev (B,H) = dz (B,G) · U (H,G)ᵀ
    recurrentGemmT(core, dzx, zOff, 0, G, core.dhPrev, 0, false);
  },

  recurrentWeightGrads(core: RecurrentCore, grads: CoreWeights): void {
    const { T, B, H, G } = core;
    const prev = core.previousStates();
    // dU (H,G) += Hprev (T·B,H)ᵀ · dz (T·B,G)
    gemmTN(H, G, T * B, prev, 0, H, core.dzr, 0, G, grads.recurrentKernel, 0, G, true);
  },

  recordSource(core: RecurrentCore) {
    return { buf: core.hs, rowLen: core.H, col: 0, slotShift: 1 };
  },
};

/**
 * `rnn.simpleRNN({ units })` — Keras SimpleRNN: kernel [I, H], recurrent_kernel [H, H], bias [H];
 * H·(I + H) + H parameters (16·(6+16) + 16 = 368 for the textbook example).
 */
export function simpleRNN(options: KerasRecurrentOptions): KerasRecurrentLayer {
  return new KerasRecurrentLayer({
    type: "simpleRNN", className: LAYER_FACTS.simpleRNN.className, baseName: LAYER_FACTS.simpleRNN.baseName, factory: LAYER_FACTS.simpleRNN.factory,
    extraOptions: [], makeCell: () => simpleRnnCell,
  }, options);
}
