// Fused WASM SIMD gate steps (src/engine/pointwise.ts) against the TypeScript definitions
// they replace (the loops of layers/lstm.ts and layers/gru.ts forwardStep, with Math.exp / Math.tanh
// in float64). Sources of the tolerances: float32 storage rounds to 2⁻²⁴ relative (≈ 6e-8); the
// polynomial exp adds < 1e-7 relative; tanh = 2σ(2x) − 1 loses relative accuracy near 0 but keeps
// absolute error ~1e-7. We require ≤ 5e-7 absolute on values of magnitude ≤ ~4 — well inside the
// engine's PyTorch golden tolerance of 1e-5.
import * as assert from "node:assert/strict";
import { gruAfterStepForward, lstmStepForward, mapActivation, pointwiseAvailable, setPointwiseEnabled } from "../../../src/engine/pointwise";

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function values(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("pointwise WASM gate steps", () => {
  // These tests are about the fused path itself, even in a run that turns it off for the cells.
  before(() => setPointwiseEnabled(true));
  it("is available on this Node", () => assert.ok(pointwiseAvailable()));

  it("sigmoid and tanh on [-30, 30] and at the edges: ≤ 2e-7 absolute, saturate to ~0/1/±1, exact at 0", () => {
    const n = 8192;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -30 + (60 * i) / (n - 1);
    const s = mapActivation("sigmoid", x)!, t = mapActivation("tanh", x)!;
    let es = 0, et = 0;
    for (let i = 0; i < n; i++) {
      es = Math.max(es, Math.abs(s[i] - sigmoid(x[i])));
      et = Math.max(et, Math.abs(t[i] - Math.tanh(x[i])));
    }
    assert.ok(es <= 2e-7, `sigmoid max abs error ${es}`);
    assert.ok(et <= 2e-7, `tanh max abs error ${et}`);
    const edge = new Float32Array([0, 1000, -1000, 88.5]);
    const se = mapActivation("sigmoid", edge)!;
    // exp's input is clamped to [−87.3, 88.3], so sigmoid(−1000) is e^−87.3 ≈ 4e-39 instead of 0.
    assert.deepEqual([se[0], se[1]], [0.5, 1]);
    assert.ok(se[2] >= 0 && se[2] < 1e-37, `sigmoid(-1000) = ${se[2]}`);
    assert.deepEqual([...mapActivation("tanh", edge)!], [0, 1, -1, 1]);
  });

  // H = 12 runs the one-vector loop, H = 16 the two-vector one.
  for (const H of [12, 16]) it(`LSTM step equals lstm.ts's loop (B = 5, H = ${H}, step 1 of a 3-step buffer)`, () => {
    const B = 5, G = 4 * H, s = 1;
    const zx = values(3 * B * G, 1, 4), cs = values(4 * B * H, 2, 2);
    const act = new Float32Array(3 * B * G), aux = new Float32Array(3 * B * H), hs = values(4 * B * H, 3, 1);
    const want = { act: act.slice(), cs: cs.slice(), aux: aux.slice(), hs: hs.slice() };
    const zOff = s * B * G, prevOff = s * B * H, nextOff = (s + 1) * B * H;
    assert.ok(lstmStepForward("tanh", "sigmoid", B, H, zx, zOff, act, cs, prevOff, nextOff, aux, hs));
    for (let b = 0; b < B; b++) {
      const zo = zOff + b * G;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(zx[zo + j]), f = sigmoid(zx[zo + H + j]), g = Math.tanh(zx[zo + 2 * H + j]), o = sigmoid(zx[zo + 3 * H + j]);
        want.act[zo + j] = i; want.act[zo + H + j] = f; want.act[zo + 2 * H + j] = g; want.act[zo + 3 * H + j] = o;
        const q = b * H + j;
        const c = f * cs[prevOff + q] + i * g;
        want.cs[nextOff + q] = c;
        want.aux[prevOff + q] = Math.tanh(c);
        want.hs[nextOff + q] = o * Math.tanh(c);
      }
    }
    for (const [name, got, ref] of [["act", act, want.act], ["c", cs, want.cs], ["tanh(c)", aux, want.aux], ["h", hs, want.hs]] as const) {
      const d = maxDiff(got, ref);
      assert.ok(d <= 5e-7, `${name}: max |diff| ${d}`);
    }
  });

  for (const H of [8, 12]) it(`GRU (reset after) step equals gru.ts's loop, with and without recurrent bias (H = ${H})`, () => {
    const B = 3, G = 3 * H, s = 2;
    for (const withBias of [true, false]) {
      const zx = values(3 * B * G, 4, 3), rec = values(B * G, 5, 3), rb = withBias ? values(G, 6, 1) : null;
      const act = new Float32Array(3 * B * G), aux = new Float32Array(3 * B * H), hs = values(4 * B * H, 7, 1);
      const want = { act: act.slice(), aux: aux.slice(), hs: hs.slice() };
      const zOff = s * B * G, prevOff = s * B * H, nextOff = (s + 1) * B * H;
      assert.ok(gruAfterStepForward("tanh", "sigmoid", B, H, zx, zOff, rec, rb, act, aux, hs, prevOff, nextOff));
      for (let b = 0; b < B; b++) {
        const zo = zOff + b * G, ro = b * G;
        for (let j = 0; j < H; j++) {
          const q = b * H + j;
          const bias = (k: number) => (rb ? rb[k * H + j] : 0);
          const z = sigmoid(zx[zo + j] + rec[ro + j] + bias(0));
          const r = sigmoid(zx[zo + H + j] + rec[ro + H + j] + bias(1));
          const rn = rec[ro + 2 * H + j] + bias(2);
          const n = Math.tanh(zx[zo + 2 * H + j] + r * rn);
          want.act[zo + j] = z; want.act[zo + H + j] = r; want.act[zo + 2 * H + j] = n;
          want.aux[prevOff + q] = rn;
          want.hs[nextOff + q] = z * hs[prevOff + q] + (1 - z) * n;
        }
      }
      for (const [name, got, ref] of [["act", act, want.act], ["aux", aux, want.aux], ["h", hs, want.hs]] as const) {
        const d = maxDiff(got, ref);
        assert.ok(d <= 5e-7, `bias=${withBias} ${name}: max |diff| ${d}`);
      }
    }
  });

  it("declines what it does not implement: float64, other activations, H not a multiple of 4", () => {
    const f64 = new Float64Array(64), f32 = new Float32Array(64);
    assert.equal(lstmStepForward("tanh", "sigmoid", 1, 4, f64, 0, f64, f64, 0, 4, f64, f64), false);
    assert.equal(lstmStepForward("tanh", "hardSigmoid", 1, 4, f32, 0, f32, f32, 0, 4, f32, f32), false);
    assert.equal(lstmStepForward("relu", "sigmoid", 1, 4, f32, 0, f32, f32, 0, 4, f32, f32), false);
    assert.equal(lstmStepForward("tanh", "sigmoid", 1, 5, f32, 0, f32, f32, 0, 5, f32, f32), false);
    assert.equal(gruAfterStepForward("tanh", "sigmoid", 1, 4, f64, 0, f64, null, f64, f64, f64, 0, 4), false);
  });
});
