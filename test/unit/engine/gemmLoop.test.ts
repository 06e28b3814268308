// Recurrent loops run as a whole in WASM memory (src/engine/gemm.ts recurrentLoop, recurrentLoopBackward;
// the per-row loop in gemmThread.ts runLoopRows), against the per-step path they replace:
//   forward  the same calls per step as recurrent.ts's loop with the fused gate steps (gemmPrepared
//            with U prepared, then pointwise.ts's lstmStepForward / gruAfterStepForward): byte for byte;
//   BPTT     the cells' TypeScript backward steps (layers/lstm.ts, gru.ts; they compute in float64 and
//            round at each store, the WASM step in float32): RecurrentCore with its whole loops off
//            (`wholeLoops`) against the same core with them on, within float32 rounding — the gradients
//            and the recorded per-step norms ‖∂L/∂h_t‖, ‖∂L/∂c_t‖.
// One thread here (the unit run has no helper); test/unit/kernel/gemmThread.test.ts checks two threads
// against one byte for byte.
import * as assert from "node:assert/strict";
import { gemmInfo, gemmNN, gemmNNBias, gemmPrepared, prepareB, recurrentLoop, releaseB, setGemmBackend } from "../../../src/engine/gemm";
import { gruCell } from "../../../src/engine/layers/gru";
import { lstmCell } from "../../../src/engine/layers/lstm";
import { gruAfterStepForward, lstmStepForward, pointwiseAvailable } from "../../../src/engine/pointwise";
import { Rng } from "../../../src/engine/random";
import { RecurrentCore, type Cell, type CoreWeights } from "../../../src/engine/recurrent";
import { values } from "./gemmValues";

const same = (x: Float32Array, y: Float32Array): boolean => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

