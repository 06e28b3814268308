// The connectivity bundle (src/kernel/rich/connectivityBundle.ts through rnn.show.connectivity): one map
// per model equal to rnn.analysis.connectivity of the same model and sequence (that analysis is checked
// against central finite differences in test/unit/engine/analysis/connectivity.test.ts), tokens, the
// text fallback, pooling under the byte budget, and misuse.
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import { createShow, type ConnectivityShowOptions } from "../../../../src/kernel/rich/index";
import { MIME, type MimeBundle } from "../../../../src/shared/mime";
import type { ConnectivityPayload } from "../../../../src/shared/payloads";
import { validateConnectivity } from "../../../../src/shared/validate";

const F = 2;
function model(cell: "simpleRNN" | "lstm", T: number | null, name: string) {
  const layer = cell === "lstm" ? rnn.lstm({ units: 3, returnSequences: true }) : rnn.simpleRNN({ units: 3, returnSequences: true });
  return rnn.sequential({ inputShape: [T, F], name, dtype: "float64", seed: 7 }, [layer, rnn.dense({ units: 1 })]);
}
const seq = (T: number) => rnn.tensor(Float64Array.from({ length: T * F }, (_, i) => Math.sin(i * 0.7)), [1, T, F]);

function shown(models: Parameters<ReturnType<typeof createShow>["connectivity"]>[0], x: rnn.Tensor, opts: ConnectivityShowOptions = {}, maxBytes = 2_000_000): MimeBundle {
  const out: MimeBundle[] = [];
  createShow({ display: (b) => { out.push(b); }, maxBytes }).connectivity(models, x, opts);
  assert.equal(out.length, 1, "one output per call");
  return out[0];
}

describe("rnn.show.connectivity", () => {
  it("sends one map per model, equal to rnn.analysis.connectivity, with the tokens and a text fallback", () => {
    const T = 6, x = seq(T);
    const models = [model("simpleRNN", T, "srnn"), model("lstm", T, "lstm")];
    const b = shown(models, x, { tokens: "abcdef" });
    const p = validateConnectivity(b[MIME.connectivity]) as ConnectivityPayload; // what the renderer accepts
    assert.equal(p.steps, T);
    assert.deepEqual(p.maps.map((m) => m.label), ["srnn", "lstm"]);
    assert.deepEqual(p.tokens, ["a", "b", "c", "d", "e", "f"]);
    models.forEach((m, k) => {
      const c = rnn.analysis.connectivity(m, x).data;
      for (let i = 0; i < T * T; i++) {
        // sent to 4 significant digits (downsample.ts roundSig)
        assert.ok(Math.abs(p.maps[k].values[i]! - c[i]) <= Math.abs(c[i]) * 5e-4 + 1e-300, `map ${k} cell ${i}`);
      }
      for (let t = 0; t < T; t++) for (let s = t + 1; s < T; s++) assert.equal(p.maps[k].values[t * T + s], 0, "zero above the diagonal (causal)");
    });
    const text = b["text/plain"] as string;
    assert.match(text, /^Connectivity ‖∂y_t\/∂x_s‖ — 6 steps$/m);
    assert.match(text, /^srnn: the last output reaches back to s=\d "[a-f]" \(C ≥ 1% of its largest, [\d.]+\); last row: s=0 "a" [\d.e-]+, /m);
    assert.match(b["image/png"] as string, /^iVBORw0KGgo/, "a base64 PNG (its signature)");
  });

  it("pools a long sequence into block means under a small byte budget and states the true length", function () {
    this.timeout(20_000);
    const T = 60;
    const b = shown(model("simpleRNN", null, "srnn"), seq(T), { labels: ["mine"] }, 12_000);
    const p = b[MIME.connectivity] as ConnectivityPayload;
    assert.ok(p.steps < T, `pooled to ${p.steps}`);
    assert.equal(p.trueSteps, T);
    assert.equal(p.stepIndex!.length, p.steps);
    assert.equal(p.maps[0].label, "mine");
    assert.ok(JSON.stringify(b).length <= 12_000, `bundle ${JSON.stringify(b).length} bytes`);
  });

  it("misuse fails the cell with the view's name and both sizes", () => {
    const x = seq(4);
    assert.throws(() => shown(model("lstm", 4, "l"), x, { tokens: "abc" }), /rnn\.show\.connectivity: 3 tokens for 4 timesteps/);
    assert.throws(() => shown([], x), /rnn\.show\.connectivity: expected a model or an array of models, got an empty array/);
    assert.throws(() => shown({} as never, x), /^Error: rnn\.show\.connectivity: expected an rnn\.sequential model/);
    const last = rnn.sequential({ inputShape: [4, F], seed: 1 }, [rnn.lstm({ units: 2 })]);
    assert.throws(() => shown(last, x), /rnn\.show\.connectivity: needs an output per timestep/);
  });
});
