// Training works: sine regression, a character-level LSTM language model on the
// bundled text, the same model with tied weights, and bit-identical histories for a fixed seed.
// Every run is bounded by epochs; the mocha timeouts are only hang guards.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";

describe("training", function () {
  this.timeout(60000); // hang guard only; each test is bounded by its epochs

  it("sine regression: an LSTM(16) reaches held-out MSE < 0.01 within 12 epochs", async () => {
    // the target is MSE < 0.01; 12 epochs is the budget this test states
    const train = rnn.datasets.sine({ samples: 256, timesteps: 20, seed: 1 });
    const test = rnn.datasets.sine({ samples: 128, timesteps: 20, seed: 2 });
    const m = rnn.sequential({ inputShape: [20, 1], seed: 1 }, [rnn.lstm({ units: 16 }), rnn.dense({ units: 1 })]);
    const before = m.evaluate(test.x, test.y, { loss: "mse" }).loss;
    const h = await m.fit(train.x, train.y, { epochs: 12, batchSize: 32, loss: "mse", optimizer: rnn.adam({ lr: 0.01 }), seed: 1 });
    const after = m.evaluate(test.x, test.y, { loss: "mse" }).loss;
    assert.equal(h.loss.length, 12);
    assert.ok(before > 0.1, `untrained MSE ${before} (a sine's variance is 0.5)`);
    assert.ok(after < 0.01, `held-out MSE after 12 epochs: ${after}`);
  });

  describe("character-level LSTM on the bundled text", () => {
    const text = rnn.text.sampleText;
    const vocab = rnn.text.charVocab(text);
    const V = vocab.size;
    const E = 32; // embedding size = LSTM units, so the output projection can be tied
    const T = 16;
    const w = rnn.text.windows(vocab.encode(text), T, 4);
    const x = rnn.tensor(w.x, [w.count, T]);
    const y = rnn.tensor(w.y, [w.count, T]);
    const make = (tied: boolean) => {
      const emb = rnn.embedding({ inputDim: V, outputDim: E });
      return rnn.sequential({ inputShape: [T], seed: 1 }, [
        emb,
        rnn.lstm({ units: E, returnSequences: true }),
        rnn.timeDistributed(rnn.dense({ units: V, ...(tied ? { tieWeights: emb } : {}) })),
      ]);
    };
    const train = (m: rnn.Sequential) =>
      m.fit(x, y, { epochs: 12, batchSize: 32, loss: "crossEntropy", optimizer: rnn.adam({ lr: 0.03 }), clipNorm: 1, seed: 1 });
    // Stated bound: perplexity < 5 after 12 epochs (a uniform guess has perplexity V = the vocabulary size).
    const BOUND = 5;

    it("drops perplexity from about V to below 5 in 12 epochs, and samples text from the vocabulary", async () => {
      const m = make(false);
      const h = await train(m);
      assert.ok(h.perplexity![0] > 10, `first-epoch perplexity ${h.perplexity![0]} starts near V = ${V}`);
      const final = h.perplexity![11];
      assert.ok(final < BOUND, `final perplexity ${final}`);
      for (let i = 0; i < h.loss.length; i++) assert.equal(h.perplexity![i], Math.exp(h.loss[i]), "perplexity = exp(mean loss)");
      const s = m.sample("the ", { length: 60, temperature: 0.5, seed: 2 });
      assert.equal(s.length, 64);
      assert.ok(s.startsWith("the "));
      for (const ch of s) assert.ok(vocab.chars.includes(ch));
      assert.equal(m.sample("the ", { length: 60, temperature: 0.5, seed: 2 }), s, "seeded sampling repeats");
    });

    it("with tied weights: exactly V×E fewer parameters and also below perplexity 5 in 12 epochs (trains as well)", async () => {
      const m = make(true);
      assert.equal(make(false).countParams() - m.countParams(), V * E);
      const h = await train(m);
      const final = h.perplexity![11];
      assert.ok(final < BOUND, `tied final perplexity ${final}`);
    });
  });

  it("a fixed seed gives bit-identical histories and weights (shuffling, dropout, clipping)", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 96, timesteps: 10, seed: 3 });
    const run = async () => {
      const m = rnn.sequential({ inputShape: [10, 1], seed: 4 }, [
        rnn.gru({ units: 8, returnSequences: true }), rnn.dropout({ rate: 0.3 }), rnn.simpleRNN({ units: 8 }), rnn.dense({ units: 1 }),
      ]);
      const h = await m.fit(x, y, { epochs: 3, batchSize: 16, loss: "mse", optimizer: rnn.rmsprop({ lr: 0.01 }), clipNorm: 0.5, seed: 9, validationSplit: 0.25 });
      return { h, w: m.getWeights().map((t) => Array.from(t.data)) };
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(a.h.batchLoss, b.h.batchLoss);
    assert.deepEqual(a.h.loss, b.h.loss);
    assert.deepEqual(a.h.valLoss, b.h.valLoss);
    assert.deepEqual(a.h.preClipNorm, b.h.preClipNorm);
    assert.deepEqual(a.w, b.w);
    assert.equal(a.h.batchLoss.length, 3 * 5); // 72 training samples / 16 = 5 batches per epoch, 3 epochs
  });
});
