// The trajectory bundle (src/kernel/rich/trajectoryBundle.ts through rnn.show.trajectory): paths equal
// to rnn.analysis.trajectory of the same model and sequences (its PCA is checked against a reference
// eigen-decomposition in test/unit/engine/analysis/pca.test.ts), axis titles with the explained
// variance, thinning and cutting under the byte budget, and misuse.
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import { createShow, type TrajectoryShowOptions } from "../../../../src/kernel/rich/index";
import { thinSteps } from "../../../../src/kernel/rich/trajectoryBundle";
import { MIME, type MimeBundle } from "../../../../src/shared/mime";
import type { TrajectoryPayload } from "../../../../src/shared/payloads";
import { validateTrajectory } from "../../../../src/shared/validate";

const F = 2;
const gru = () => rnn.sequential({ inputShape: [null, F], name: "gru", dtype: "float64", seed: 9 }, [rnn.gru({ units: 4, returnSequences: true })]);
const seqs = (N: number, T: number) => rnn.tensor(Float64Array.from({ length: N * T * F }, (_, i) => Math.sin(i * 0.37 + (i % 5))), [N, T, F]);

function shown(model: rnn.Sequential, xs: rnn.Tensor, opts: TrajectoryShowOptions = {}, maxBytes = 2_000_000): MimeBundle {
  const out: MimeBundle[] = [];
  createShow({ display: (b) => { out.push(b); }, maxBytes }).trajectory(model, xs, opts);
  assert.equal(out.length, 1, "one output per call");
  return out[0];
}

describe("rnn.show.trajectory", () => {
  it("sends each sequence's path in PC1/PC2 as rnn.analysis.trajectory computes it, with the variance in the axis titles", () => {
    const model = gru(), xs = seqs(3, 7);
    const b = shown(model, xs, { labels: ["a", "b", "c"] });
    const p = validateTrajectory(b[MIME.trajectory]) as TrajectoryPayload; // what the renderer accepts
    const tr = rnn.analysis.trajectory(model, xs, { dims: 2 });
    assert.deepEqual(p.stepIndex, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(p.paths.map((q) => q.label), ["a", "b", "c"]);
    for (let n = 0; n < 3; n++) {
      for (let t = 0; t < 7; t++) {
        // sent to 4 significant digits (downsample.ts roundSig)
        const [x, y] = [tr.points.data[(n * 7 + t) * 2], tr.points.data[(n * 7 + t) * 2 + 1]];
        assert.ok(Math.abs(p.paths[n].x[t]! - x) <= Math.abs(x) * 5e-4 + 1e-12 && Math.abs(p.paths[n].y[t]! - y) <= Math.abs(y) * 5e-4 + 1e-12, `n ${n} t ${t}`);
      }
    }
    assert.ok(Math.abs(p.explainedVariance[0] - tr.explainedVariance[0]) < 1e-3);
    const text = b["text/plain"] as string;
    assert.match(text, /^gru · Hidden-state trajectories — 3 sequences × 7 steps$/m);
    assert.match(text, new RegExp(`^axes: PC1 \\(${(tr.explainedVariance[0] * 100).toPrecision(3)}% of variance\\), PC2 \\(`, "m"));
    assert.match(text, /^a: t=0 at \(-?[\d.e-]+, -?[\d.e-]+\) → t=6 at /m);
    assert.match(b["image/png"] as string, /^iVBORw0KGgo/, "a base64 PNG (its signature)");
  });

  it("thins long paths to evenly spaced steps (first and last kept) and cuts many sequences under a small budget", () => {
    assert.deepEqual(thinSteps(10, 4), [0, 3, 6, 9]);
    assert.deepEqual(thinSteps(3, 8), [0, 1, 2]);
    const b = shown(gru(), seqs(40, 50), {}, 20_000);
    const p = b[MIME.trajectory] as TrajectoryPayload;
    assert.ok(JSON.stringify(b).length <= 20_000, `bundle ${JSON.stringify(b).length} bytes`);
    assert.ok(p.stepIndex.length < 50 || p.paths.length < 40, "something was cut");
    if (p.stepIndex.length < 50) {
      assert.equal(p.trueSteps, 50);
      assert.equal(p.stepIndex[p.stepIndex.length - 1], 49, "the last step is kept");
    }
    if (p.paths.length < 40) assert.equal(p.trueSequences, 40);
  });

  it("misuse fails the cell with the view's name", () => {
    const xs = seqs(2, 5);
    assert.throws(() => shown(gru(), xs, { labels: ["one"] }), /rnn\.show\.trajectory: 1 labels for 2 sequences/);
    assert.throws(() => shown(gru(), xs, { dims: 3 as never }), /rnn\.show\.trajectory: draws 2 components/);
    assert.throws(() => shown(gru(), xs, { state: "c" }), /^Error: rnn\.show\.trajectory: .*no state "c"/);
  });
});
