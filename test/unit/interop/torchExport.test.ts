// PyTorch export: the weight conversion, the generated files, and — when
// Debian's torch is importable by /usr/bin/python3 — the exported check.py run for an LSTM, a GRU and
// a Keras-family stacked model, asserting the printed max difference is ≤ 1e-5.
import * as assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { biasFromTorch, biasToTorch, kernelFromTorch, kernelToTorch, recurrentToTorch } from "../../../src/engine/io/kerasTorch";
import { decodeSafetensors } from "../../../src/engine/io/safetensors";
import { ExportError, pyTorchExportFiles, toPyTorch } from "../../../src/engine/io/torchExport";
import { resetLayerNames } from "../../../src/engine/layer";
import { Sequential } from "../../../src/engine/model";
import { bidirectional } from "../../../src/engine/layers/bidirectional";
import { dense } from "../../../src/engine/layers/dense";
import { dropout } from "../../../src/engine/layers/dropout";
import { embedding } from "../../../src/engine/layers/embedding";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { timeDistributed } from "../../../src/engine/layers/timeDistributed";
import { GRU, LSTM } from "../../../src/engine/nn/recurrent";
import { Rng } from "../../../src/engine/random";
import { additiveAttention, attention } from "../../../src/engine/layers/attention";
import { add, concatenate } from "../../../src/engine/layers/merge";
import { repeatVector } from "../../../src/engine/layers/repeatVector";
import { model } from "../../../src/engine/graph/functional";
import { input, type KerasTensor } from "../../../src/engine/graph/symbolic";

/** Debian's python3-torch interpreter (not the python3 first on PATH); RNN_TORCH_PYTHON overrides it. */
const PYTHON = process.env.RNN_TORCH_PYTHON ?? "/usr/bin/python3";
/** The printed max difference of check.py. */
const TOL = 1e-5;

/** Why the Python checks cannot run here, or undefined when `import torch` works. */
function torchUnavailable(): string | undefined {
  try {
    execFileSync(PYTHON, ["-c", "import torch"], { stdio: "pipe", timeout: 60_000 });
    return undefined;
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === "ENOENT") return `${PYTHON} does not exist (install Debian's python3-torch: apt-get install python3-torch)`;
    const last = String(err.stderr ?? "").trim().split("\n").pop();
    return `${PYTHON} -c "import torch" failed (${last || "no output"}); install Debian's python3-torch`;
  }
}

function randomize(params: { value: Float32Array | Float64Array }[], seed: number): void {
  const rng = new Rng(seed);
  for (const p of params) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(-0.6, 0.6);
}

