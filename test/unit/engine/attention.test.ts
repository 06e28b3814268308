// Attention maps (src/engine/attention.ts): the typed result rnn.show.attention draws — one target ×
// source matrix with its tokens — and the misuse a learner makes (wrong rank, token counts).
import * as assert from "node:assert/strict";
import { attentionMap } from "../../../src/engine/attention";
import * as rnn from "../../../src/engine/index";

describe("attentionMap", () => {
  it("takes [T_t, T_s] as is and splits string tokens into characters, one per step", () => {
    const w = rnn.tensor([[0.9, 0.1, 0], [0.2, 0.7, 0.1]]); // 2 target × 3 source steps
    const m = attentionMap(w, { source: "abc", target: ["X", "Y"] });
    assert.deepEqual(m.weights.shape, [2, 3]);
    assert.deepEqual(m.source, ["a", "b", "c"]);
    assert.deepEqual(m.target, ["X", "Y"]);
    assert.equal(m.batchIndex, 0);
  });

  it("picks one pair of batched weights [B, T_t, T_s] (Keras Attention's return_attention_scores layout)", () => {
    const w = rnn.tensor(Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i), [2, 2, 3]);
    const m = attentionMap(w, { batchIndex: 1 });
    assert.deepEqual(m.weights.shape, [2, 3]);
    assert.deepEqual(Array.from(m.weights.data), [6, 7, 8, 9, 10, 11]); // the second block of 2·3 values
  });

  it("names both sizes when tokens, rank or batch index do not fit", () => {
    const w = rnn.tensor([[1, 0, 0], [0, 1, 0]]);
    assert.throws(() => attentionMap(w, { source: "abcd" }), /4 source tokens for 3 source steps \(the weights' last axis\)/);
    assert.throws(() => attentionMap(w, { target: ["x"] }), /1 target tokens for 2 target steps \(the weights' first axis\)/);
    assert.throws(() => attentionMap(rnn.tensor([1, 2, 3])), /expected weights \[target steps, source steps\] .* got shape \(3\)/);
    assert.throws(() => attentionMap(rnn.zeros([2, 2, 3]), { batchIndex: 2 }), /batchIndex 2 is outside the batch of 2/);
    assert.throws(() => attentionMap(w, { sources: "abc" } as never), /unknown option "sources"; valid options: source, target, batchIndex/);
  });
});
