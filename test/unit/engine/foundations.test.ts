// The engine's base contract: tensors, seeded randomness and initializers, GEMM kernels, the
// safetensors codec. Sources of numbers are given inline.
import * as assert from "node:assert/strict";
import * as math from "mathjs";
import { decodeSafetensors, encodeSafetensors } from "../../../src/engine/io/safetensors";
import { gemmNN, gemmNT, gemmTN, matmulNaive } from "../../../src/engine/ops";
import { glorotUniform, orthogonal, Rng, torchUniform } from "../../../src/engine/random";
import { fromMath, tensor, Tensor, toMath } from "../../../src/engine/tensor";

describe("Tensor", () => {
  it("builds from nested arrays, typed arrays and toArray() objects; round-trips toArray", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, "float32");
    assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(tensor(new Float64Array([1, 2, 3, 4]), [2, 2]).toArray(), [[1, 2], [3, 4]]);
    assert.equal(tensor(new Float64Array(2)).dtype, "float64");
    const mathLike = { toArray: () => [[0.5, -1]] }; // duck-typed mathjs Matrix
    assert.deepEqual(tensor(mathLike).shape, [1, 2]);
    assert.deepEqual(fromMath(mathLike).toArray(), [[0.5, -1]]);
    assert.deepEqual(toMath(t), [[1, 2, 3], [4, 5, 6]]);
    assert.equal(tensor(3).toArray(), 3);
  });
  it("copies input data (no aliasing) and slices the first axis like Array.slice", () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, [3, 2]);
    src[0] = 99;
    assert.equal(t.data[0], 1);
    assert.deepEqual(t.slice(1).toArray(), [[3, 4], [5, 6]]);
    assert.deepEqual(t.slice(0, 1).shape, [1, 2]);
    assert.deepEqual(t.slice(-1).toArray(), [[5, 6]]);
    assert.deepEqual(t.slice(2, 1).shape, [0, 2]);
    assert.equal(t.get(2, 1), 6);
  });
  it("rejects ragged arrays, non-numbers and mismatched shapes with clear messages", () => {
    assert.throws(() => tensor([[1, 2], [3]]), /ragged nested array at \[1\]/);
    assert.throws(() => tensor([[1, "a" as unknown as number]]), /expected a number at \[0\]\[1\]/);
    assert.throws(() => tensor([1, 2, 3], [2, 2]), /shape \[2, 2\] needs 4 values but got 3/);
    assert.throws(() => new Tensor(new Float32Array(3), [2, 2]), /needs 4 values but data has 3/);
  });
});

describe("mathjs interop (DESIGN §1: spectral radius of a recurrent kernel)", () => {
  it("fromMath takes a real mathjs matrix; toMath feeds math.eigs", () => {
    assert.deepEqual(fromMath(math.matrix([[1, 2], [3, 4]])).toArray(), [[1, 2], [3, 4]]);
    // A square orthogonal matrix (Keras's SimpleRNN recurrent_kernel init) has every |eigenvalue| = 1.
    const w = new Float64Array(36);
    orthogonal()(w, [6, 6], new Rng(4));
    const { values } = math.eigs(math.matrix(toMath(new Tensor(w, [6, 6])) as number[][]));
    const radius = math.max(math.abs(values as math.MathCollection) as math.MathCollection) as number;
    assert.ok(Math.abs(radius - 1) < 1e-9, `spectral radius ${radius}`);
  });
});

describe("Rng and initializers", () => {
  it("is deterministic per seed and different across seeds", () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    assert.deepEqual(xa, Array.from({ length: 5 }, () => b.nextUint32()));
    assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.nextUint32()));
  });
  it("uniform and normal have the right moments (n = 100 000; bounds are 6 standard errors)", () => {
    const r = new Rng(1), n = 100000;
    let su = 0, sn = 0, sn2 = 0;
    for (let i = 0; i < n; i++) { su += r.float(); const z = r.normal(); sn += z; sn2 += z * z; }
    // U(0,1): mean 1/2, sd 1/√12 → standard error 0.289/√n ≈ 9.1e-4
    assert.ok(Math.abs(su / n - 0.5) < 6 * 9.1e-4);
    // N(0,1): mean 0 (se 1/√n ≈ 3.2e-3), variance 1 (se √(2/n) ≈ 4.5e-3)
    assert.ok(Math.abs(sn / n) < 6 * 3.2e-3);
    assert.ok(Math.abs(sn2 / n - 1) < 6 * 4.5e-3);
  });
  it("shuffle is a permutation", () => {
    const p = new Rng(3).permutation(50);
    assert.deepEqual(p.slice().sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  });
  it("orthogonal gives orthonormal rows for a Keras recurrent kernel [H, 4H] (Keras Orthogonal)", () => {
    const H = 5, G = 4 * H, w = new Float64Array(H * G);
    orthogonal()(w, [H, G], new Rng(2));
    let maxErr = 0;
    for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) {
      let dot = 0;
      for (let k = 0; k < G; k++) dot += w[i * G + k] * w[j * G + k];
      maxErr = Math.max(maxErr, Math.abs(dot - (i === j ? 1 : 0))); // W·Wᵀ = I
    }
    assert.ok(maxErr < 1e-12, `‖W Wᵀ − I‖max = ${maxErr}`);
    const sq = new Float64Array(16); // square case: WᵀW = I too
    orthogonal()(sq, [4, 4], new Rng(3));
    let e2 = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) { let d = 0; for (let k = 0; k < 4; k++) d += sq[k * 4 + i] * sq[k * 4 + j]; e2 = Math.max(e2, Math.abs(d - (i === j ? 1 : 0))); }
    assert.ok(e2 < 1e-12);
  });
  it("glorotUniform and torchUniform stay inside their limits", () => {
    const w = new Float32Array(6 * 64);
    glorotUniform(w, [6, 64], new Rng(1)); // limit √(6/(6+64)) ≈ 0.2928 (Glorot & Bengio 2010)
    assert.ok(w.every((v) => Math.abs(v) <= Math.sqrt(6 / 70)));
    assert.ok(Math.max(...w.map(Math.abs)) > 0.9 * Math.sqrt(6 / 70)); // 384 draws reach near the limit
    const u = new Float32Array(1000);
    torchUniform(16)(u, [1000], new Rng(1)); // PyTorch: U(−1/√16, 1/√16) = U(−0.25, 0.25)
    assert.ok(u.every((v) => Math.abs(v) <= 0.25));
  });
});

