// The attention bundle (src/kernel/rich/attentionBundle.ts through rnn.show.attention): payload, PNG
// fallback, the alignment in words, and pooling under the byte budget — on softmax weights of a real
// score matrix, not a hand-made payload.
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import { createShow } from "../../../../src/kernel/rich/index";
import { MIME, type MimeBundle } from "../../../../src/shared/mime";
import type { AttentionPayload } from "../../../../src/shared/payloads";
import { validateAttention } from "../../../../src/shared/validate";

function shown(weights: rnn.Tensor, opts: Parameters<ReturnType<typeof createShow>["attention"]>[1] = {}, maxBytes = 2_000_000): MimeBundle {
  const out: MimeBundle[] = [];
  createShow({ display: (b) => { out.push(b); }, maxBytes }).attention(weights, opts);
  assert.equal(out.length, 1, "one output per call");
  return out[0];
}

describe("rnn.show.attention", () => {
  // Scores favouring the reversed position (target t looks at source 3 − t), then a softmax over the
  // source: exp(4) / (exp(4) + 3·exp(0)) = 0.94794 on the anti-diagonal (softmax definition).
  const scores = rnn.tensor(Float32Array.from({ length: 16 }, (_, i) => (i % 4 === 3 - Math.floor(i / 4) ? 4 : 0)), [4, 4]);
  const weights = scores.softmax(1);

  it("sends the weights with their tokens and says the alignment in the text fallback", () => {
    const b = shown(weights, { source: "abcd", target: "DCBA", title: "reverse" });
    const p = validateAttention(b[MIME.attention]) as AttentionPayload; // what the renderer accepts
    assert.deepEqual([p.rows, p.cols], [4, 4]);
    assert.deepEqual(p.source, ["a", "b", "c", "d"]);
    assert.ok(Math.abs(p.values[3]! - 0.94794) < 1e-4, `anti-diagonal weight ${p.values[3]}`);
    assert.match(b["text/plain"] as string, /reverse — 4 target × 4 source steps/);
    assert.match(b["text/plain"] as string, /"D" → "d" \(0\.95\), "C" → "c" \(0\.95\), "B" → "b" \(0\.95\), "A" → "a" \(0\.95\)/);
    assert.match(b["image/png"] as string, /^iVBORw0KGgo/, "a base64 PNG (its signature)");
  });

  it("pools a long pair into block means (true shape stated) to stay under the byte budget", () => {
    const T = 600; // 600 × 600 = 360,000 weights: over the 400-step cap
    const big = rnn.tensor(Float32Array.from({ length: T * T }, (_, i) => (i % T === Math.floor(i / T) ? 1 : 0)), [T, T]);
    const b = shown(big, {}, 300_000);
    const p = b[MIME.attention] as AttentionPayload;
    assert.ok(p.rows < T && p.cols < T, `pooled to ${p.rows} × ${p.cols}`);
    assert.deepEqual(p.trueShape, { rows: T, cols: T });
    assert.ok(JSON.stringify(b).length <= 300_000 * 1.05);
  });

  it("misuse fails the cell with the sizes named", () => {
    assert.throws(() => shown(weights, { source: "abc" }), /3 source tokens for 4 source steps/);
  });
});
