// Training faults at the kernel level, through KernelClient and the real kernel process:
// - exploding gradients (large recurrent init, linear activation, no clipping) stop fit with the
//   NaN/Inf message, the model keeps its last finite weights, and the kernel goes on;
// - shape and option errors never leave the kernel or a model half-built: the next cell works, the
//   model's weights are untouched, and a later fit with the same optimizer object trains exactly like
//   a fresh model with a fresh optimizer (same seed → the same losses, bit for bit).
// The engine's own tests (test/unit/engine/errors.test.ts) cover the messages; these check what a
// notebook user sees across cells.
import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { KernelClient } from "../../src/client/kernelClient";
import { recorder } from "../support/kernelSink";

const kernelPath = path.resolve(__dirname, "../../../dist/kernel.js");


describe("training faults in the kernel", function () {
  this.timeout(120_000);
  let client: KernelClient;
  let n = 0;
  before(() => {
    client = new KernelClient({ kernelPath, cwd: os.tmpdir(), maxOldSpaceSizeMb: 512, graceMs: 3000 });
  });
  after(() => client.dispose());

  /** Runs a cell; returns its status and everything it reported. */
  async function cell(code: string): Promise<{ status: string; text: string; log: string[] }> {
    const sink = recorder();
    const status = await client.execute(code, ++n, `cell${n}.ts`, sink);
    return { status, text: sink.text(), log: sink.log };
  }

  async function ok(code: string): Promise<string> {
    const r = await cell(code);
    assert.equal(r.status, "ok", r.text);
    return r.text;
  }

  it("exploding gradients stop fit with the NaN/Inf message, keep the last finite weights, and the kernel goes on", async () => {
    // Linear SimpleRNN whose recurrent kernel is scaled ×4 (spectral radius ≫ 1): over 30 steps the
    // activations and BPTT gradients grow like 4^30 ≈ 1e18 and 4^60 (> float32 max 3.4e38), and SGD
    // without clipping makes it worse each step.
    await ok(`
      const { x, y } = rnn.datasets.sine({ samples: 64, timesteps: 30, seed: 1 });
      const boom = rnn.sequential({ inputShape: [30, 1], seed: 5 }, [rnn.simpleRNN({ units: 16, activation: "linear" }), rnn.dense({ units: 1 })]);
      const init = boom.getWeights();
      boom.setWeights(init.map((w, i) => i === 1 ? rnn.tensor(w.data.map((v) => v * 4), w.shape) : w));
      let lastGood = boom.getWeights().map((w) => Array.from(w.data));
      let batches = 0;`);
    const fit = await cell(`await boom.fit(x, y, { epochs: 5, batchSize: 8, loss: "mse", optimizer: rnn.sgd({ lr: 0.1 }), shuffle: false,
      onBatchEnd: () => { batches++; lastGood = boom.getWeights().map((w) => Array.from(w.data)); } });`);
    assert.equal(fit.status, "error");
    // the NaN/Inf trap's "Where:" (when the loss or a gradient went non-finite) names the model's one recurrent layer
    assert.match(fit.text, /error:Error:fit stopped: (the loss became (NaN|Infinity)|a gradient became NaN or infinite|the update made a weight NaN or infinite) at epoch \d+, batch \d+ of 8\.(?: Where: first non-finite value in layer 0 "simple_rnn" [^\n]*?\.)? The model keeps the weights from the last finite step\..*clipNorm/s);
    const kept = await ok(`const now = boom.getWeights().map((w) => Array.from(w.data));
      [now.every((w) => w.every(Number.isFinite)), JSON.stringify(now) === JSON.stringify(lastGood), batches].join(" ")`);
    const [finite, same, batches] = /result:'(\w+) (\w+) (\d+)'/.exec(kept)!.slice(1);
    assert.equal(finite, "true", "every kept weight is finite");
    assert.equal(same, "true", "the weights are those after the last finite batch (the initial ones if the first failed)");
    console.log(`      fit stopped after ${batches} finite batch(es): ${/fit stopped: ([^.]*)/.exec(fit.text)?.[1]}`);
    // The kernel goes on: the model still predicts (its finite weights may still overflow in the
    // forward pass — they are the last finite ones, not good ones), and with its usual initial weights
    // back and the message's advice (clipNorm) it trains with finite losses.
    const again = await ok(`const p = boom.predict(x.slice(0, 2)).shape.join("x");
      boom.setWeights(init);
      const h = await boom.fit(x, y, { epochs: 1, batchSize: 8, loss: "mse", optimizer: rnn.sgd({ lr: 1e-3 }), clipNorm: 1 });
      p + " " + h.batchLoss.every(Number.isFinite)`);
    assert.match(again, /result:'2x1 true'/);
  });

  it("option and shape errors leave no half-built state: next cells work, weights untouched, training identical to a fresh model", async () => {
    await ok(`
      const data = rnn.datasets.sine({ samples: 32, timesteps: 6, seed: 2 });
      const build = () => rnn.sequential({ inputShape: [6, 1], seed: 11 }, [rnn.lstm({ units: 5 }), rnn.dense({ units: 1 })]);
      const m = build();
      const opt = rnn.adam({ lr: 1e-2 });
      const w0 = JSON.stringify(m.getWeights().map((w) => Array.from(w.data)));
      const unchanged = () => JSON.stringify(m.getWeights().map((w) => Array.from(w.data))) === w0;`);
    const faults: [string, RegExp][] = [
      // options
      [`rnn.lstm({ units: 4, unitz: 3 })`, /unknown option "unitz"/],
      [`rnn.sequential({ inputShape: [6, 1] }, [rnn.lstm({ units: 4, inputShape: [7, 1] })])`, /inputShape/],
      [`rnn.lstm({ units: -2 })`, /units/],
      [`await m.fit(data.x, data.y, { epochs: 1, loss: "hinge", optimizer: opt })`, /unknown loss "hinge"/],
      [`await m.fit(data.x, data.y, { epochs: 1, loss: "mse", optimizer: opt, batchSize: 0 })`, /batchSize/],
      // shapes
      [`await m.fit(data.x, data.y.slice(0, 31), { epochs: 1, loss: "mse", optimizer: opt })`, /32|31|samples/],
      [`await m.fit(rnn.zeros([32, 6, 2]), data.y, { epochs: 1, loss: "mse", optimizer: opt })`, /shape|feature|expected/i],
      [`await m.fit(data.x, rnn.zeros([32, 3]), { epochs: 1, loss: "mse", optimizer: opt })`, /shape|expected|target/i],
      [`m.predict(rnn.zeros([2, 6, 3]))`, /shape|feature|expected/i],
      [`m.setWeights([rnn.zeros([1, 20])])`, /setWeights/],
      [`m.setWeights(m.getWeights().map((w, i) => i === 2 ? rnn.zeros([w.size + 1]) : w))`, /setWeights: ".*" has shape/],
    ];
    for (const [code, message] of faults) {
      const r = await cell(code);
      assert.equal(r.status, "error", `${code} → ${r.text}`);
      assert.match(r.text, message, code);
      assert.match(await ok("unchanged()"), /result:true/, `${code} left the weights untouched`);
    }
    // The same optimizer object, after all those failed fits, trains exactly like a fresh one.
    const same = await ok(`
      const hA = await m.fit(data.x, data.y, { epochs: 2, batchSize: 8, loss: "mse", optimizer: opt, seed: 3 });
      const fresh = build();
      const hB = await fresh.fit(data.x, data.y, { epochs: 2, batchSize: 8, loss: "mse", optimizer: rnn.adam({ lr: 1e-2 }), seed: 3 });
      JSON.stringify(hA.batchLoss) === JSON.stringify(hB.batchLoss)`);
    assert.match(same, /result:true/, "identical per-batch losses");
    console.log(`      ${faults.length} option/shape errors: each reported, weights untouched, kernel alive; training afterwards bit-identical to a fresh model`);
  });
});