describe("GEMM kernels against the naive triple loop", () => {
  const rand = (n: number, r: Rng) => Float64Array.from({ length: n }, () => r.uniform(-1, 1));
  const transpose = (a: Float64Array, rows: number, cols: number) => {
    const t = new Float64Array(a.length);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
    return t;
  };
  for (const [m, n, k] of [[1, 1, 1], [4, 4, 4], [5, 7, 3], [9, 13, 17], [32, 64, 16], [3, 129, 33]]) {
    it(`NN / NT / TN, M=${m} N=${n} K=${k}, overwrite and accumulate`, () => {
      const r = new Rng(m * 100 + n * 10 + k);
      const a = rand(m * k, r), b = rand(k * n, r), ref = new Float64Array(m * n);
      matmulNaive(m, n, k, a, b, ref);
      const check = (c: Float64Array, what: string, scale = 1) => {
        let d = 0;
        for (let i = 0; i < m * n; i++) d = Math.max(d, Math.abs(c[i] - scale * ref[i]));
        assert.ok(d < 1e-12, `${what}: max diff ${d}`); // same sums in float64, different order
      };
      const c1 = new Float64Array(m * n);
      gemmNN(m, n, k, a, 0, k, b, 0, n, c1, 0, n, false); check(c1, "NN");
      gemmNN(m, n, k, a, 0, k, b, 0, n, c1, 0, n, true); check(c1, "NN accumulate", 2);
      const c2 = new Float64Array(m * n);
      gemmNT(m, n, k, a, 0, k, transpose(b, k, n), 0, k, c2, 0, n, false); check(c2, "NT");
      const c3 = new Float64Array(m * n);
      gemmTN(m, n, k, transpose(a, m, k), 0, m, b, 0, n, c3, 0, n, false); check(c3, "TN");
    });
  }
  it("honours offsets and leading dimensions (a column block of a wider matrix)", () => {
    // C[2,3] block at column 2 of a [2, 7] buffer = A[2,4] (rows of a [2,6] buffer from column 1) · B[4,3] (columns 3..5 of [4, 9])
    const r = new Rng(5);
    const A = rand(2 * 6, r), Bm = rand(4 * 9, r), C = new Float64Array(2 * 7).fill(7);
    gemmNN(2, 3, 4, A, 1, 6, Bm, 3, 9, C, 2, 7, false);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 7; j++) {
      let expect = 7;
      if (j >= 2 && j < 5) { expect = 0; for (let p = 0; p < 4; p++) expect += A[i * 6 + 1 + p] * Bm[p * 9 + 3 + (j - 2)]; }
      assert.ok(Math.abs(C[i * 7 + j] - expect) < 1e-12, `C[${i},${j}]`);
    }
  });
});

describe("safetensors codec", () => {
  it("decodes bytes laid out by hand from the format description", () => {
    // header {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} then 1.0f (00 00 80 3F), −2.0f (00 00 00 C0)
    const header = new TextEncoder().encode('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    const bytes = new Uint8Array(8 + header.length + 8);
    new DataView(bytes.buffer).setUint32(0, header.length, true);
    bytes.set(header, 8);
    bytes.set([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0], 8 + header.length);
    const { tensors } = decodeSafetensors(bytes);
    assert.deepEqual(tensors.a.shape, [2]);
    assert.deepEqual(Array.from(tensors.a.data), [1, -2]);
  });
  it("round-trips F32 and F64 tensors and metadata; the data starts 8-byte aligned", () => {
    const t32 = tensor([[1.5, -2.25, 3]]), t64 = tensor([0.1, 0.2], undefined, "float64");
    const bytes = encodeSafetensors({ w: t32, v: t64 }, { format: "pt" });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    assert.equal((8 + n) % 8, 0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    assert.deepEqual(Object.keys(tensors), ["w", "v"]);
    assert.deepEqual(tensors.w.toArray(), [[1.5, -2.25, 3]]);
    assert.equal(tensors.v.dtype, "float64");
    assert.deepEqual(Array.from(tensors.v.data), [0.1, 0.2]);
    assert.deepEqual(metadata, { format: "pt" });
  });
  it("reports truncated or inconsistent files", () => {
    assert.throws(() => decodeSafetensors(new Uint8Array(4)), /too short/);
    const bytes = encodeSafetensors({ w: tensor([1, 2]) });
    assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4)), /inconsistent data_offsets/);
  });
});
