// rnn.show.* and display() of mathjs values through the real kernel process: misuse of a view fails
// the cell with the message (the headless runner's exit code follows the cell status), and mathjs
// matrices are shown as matrices, not as mathjs internals.
import * as assert from "node:assert/strict";
import { MIME } from "../../../src/shared/mime";
import type { TensorPayload } from "../../../src/shared/payloads";
import { buildKernel, tempDir, TestKernel } from "./harness";

describe("kernel: rnn.show views and mathjs values", function () {
  this.timeout(60_000);
  let k: TestKernel;

  before(async () => {
    await buildKernel();
    k = new TestKernel(tempDir("show"));
    await k.ready;
    const r = await k.run([
      "const model = rnn.sequential({ inputShape: [5, 2], name: \"net\" }, [rnn.lstm({ units: 3, seed: 1 }), rnn.dense({ units: 1, seed: 2 })]);",
      "const { x, y } = rnn.datasets.addingProblem({ samples: 2, timesteps: 5, seed: 3 });",
    ].join("\n"));
    assert.equal(r.status, "ok", JSON.stringify(r.error));
  });

  after(async () => { await k?.kill(); });

  it("rnn.show.gates on a Dense layer fails the cell, naming the layer and the recurrent layers", async () => {
    const r = await k.run("rnn.show.gates(model, x, { layer: 1 });");
    assert.equal(r.status, "error");
    assert.match(r.error!.message, /^rnn\.show\.gates: model "net" record: layer 1 "dense\w*" \(Dense\) is not a recurrent layer; its recurrent layers: 0 "lstm\w*" \(LSTM\)$/);
    assert.equal(r.displays.length, 0, "nothing shown");
  });

  it("rnn.show.gradientNorms without targets fails the cell and says the targets are missing", async () => {
    const r = await k.run("rnn.show.gradientNorms(model, x);");
    assert.equal(r.status, "error");
    assert.match(r.error!.message, /the targets y are missing/);
  });

  it("a correct call still shows its view", async () => {
    const r = await k.run("rnn.show.gates(model, x, { layer: 0, batchIndex: 1 });");
    assert.equal(r.status, "ok", JSON.stringify(r.error));
    assert.equal(r.displays.length, 1);
    assert.ok(r.displays[0].bundle[MIME.gates]);
  });

  it("a cell's own rnn.nn.Module that records its gates shows them and its gradient norms", async () => {
    const r = await k.run([
      "class Peephole extends rnn.nn.Module {",
      "  cell = rnn.nn.Linear(2 + 3, 12);",
      "  peep = rnn.nn.Parameter(rnn.tensor(new Float32Array(6).fill(0.1), [2, 3]));",
      "  forward(x: rnn.Tensor) {",
      "    let h = rnn.zeros([x.shape[0], 3]), c = rnn.zeros([x.shape[0], 3]);",
      "    const hs: rnn.Tensor[] = [];",
      "    for (let t = 0; t < x.shape[1]; t++) {",
      "      const z = this.cell.forward(rnn.cat([x.select(1, t), h], 1));",
      "      const i = z.narrow(1, 0, 3).add(c.mul(this.peep.select(0, 0))).sigmoid();",
      "      const f = z.narrow(1, 3, 3).add(c.mul(this.peep.select(0, 1))).sigmoid();",
      "      const g = z.narrow(1, 6, 3).tanh(), o = z.narrow(1, 9, 3).sigmoid();",
      "      c = f.mul(c).add(i.mul(g)); h = o.mul(c.tanh());",
      "      this.record('input', i); this.record('forget', f); this.record('cell', c); this.record('h', h);",
      "      hs.push(h);",
      "    }",
      "    return rnn.stack(hs, 1).select(1, -1).narrow(1, 0, 1);",
      "  }",
      "}",
      "const peephole = new Peephole();",
      "rnn.show.gates(peephole, x);",
      "rnn.show.gradientNorms(peephole, x, y);",
    ].join("\n"));
    assert.equal(r.status, "ok", JSON.stringify(r.error));
    assert.equal(r.displays.length, 2);
    assert.ok(r.displays[0].bundle[MIME.gates]);
    assert.match(JSON.stringify(r.displays[1].bundle), /‖∂L\/∂h_t‖/);
  });

  it("a shape mismatch inside a Module's cell names the cell, both shapes and the cell line", async () => {
    const r = await k.run([
      "const dec = rnn.nn.GRUCell(3, 4);",
      "dec.forward(rnn.zeros([2, 5]));",
    ].join("\n"));
    assert.equal(r.status, "error");
    assert.match(r.error!.message, /\(GRUCell\(3, 4\)\): expected input of shape \[batch, 3\] \(or unbatched \[3\]\) but got \[2, 5\]/);
    assert.match(r.error!.stack, /cell\d+\.ts:2:/);
  });

  it("rnn.show.attention with a live name redraws one output in place, step by step", async () => {
    // A decoding loop: after step t only rows 0…t have weights (the rest zeros); each call replaces the map.
    const r = await k.run([
      "for (let t = 0; t < 3; t++) {",
      "  const w = rnn.tensor([0, 1, 2].map((row) => row <= t ? [0.5, 0.5] : [0, 0]));",
      "  rnn.show.attention(w, { source: \"ab\", target: \"xyz\", live: \"decode\" });",
      "}",
    ].join("\n"));
    assert.equal(r.status, "ok", JSON.stringify(r.error));
    assert.equal(r.displays.length, 3);
    assert.ok(r.displays.every((d) => d.displayId === "attention:decode"), "one output, updated in place");
    const last = r.displays[2].bundle[MIME.attention] as { values: number[] };
    assert.deepEqual(last.values, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]); // the third step's weights: every row filled
    const bad = await k.run("rnn.show.attention(rnn.tensor([[1]]), { live: \"\" });");
    assert.equal(bad.status, "error");
    assert.match(bad.error!.message, /live must be a non-empty name/);
  });

  it("rnn.show.tensor(math.identity(3)) and display(rnn.toMath(t)) show matrices", async () => {
    const r = await k.run("rnn.show.tensor(math.identity(3));\ndisplay(rnn.toMath(rnn.tensor([[1, 2], [3, 4]])));");
    assert.equal(r.status, "ok", JSON.stringify(r.error));
    const [a, b] = r.displays.map((d) => d.bundle[MIME.tensor] as TensorPayload);
    assert.deepEqual(a.values, [1, 0, 0, 0, 1, 0, 0, 0, 1]); // the 3 × 3 identity
    assert.deepEqual([b.shape, b.values], [[2, 2], [1, 2, 3, 4]]);
    assert.ok(!String(r.displays[1].bundle["text/plain"]).includes("_data"), "no mathjs internals");
  });

  it("a mathjs complex result shows as text, not as an object dump", async () => {
    const r = await k.run("math.sqrt(-4)");
    assert.equal(r.result, "2i"); // √−4 = 2i
  });
});