describe("recurrent loops as a whole in WASM (gemm.ts recurrentLoop)", () => {
  before(() => {
    // The fused gate steps are the per-step reference (and the whole loops run only with them on).
    assert.ok(pointwiseAvailable(), "fused WASM gate steps unavailable");
    setGemmBackend("wasm");
  });
  after(() => setGemmBackend("auto"));

  it("forward: the same bytes as the per-step loop (product with U prepared, then the fused gate step)", () => {
    for (const kind of ["lstm", "gruAfter"] as const) {
      for (const [T, B, H, withBias] of [[6, 5, 12, true], [3, 32, 16, false]] as const) {
        const lstm = kind === "lstm", G = (lstm ? 4 : 3) * H;
        const u = values(H * G, 2 + H) as Float32Array, bR = withBias && !lstm ? (values(G, 4) as Float32Array) : null;
        const zx0 = values(T * B * G, 5) as Float32Array, h0 = values(B * H, 6) as Float32Array, c0 = values(B * H, 7) as Float32Array;
        // Per step, as layers/lstm.ts and gru.ts do it.
        const ref = { act: new Float32Array(T * B * G), hs: new Float32Array((T + 1) * B * H), cs: new Float32Array((T + 1) * B * H), aux: new Float32Array(T * B * H) };
        const zx = zx0.slice(), rec = new Float32Array(B * G);
        ref.hs.set(h0);
        ref.cs.set(c0);
        const pb = prepareB(H, G, u, 0, G, false);
        for (let s = 0; s < T; s++) {
          const zOff = s * B * G, prev = s * B * H, next = (s + 1) * B * H;
          if (lstm) {
            gemmPrepared(B, ref.hs, prev, H, pb, zx, zOff, G, true);
            assert.ok(lstmStepForward("tanh", "sigmoid", B, H, zx, zOff, ref.act, ref.cs, prev, next, ref.aux, ref.hs));
          } else {
            gemmPrepared(B, ref.hs, prev, H, pb, rec, 0, G, false, bR, 0);
            assert.ok(gruAfterStepForward("tanh", "sigmoid", B, H, zx, zOff, rec, null, ref.act, ref.aux, ref.hs, prev, next));
          }
        }
        // As a whole.
        const got = { act: new Float32Array(T * B * G), hs: new Float32Array((T + 1) * B * H), cs: new Float32Array((T + 1) * B * H), aux: new Float32Array(T * B * H) };
        got.hs.set(h0);
        got.cs.set(c0);
        const loops = gemmInfo().wholeLoops;
        assert.ok(recurrentLoop(kind, T, B, H, pb, zx0, got.act, got.hs, lstm ? got.cs : null, got.aux, bR));
        releaseB(pb);
        assert.equal(gemmInfo().wholeLoops, loops + 1);
        const names: (keyof typeof ref)[] = lstm ? ["act", "hs", "aux", "cs"] : ["act", "hs", "aux"];
        for (const name of names) {
          assert.ok(same(got[name], ref[name]), `${kind} T=${T} B=${B} H=${H}: ${name} differs from the per-step loop`);
        }
      }
    }
  });

  it("forward with the input projection computed in its memory: the same bytes as x·W (+ b) computed before and copied in", () => {
    /** act, hs, cs, aux of one loop whose zx is computed before (gemmNNBias / gemmNN) or in the loop's memory. */
    const loop = (kind: "lstm" | "gruAfter", T: number, B: number, I: number, H: number, withBias: boolean, projected: boolean) => {
      const lstm = kind === "lstm", G = (lstm ? 4 : 3) * H;
      const u = values(H * G, 2 + H) as Float32Array, bR = !lstm ? (values(G, 4) as Float32Array) : null;
      const xs = values(T * B * I, 8) as Float32Array, kernel = values(I * G, 9) as Float32Array;
      const bias = withBias ? (values(G, 10) as Float32Array) : null;
      const out = { act: new Float32Array(T * B * G), hs: new Float32Array((T + 1) * B * H), cs: new Float32Array((T + 1) * B * H), aux: new Float32Array(T * B * H) };
      out.hs.set(values(B * H, 6));
      out.cs.set(values(B * H, 7));
      const zx = new Float32Array(T * B * G);
      if (!projected && bias) gemmNNBias(T * B, G, I, xs, 0, I, kernel, 0, G, bias, 0, zx, 0, G);
      else if (!projected) gemmNN(T * B, G, I, xs, 0, I, kernel, 0, G, zx, 0, G, false);
      const pb = prepareB(H, G, u, 0, G, false);
      const ran = recurrentLoop(kind, T, B, H, pb, projected ? { xs, I, kernel, bias, zx } : zx, out.act, out.hs, lstm ? out.cs : null, out.aux, bR);
      releaseB(pb);
      assert.ok(ran, `${kind} T=${T} B=${B}: no whole loop`);
      return lstm ? out : { act: out.act, hs: out.hs, aux: out.aux };
    };
    // [T, B, I, H, bias, backend]: the last case's projection (T·B·G·I ≤ 192 multiply-adds) is below
    // gemm.ts's WASM_MIN_MACS (2048) under "auto", so it is computed by gemmNNBias as before, while the
    // loop's step product (B·G·H ≥ 2304) still runs in WASM.
    const cases = [[6, 5, 7, 12, true, "wasm"], [3, 32, 16, 16, false, "wasm"], [1, 3, 1, 16, true, "auto"]] as const;
    for (const kind of ["lstm", "gruAfter"] as const) {
      for (const [T, B, I, H, withBias, backend] of cases) {
        setGemmBackend(backend);
        try {
          const ref = loop(kind, T, B, I, H, withBias, false), got = loop(kind, T, B, I, H, withBias, true);
          for (const [name, x] of Object.entries(got)) {
            assert.ok(same(x, ref[name as keyof typeof ref]), `${kind} T=${T} B=${B} I=${I} H=${H} ${backend}: ${name} differs`);
          }
        } finally {
          setGemmBackend("wasm");
        }
      }
    }
  });

  it("BPTT: within float32 rounding of the cells' TypeScript backward steps", () => {
    const cells: [string, Cell, boolean][] = [["lstm", lstmCell, false], ["gru", gruCell(true), true]];
    for (const [name, cell, resetAfter] of cells) {
      const T = 7, B = 6, I = 5, H = 8, G = cell.gates * H;
      const w: CoreWeights = {
        kernel: values(I * G, 11), recurrentKernel: values(H * G, 12), bias: values(G, 13), recurrentBias: resetAfter ? values(G, 14) : null,
      };
      const dys = values(T * B * H, 15), dhT = values(B * H, 16), dcT = values(B * H, 17);
      /** Gradients and recorded norms of one forward + backward, with the whole loops or per step only. */
      const grads = (whole: boolean, recordNorms: boolean) => {
        const core = new RecurrentCore(cell, {
          inputSize: I, units: H, activation: "tanh", recurrentActivation: "sigmoid", resetAfter, dropout: 0, recurrentDropout: 0,
        }, "float32");
        core.wholeLoops = whole;
        core.prepare(T, B);
        core.xs.set(values(T * B * I, 18));
        const g: CoreWeights = {
          kernel: new Float32Array(I * G), recurrentKernel: new Float32Array(H * G), bias: new Float32Array(G), recurrentBias: resetAfter ? new Float32Array(G) : null,
        };
        const loops = gemmInfo().wholeLoops;
        core.forward(w, null, null, true, new Rng(1), recordNorms, 0);
        core.backward(g, dys, dhT, cell.kind === "lstm" ? dcT : null);
        // Forward and BPTT, with or without norm recording.
        assert.equal(gemmInfo().wholeLoops - loops, whole ? 2 : 0, `${name}: the whole loops did not run as expected`);
        const norms = recordNorms ? { normH: core.gradNormH.slice(), normC: core.gradNormC.slice() } : {};
        return { ...g, dxs: core.dxs.slice(), dh0: core.dhPrev.slice(), dc0: core.dcPrev.slice(), ...norms } as Record<string, Float32Array | Float64Array | null>;
      };
      const ref = grads(false, true), got = grads(true, true), plain = grads(true, false);
      for (const [key, r] of Object.entries(ref)) {
        if (!r || ((key === "dc0" || key === "normC") && cell.kind !== "lstm")) continue;
        // Recording changes no gradient: the same bytes as the whole loop without it.
        if (!key.startsWith("norm")) assert.ok(same(got[key] as Float32Array, plain[key] as Float32Array), `${name} ${key}: recording changed it`);
        const x = got[key]!;
        let scale = 0, diff = 0;
        for (let i = 0; i < r.length; i++) {
          scale = Math.max(scale, Math.abs(r[i]));
          diff = Math.max(diff, Math.abs(x[i] - r[i]));
        }
        // float32 unit roundoff 2⁻²⁴ ≈ 6e-8 per stored value, a few roundings per gate step, carried
        // through T = 7 steps and summed over T·B = 42 rows in the weight gradients: 1e-6 of the
        // largest entry is ~17 roundoffs (measured: 0.7–2.2e-7), where a wrong term (a missed step or
        // gate) is O(1). The norms are square roots of sums of those float32 gradients' squares
        // (exact in float64, added in another order): the same bound holds for them.
        assert.ok(diff <= 1e-6 * scale, `${name} ${key}: max |diff| ${diff.toExponential(2)} vs max |value| ${scale.toExponential(2)}`);
        assert.ok(scale > 0, `${name} ${key}: all zero`);
      }
    }
  });
});