describe("interop: PyTorch export", () => {
  describe("Keras → PyTorch weight layout", () => {
    // A GRU with I = 1, H = 1: Keras kernel columns are the blocks z, r, h; PyTorch rows r, z, n.
    it("GRU blocks z,r,h become r,z,n and the kernel is transposed", () => {
      const kernel = Float32Array.of(10, 20, 30); // [I=1, 3H]: z=10, r=20, h=30
      assert.deepEqual(Array.from(kernelToTorch(kernel, 1, 1, "gru")), [20, 10, 30]);
      assert.deepEqual(Array.from(biasToTorch(Float32Array.of(1, 2, 3, 4, 5, 6), 3, 1, "gru")), [5, 4, 6]); // second row
    });

    it("LSTM keeps its gate order; a [2, 4H] kernel is transposed to [4H, 2]", () => {
      // Keras kernel [I=2, 4H=4] rows x0: 1 2 3 4, x1: 5 6 7 8 → PyTorch [4, 2]
      const w = kernelToTorch(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), 2, 1, "lstm");
      assert.deepEqual(Array.from(w), [1, 5, 2, 6, 3, 7, 4, 8]);
    });

    it("kernelFromTorch / biasFromTorch invert the conversion for every kind", () => {
      const rng = new Rng(3);
      for (const [kind, K] of [["simpleRNN", 1], ["lstm", 4], ["gru", 3]] as const) {
        const I = 3, H = 2;
        const k = Float32Array.from({ length: I * K * H }, () => rng.uniform(-1, 1));
        assert.deepEqual(kernelFromTorch(kernelToTorch(k, I, H, kind), I, H, kind), k, kind);
        const b = Float32Array.from({ length: K * H }, () => rng.uniform(-1, 1));
        assert.deepEqual(biasFromTorch(biasToTorch(b, 0, H, kind), H, kind), b, kind);
      }
    });

    it("one Keras bias becomes bias_ih with bias_hh zero; GRU resetAfter's second row becomes bias_hh", () => {
      const one = recurrentToTorch("lstm", 1, 1, new Float32Array(4), new Float32Array(4), Float32Array.of(1, 2, 3, 4), false);
      assert.deepEqual(Array.from(one.bias_ih!), [1, 2, 3, 4]);
      assert.deepEqual(Array.from(one.bias_hh!), [0, 0, 0, 0]);
      const two = recurrentToTorch("gru", 1, 1, new Float32Array(3), new Float32Array(3), Float32Array.of(1, 2, 3, 4, 5, 6), true);
      assert.deepEqual(Array.from(two.bias_ih!), [2, 1, 3]);
      assert.deepEqual(Array.from(two.bias_hh!), [5, 4, 6]);
    });
  });

  describe("generated files", () => {
    it("writes model.py, check.py, weights.safetensors (PyTorch names) and reference.safetensors", () => {
      resetLayerNames();
      const model = new Sequential({ inputShape: [5, 3] }, [lstm({ units: 4, returnSequences: true }), gru({ units: 2 }), dense({ units: 1 })]);
      const files = pyTorchExportFiles(toPyTorch(model));
      assert.deepEqual(Object.keys(files).sort(), ["check.py", "model.py", "reference.safetensors", "weights.safetensors"]);
      const weights = decodeSafetensors(files["weights.safetensors"] as Uint8Array).tensors;
      assert.deepEqual(Object.keys(weights).sort(), [
        "dense.bias", "dense.weight",
        "gru.bias_hh_l0", "gru.bias_ih_l0", "gru.weight_hh_l0", "gru.weight_ih_l0",
        "lstm.bias_hh_l0", "lstm.bias_ih_l0", "lstm.weight_hh_l0", "lstm.weight_ih_l0",
      ]);
      assert.deepEqual(weights["lstm.weight_ih_l0"].shape, [16, 3]);
      assert.deepEqual(weights["dense.weight"].shape, [1, 2]);
      const ref = decodeSafetensors(files["reference.safetensors"] as Uint8Array).tensors;
      assert.deepEqual(ref.input.shape, [2, 5, 3]);
      assert.deepEqual(ref.output.shape, [2, 1]);
      const py = files["model.py"] as string;
      assert.match(py, /self\.lstm = nn\.LSTM\(3, 4, batch_first=True\)/);
      assert.match(py, /self\.gru = nn\.GRU\(4, 2, batch_first=True\)/);
      assert.match(py, /x = x\[:, -1\]/);
      assert.doesNotMatch(py, /KerasStyleRecurrent/, "exact torch.nn modules when they exist");
    });

    it("says plainly that GRU resetAfter: false has no torch.nn equivalent, and writes it out step by step", () => {
      resetLayerNames();
      const model = new Sequential({ inputShape: [5, 3] }, [gru({ units: 4, resetAfter: false })]);
      const py = toPyTorch(model).modelPy;
      assert.match(py, /NO exact torch\.nn equivalent/);
      assert.match(py, /self\.gru = KerasStyleRecurrent\("gru", 3, 4, reset_after=False\)/);
    });

    it("an nn module keeps its own state-dict names (loadable by torch.nn.LSTM.load_state_dict)", () => {
      const m = LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
      const exp = toPyTorch(m);
      assert.deepEqual(Object.keys(exp.weights).sort(), Object.keys(m.stateDict()).sort());
      assert.match(exp.modelPy, /return nn\.LSTM\(input_size=3, hidden_size=4, num_layers=2, bidirectional=True\)/);
      assert.deepEqual(Object.keys(exp.reference).sort(), ["c_n", "h_n", "input", "output"]);
    });

    it("refuses what it cannot translate, saying why", () => {
      resetLayerNames();
      const model = new Sequential({ inputShape: [5, 3] }, [lstm({ units: 4, returnState: true })]);
      assert.throws(() => toPyTorch(model), (e: Error) => e instanceof ExportError && /returnState/.test(e.message));
      assert.throws(() => toPyTorch({}), /rnn\.sequential/);
    });
  });

  it("refuses a functional model with a mask, naming the layer", () => {
    const ids = input({ shape: [4] });
    const m = model({ inputs: ids, outputs: lstm({ units: 2 }).apply(embedding({ inputDim: 5, outputDim: 3, maskZero: true, name: "tokens" }).apply(ids)) });
    assert.throws(() => toPyTorch(m), /layer "tokens" uses a mask \(embedding maskZero or masking\)/);
  });

  describe(`check.py under ${PYTHON} with torch (max difference ≤ ${TOL})`, function () {
    this.timeout(180_000);
    let skipReason: string | undefined;
    let root = "";

    before(function () {
      skipReason = torchUnavailable();
      if (skipReason) {
        console.log(`      SKIPPED (reason: ${skipReason})`);
        this.skip();
      }
      root = mkdtempSync(join(tmpdir(), "rnn-export-"));
    });

    after(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    /** Exports into a fresh folder and runs its check.py; resolves with the printed max difference. */
    function exportAndCheck(name: string, model: unknown): Promise<{ diff: number; stdout: string; maxAbsOutput: number }> {
      const dir = join(root, name);
      const exp = toPyTorch(model);
      const files = pyTorchExportFiles(exp);
      execFileSync("mkdir", ["-p", dir]);
      for (const [f, content] of Object.entries(files)) writeFileSync(join(dir, f), content);
      const outputs = Object.entries(exp.reference).filter(([k]) => k.startsWith("output")).map(([, t]) => t);
      const maxAbsOutput = Math.min(...outputs.map((t) => Math.max(...Array.from(t.data, Math.abs))));
      return new Promise((resolve, reject) => {
        execFile(PYTHON, [join(dir, "check.py"), "--tolerance", String(TOL)], { timeout: 150_000 }, (err, stdout, stderr) => {
          const m = /max difference: ([0-9.e+-]+)/.exec(stdout);
          if (!m) return reject(new Error(`${name}: check.py printed no max difference (exit ${err?.code}):\n${stdout}\n${stderr}`));
          resolve({ diff: Number(m[1]), stdout, maxAbsOutput });
        });
      });
    }

    const models: [string, () => unknown][] = [
      ["LSTM (rnn.nn.LSTM, 2 layers, batchFirst)", () => {
        const m = LSTM({ inputSize: 3, hiddenSize: 6, numLayers: 2, batchFirst: true, seed: 1 });
        randomize(m.params(), 21);
        return m;
      }],
      ["GRU (rnn.nn.GRU, bidirectional)", () => {
        const m = GRU({ inputSize: 3, hiddenSize: 5, bidirectional: true, seed: 2 });
        randomize(m.params(), 22);
        return m;
      }],
      ["GRU (Keras family, resetAfter) + dense", () => {
        resetLayerNames();
        const m = new Sequential({ inputShape: [8, 3] }, [gru({ units: 6 }), dense({ units: 2 })]);
        randomize(m.params(), 23);
        return m;
      }],
      ["Keras-family stacked: simpleRNN → lstm → gru(resetAfter false) → bidirectional(lstm) → dense", () => {
        resetLayerNames();
        const m = new Sequential({ inputShape: [8, 3] }, [
          simpleRNN({ units: 5, returnSequences: true }), lstm({ units: 6, returnSequences: true }),
          gru({ units: 4, resetAfter: false, returnSequences: true }), bidirectional(lstm({ units: 3 })), dense({ units: 2, activation: "tanh" }),
        ]);
        randomize(m.params(), 24);
        return m;
      }],
      ["Keras-family options: relu SimpleRNN, hardSigmoid LSTM, goBackwards, bidirectional GRU resetAfter false, softmax", () => {
        resetLayerNames();
        const m = new Sequential({ inputShape: [7, 3] }, [
          simpleRNN({ units: 4, activation: "relu", returnSequences: true }),
          lstm({ units: 5, recurrentActivation: "hardSigmoid", returnSequences: true }),
          gru({ units: 4, goBackwards: true, returnSequences: true }),
          bidirectional(gru({ units: 3, resetAfter: false })), dense({ units: 3, activation: "softmax" }),
        ]);
        randomize(m.params(), 26);
        return m;
      }],
      ["Keras-family language model: embedding → lstm → dropout → timeDistributed(dense) → tied dense", () => {
        resetLayerNames();
        const e = embedding({ inputDim: 12, outputDim: 4 });
        const m = new Sequential({ inputShape: [null] }, [e, lstm({ units: 4, returnSequences: true }), dropout({ rate: 0.2 }),
          timeDistributed(dense({ units: 4, activation: "tanh" })), dense({ units: 12, tieWeights: e })]);
        randomize(m.params(), 25);
        return m;
      }],
      ["functional seq2seq: embedding → LSTM encoder (returnState) → LSTM decoder (initialState) → attention (scaled) → concatenate → dense", () => {
        resetLayerNames();
        const src = input({ shape: [6], dtype: "int32" }), tgt = input({ shape: [5], dtype: "int32" });
        const [enc, h, c] = lstm({ units: 5, returnSequences: true, returnState: true }).apply(embedding({ inputDim: 9, outputDim: 4 }).apply(src)) as KerasTensor[];
        const dec = lstm({ units: 5, returnSequences: true }).apply(embedding({ inputDim: 7, outputDim: 4 }).apply(tgt), { initialState: [h, c] }) as KerasTensor;
        const ctxv = attention({ useScale: true }).apply([dec, enc]) as KerasTensor;
        const m = model({ inputs: [src, tgt], outputs: dense({ units: 7 }).apply(concatenate().apply([dec, ctxv])) });
        randomize(m.params(), 27);
        return m;
      }],
      ["functional: shared dense, GRU goBackwards with returnState, causal additiveAttention weights, add, repeatVector, two outputs", () => {
        resetLayerNames();
        const a = input({ shape: [6, 3] }), b = input({ shape: [4, 3] });
        const proj = dense({ units: 4, activation: "tanh" });
        const [encSeq, h] = gru({ units: 4, returnSequences: true, returnState: true, goBackwards: true }).apply(proj.apply(a)) as KerasTensor[];
        const dec = simpleRNN({ units: 4, returnSequences: true }).apply(add().apply([proj.apply(b) as KerasTensor, repeatVector(4).apply(h) as KerasTensor]), { initialState: [h] }) as KerasTensor;
        const [ctxv, weights] = additiveAttention().apply([dec, encSeq, encSeq], { returnAttentionScores: true, useCausalMask: true }) as KerasTensor[];
        const m = model({ inputs: [a, b], outputs: [dense({ units: 2 }).apply(ctxv), weights] as KerasTensor[] });
        randomize(m.params(), 28);
        return m;
      }],
    ];

    // Two Python processes at a time (importing torch takes seconds); each test awaits its own.
    let results: Promise<{ diff: number; stdout: string; maxAbsOutput: number }>[] = [];
    before(() => {
      const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
      results = models.map(([name, make], i) => {
        const run = lanes[i % 2].then(() => exportAndCheck(name.replace(/[^a-z0-9]+/gi, "_").slice(0, 40), make()));
        lanes[i % 2] = run.catch(() => undefined);
        return run;
      });
    });

    models.forEach(([name], i) => {
      it(name, async () => {
        const r = await results[i];
        console.log(r.stdout.trim().split("\n").map((l) => `        ${l}`).join("\n"));
        assert.ok(r.maxAbsOutput > 0.05, `the reference output is not trivially small (max |y| = ${r.maxAbsOutput})`);
        assert.ok(r.diff <= TOL, `max difference ${r.diff} > ${TOL}`);
      });
    });
  });
});
