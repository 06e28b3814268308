// Both families' bidirectional layers run on one RecurrentStack: a Keras rnn.bidirectional(rnn.lstm) and
// an rnn.nn.LSTM({ bidirectional: true }) holding the same weights give the same outputs and input
// gradients. The weight mapping is the documented one between the two frameworks: LSTM gate blocks
// i, f, g (Keras "c"), o in the same order; Keras kernel [I, 4H] = PyTorch weight_ih [4H, I]ᵀ,
// recurrent_kernel = weight_hhᵀ, bias = bias_ih + bias_hh (here bias_hh = 0, so the sum is exact).
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import type { Bidirectional } from "../../../src/engine/layers/bidirectional";

/** [rows, cols] row-major → [cols, rows]. */
function transpose(a: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

describe("one recurrent stack for both families", () => {
  it("Keras bidirectional LSTM = nn.LSTM bidirectional with the same weights (outputs and ∂L/∂x)", () => {
    const [B, T, I, H] = [2, 4, 3, 5];
    const bi = rnn.bidirectional(rnn.lstm({ units: H, returnSequences: true, seed: 11 })) as Bidirectional;
    const model = rnn.sequential({ inputShape: [T, I], seed: 1 }, [bi]);
    const torch = rnn.nn.LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, batchFirst: true, seed: 2 });
    const state: Record<string, Float32Array> = {};
    for (const [layer, sfx] of [[bi.forwardLayer, "_l0"], [bi.backwardLayer, "_l0_reverse"]] as const) {
      const w = layer.weights;
      state[`weight_ih${sfx}`] = transpose(w.kernel.data, I, 4 * H);
      state[`weight_hh${sfx}`] = transpose(w.recurrent_kernel.data, H, 4 * H);
      state[`bias_ih${sfx}`] = Float32Array.from(w.bias.data);
      state[`bias_hh${sfx}`] = new Float32Array(4 * H);
    }
    for (const p of torch.params()) p.value.set(state[p.name]);

    const x = new rnn.Tensor(Float32Array.from({ length: B * T * I }, (_, i) => Math.sin(i)), [B, T, I]);
    const yKeras = model.predict(x);
    const yTorch = torch.forward(x).output;
    assert.deepEqual(yTorch.shape, [B, T, 2 * H]);
    assert.deepEqual(Array.from(yTorch.data), Array.from(yKeras.data));

    // ∂L/∂x for L = Σ y · c with a fixed c: the same stack backward on both sides.
    const c = new rnn.Tensor(Float32Array.from({ length: B * T * 2 * H }, (_, i) => Math.cos(i)), [B, T, 2 * H]);
    const ctx = { training: false, rng: new rnn.Rng(0) };
    bi.forward(x, ctx);
    const dxKeras = bi.backward(c);
    torch.forward(x);
    const dxTorch = torch.backward(c).dx;
    assert.deepEqual(Array.from(dxTorch.data), Array.from(dxKeras.data));
  });
});
