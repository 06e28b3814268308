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
    assert.throws(() => shown(gru(), xs, { dims: 4 as never }), /rnn\.show\.trajectory: draws 2 or 3 components/);
    assert.throws(() => shown(gru(), xs, { state: "c" }), /^Error: rnn\.show\.trajectory: .*no state "c"/);
  });

  it("dims: 3 sends PC3 as z, three variance fractions, and says the image shows PC1 and PC2", () => {
    const model = gru(), xs = seqs(2, 6);
    const b = shown(model, xs, { dims: 3 });
    const p = validateTrajectory(b[MIME.trajectory]) as TrajectoryPayload;
    const tr = rnn.analysis.trajectory(model, xs, { dims: 3 });
    assert.equal(p.dims, 3);
    assert.equal(p.explainedVariance.length, 3);
    for (let n = 0; n < 2; n++) {
      for (let t = 0; t < 6; t++) {
        const z = tr.points.data[(n * 6 + t) * 3 + 2];
        assert.ok(Math.abs(p.paths[n].z![t]! - z) <= Math.abs(z) * 5e-4 + 1e-12, `z of n ${n} t ${t}`); // 4 significant digits
      }
    }
    assert.match(b["text/plain"] as string, /, PC3 \([\d.]+% of variance\) \(the image shows PC1 and PC2\)$/m);
  });

  it("fixedPoints: true marks the fixed points of a line attractor, projected on the components, with J's eigenvalues 1 and 0.5", () => {
    // The 2-unit linear SimpleRNN of test/unit/engine/analysis/fixedPoints.test.ts: h ↦ h·U with
    // U = u uᵀ + 0.5 w wᵀ (u, w: a rotation by 30°), so every point of span(u) is fixed and J = Uᵀ has eigenvalues 1 and 0.5.
    const TH = Math.PI / 6;
    const u = [Math.cos(TH), Math.sin(TH)], w = [-Math.sin(TH), Math.cos(TH)];
    const U = [0, 1].map((i) => [0, 1].map((j) => u[i] * u[j] + 0.5 * w[i] * w[j]));
    const model = rnn.sequential({ inputShape: [6, 1], dtype: "float64", seed: 1, name: "line" }, [rnn.simpleRNN({ units: 2, activation: "linear", returnSequences: true })]);
    const f64 = (v: number[], shape: number[]) => rnn.tensor(Float64Array.from(v), shape, "float64");
    model.setWeights([f64([0.8, -0.6], [1, 2]), f64(U.flat(), [2, 2]), f64([0, 0], [2])]);
    const xs = rnn.tensor(Float64Array.from({ length: 18 }, (_, i) => Math.sin(i * 1.3)), [3, 6, 1], "float64");
    const b = shown(model, xs, { fixedPoints: true });
    const p = validateTrajectory(b[MIME.trajectory]) as TrajectoryPayload;
    assert.equal(p.fixedPoints?.length, 8, "one per start (8): each lands on a different point of the line");
    const tr = rnn.analysis.trajectory(model, xs, { dims: 2 });
    const found = rnn.analysis.fixedPoints(model, xs, { starts: 8 });
    found.forEach((f, k) => {
      const shownPoint = p.fixedPoints![k];
      const proj = [0, 1].map((d) => [0, 1].reduce((a, j) => a + (f.point.data[j] - tr.mean.data[j]) * tr.components.data[j * 2 + d], 0));
      assert.ok(Math.abs(shownPoint.x - proj[0]) <= Math.abs(proj[0]) * 5e-4 + 1e-9 && Math.abs(shownPoint.y - proj[1]) <= Math.abs(proj[1]) * 5e-4 + 1e-9, `point ${k}`);
      assert.deepEqual(shownPoint.eigenvalues.map((e) => [Number(e.re.toFixed(6)), Number(e.im.toFixed(6))]), [[1, 0], [0.5, 0]], "largest magnitude first");
    });
    assert.match(b["text/plain"] as string, /^fixed point 1 at \(.+\), speed q = .+, Jacobian eigenvalues 1, 0\.5$/m);
  });

  it("fixedPoints: true refuses a layer of more than 64 units, saying what to do instead", () => {
    const big = rnn.sequential({ inputShape: [null, F], seed: 1 }, [rnn.gru({ units: 65, returnSequences: true })]);
    assert.throws(() => shown(big, seqs(2, 4), { fixedPoints: true }), /rnn\.show\.trajectory: fixedPoints: true is for small layers \(at most 64 units\); this layer has 65\. Call rnn\.analysis\.fixedPoints/);
  });
});
