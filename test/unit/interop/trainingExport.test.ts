// Training export (src/engine/io/trainingExport.ts, trainPy.ts): the files and their settings, the
// refusals, and — when Debian's torch is importable by /usr/bin/python3 — the generated train.py run
// under torchrun: one process reproduces the notebook's per-epoch losses (and resumes from its
// checkpoint), two processes finish together with the same losses and weights that come back through
// importPyTorch, and a tbptt model's first-batch gradients equal the engine's truncated ones.
import * as assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setHost } from "../../../src/engine/host";
import { data as rnnData, historyFromRecords, parseJsonl } from "../../../src/engine/io/data";
import { decodeSafetensors } from "../../../src/engine/io/safetensors";
import { toPyTorch } from "../../../src/engine/io/torchExport";
import { trainingExportFiles } from "../../../src/engine/io/trainingExport";
import { pyLiteral } from "../../../src/engine/io/trainPy";
import { resetLayerNames } from "../../../src/engine/layer";
import { bidirectional } from "../../../src/engine/layers/bidirectional";
import { dense } from "../../../src/engine/layers/dense";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { timeDistributed } from "../../../src/engine/layers/timeDistributed";
import { Sequential } from "../../../src/engine/model";
import { Module } from "../../../src/engine/nn/baseModule";
import { GRU, LSTM } from "../../../src/engine/nn/recurrent";
import { embedding } from "../../../src/engine/layers/embedding";
import { model as functionalModel } from "../../../src/engine/graph/functional";
import { input, type KerasTensor } from "../../../src/engine/graph/symbolic";
import { sgd } from "../../../src/engine/optim";
import { adam } from "../../../src/engine/optim";
import { Rng } from "../../../src/engine/random";
import { schedules } from "../../../src/engine/schedules";
import { Tensor } from "../../../src/engine/tensor";
import { nodeFiles } from "../../../src/kernel/files";
import { exportLiveTraining } from "../../../src/kernel/interop";
import { historyProgress, isHistory, trainingBundle } from "../../../src/kernel/rich";
import type { History } from "../../../src/engine/fit";

/** Debian's python3-torch interpreter; RNN_TORCH_PYTHON overrides it. torchrun is the one beside it. */
const PYTHON = process.env.RNN_TORCH_PYTHON ?? "/usr/bin/python3";
const TORCHRUN = process.env.RNN_TORCHRUN ?? "/usr/bin/torchrun";

function torchUnavailable(): string | undefined {
  try {
    execFileSync(PYTHON, ["-c", "import torch, torch.distributed"], { stdio: "pipe", timeout: 60_000 });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === "ENOENT") return `${PYTHON} does not exist (install Debian's python3-torch: apt-get install python3-torch)`;
    return `${PYTHON} -c "import torch" failed (${String(err.stderr ?? "").trim().split("\n").pop() || "no output"}); install Debian's python3-torch`;
  }
  if (!existsSync(TORCHRUN)) return `${TORCHRUN} does not exist (it comes with Debian's python3-torch)`;
  return undefined;
}

/** Uniform data, seeded: x [n, t, f] and y [n, ...yShape]. */
function data(seed: number, n: number, t: number, f: number, yShape: number[]): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = new Tensor(Float32Array.from({ length: n * t * f }, () => rng.uniform(-1, 1)), [n, t, f]);
  const ny = n * yShape.reduce((a, b) => a * b, 1);
  const y = new Tensor(Float32Array.from({ length: ny }, () => rng.uniform(-1, 1)), [n, ...yShape]);
  return { x, y };
}

/** CONFIG of a generated train.py, parsed back from its Python literal. */
function configOf(trainPy: string): Record<string, unknown> {
  const m = /^CONFIG = (\{[\s\S]*?\n\})$/m.exec(trainPy);
  assert.ok(m, "train.py has a CONFIG literal");
  return JSON.parse(m[1].replace(/\bTrue\b/g, "true").replace(/\bFalse\b/g, "false").replace(/\bNone\b/g, "null").replace(/,(\s*[}\]])/g, "$1")) as Record<string, unknown>;
}

function lstmModel(): Sequential {
  resetLayerNames();
  return new Sequential({ inputShape: [6, 3], seed: 4 }, [lstm({ units: 5 }), dense({ units: 2 })]);
}

describe("interop: training export (train.py)", () => {
  it("writes the PyTorch export, data.safetensors and a train.py with the fit's settings", () => {
    const { x, y } = data(1, 10, 6, 3, [2]);
    const files = trainingExportFiles(lstmModel(), {
      x, y, loss: "mse", epochs: 4, batchSize: 5, optimizer: adam({ lr: 0.02, beta2: 0.99 }), clipNorm: 0.5, tbptt: 2, shuffle: false, validationSplit: 0.2,
    });
    assert.deepEqual(Object.keys(files).sort(), ["check.py", "data.safetensors", "model.py", "reference.safetensors", "train.py", "weights.safetensors"]);
    const c = configOf(files["train.py"] as string);
    assert.equal(c.epochs, 4);
    assert.equal(c.batch_size, 5);
    assert.deepEqual(c.loss, ["mse"]);
    // rnn.adam's defaults are torch.optim.Adam's (betas 0.9/0.999, eps 1e-8); beta2 as given
    assert.deepEqual(c.optimizer, { name: "adam", lr: 0.02, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
    assert.deepEqual(c.clip, { value: null, per_tensor: null, norm: 0.5 });
    assert.equal(c.tbptt, 2);
    assert.equal(c.shuffle, false);
    // The Keras LSTM's single bias is bias_ih; bias_hh stands for nothing and is held at zero.
    assert.deepEqual(c.fixed_zero, ["lstm.bias_hh_l0"]);
    // validationSplit 0.2 of 10 samples: the last 2 are validation data, as fit takes them
    const d = decodeSafetensors(files["data.safetensors"] as Uint8Array).tensors;
    assert.deepEqual(d["x.0"].shape, [8, 6, 3]);
    assert.deepEqual(d["val_x.0"].shape, [2, 6, 3]);
    assert.deepEqual(Array.from(d["val_y.0"].data), Array.from(y.data.slice(16)));
    assert.match(files["train.py"] as string, /torchrun --standalone --nproc_per_node=N --redirects 1 --tee 1 train\.py/);
  });

  it("writes Python literals: True/False/None, nested dicts", () => {
    assert.equal(pyLiteral({ a: [true, false, null], b: 1e-8, c: "x" }), '{\n    "a": [True, False, None],\n    "b": 1e-8,\n    "c": "x",\n}');
  });

  it("rnn.data.readJsonl: records per line, a History from metrics records, errors naming the line", () => {
    assert.deepEqual(parseJsonl('{"epoch": 1, "loss": 0.5}\n\n{"epoch": 2, "loss": 0.25, "val_loss": 0.3}\n'),
      [{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: 0.25, val_loss: 0.3 }]);
    assert.throws(() => parseJsonl('{"epoch": 1}\n{oops\n', "m.jsonl"), /line 2 of m\.jsonl is not JSON/);
    const h = historyFromRecords([{ epoch: 1, loss: 0.5, val_loss: 0.6, time_s: 1.5 }, { epoch: 2, loss: 0.25, val_loss: 0.3, time_s: 3 }]);
    assert.deepEqual([h.epoch, h.loss, h.valLoss, h.elapsedMs], [[1, 2], [0.5, 0.25], [0.6, 0.3], 3000]);
    assert.ok(isHistory(h), "the rich outputs take it as a fit History");
    assert.ok(Object.keys(trainingBundle(historyProgress(h))).length > 0, "rnn.show.lossCurve draws it");
    assert.throws(() => historyFromRecords([{ step: 1 }]), /record 1 of the records has no numeric "epoch" and "loss"/);
  });

  it("refuses what train.py cannot reproduce, saying why", () => {
    const { x, y } = data(1, 4, 6, 3, [2]);
    class Custom extends Module {
      forward(t: Tensor): Tensor { return t; }
    }
    assert.throws(() => trainingExportFiles(new Custom(), { x, y, loss: "mse" }), /a Module written in a cell .* has no PyTorch translation/);
    assert.throws(() => trainingExportFiles(lstmModel(), { x, y, loss: "mse", callbacks: [] } as never), /callbacks acts inside the notebook only/);
    resetLayerNames();
    const bi = new Sequential({ inputShape: [6, 3] }, [bidirectional(gru({ units: 2 })), dense({ units: 2 })]);
    assert.throws(() => trainingExportFiles(bi, { x, y, loss: "mse", tbptt: 2 }), /tbptt with a bidirectional layer/);
    assert.throws(() => trainingExportFiles(LSTM({ inputSize: 3, hiddenSize: 2 }), { x, y, loss: "mse" }), /batchFirst/);
  });

  it("the command's inspect query exports live variables, with a JSON optimizer, and names a missing variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "rnn-live-training-"));
    const g = globalThis as Record<string, unknown>;
    setHost({ files: nodeFiles });
    try {
      const { x, y } = data(1, 4, 6, 3, [2]);
      Object.assign(g, { liveModel: lstmModel(), liveX: x, liveY: y });
      const names = new Set(["liveModel", "liveX", "liveY"]);
      const query = { kind: "exportTraining" as const, name: "liveModel", dir, x: "liveX", y: "liveY", options: { loss: "mse", epochs: 2, optimizer: { name: "sgd", lr: 0.1 } } };
      const result = exportLiveTraining(query, names);
      assert.ok(!("error" in result), JSON.stringify(result));
      assert.ok(result.files.includes("train.py") && result.run.includes("--redirects 1 --tee 1 train.py"));
      const c = configOf(readFileSync(join(dir, "train.py"), "utf8"));
      assert.deepEqual(c.optimizer, { name: "sgd", lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
      assert.deepEqual(exportLiveTraining({ ...query, y: "nothing" }, names), { error: 'No variable named "nothing" in this kernel (run the cell that defines it).' });
    } finally {
      for (const k of ["liveModel", "liveX", "liveY"]) delete g[k];
      setHost(undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe(`train.py under ${TORCHRUN} (Debian's torch)`, function () {
    this.timeout(300_000);
    let root = "";

    before(function () {
      const reason = torchUnavailable();
      if (reason) {
        console.log(`      SKIPPED (reason: ${reason})`);
        this.skip();
      }
      root = mkdtempSync(join(tmpdir(), "rnn-train-export-"));
      setHost({ files: nodeFiles });
    });

    after(() => {
      setHost(undefined);
      if (root) rmSync(root, { recursive: true, force: true });
    });

    function run(cmd: string, args: string[], cwd: string): Promise<string> {
      return new Promise((resolve, reject) => {
        execFile(cmd, args, { cwd, timeout: 240_000, env: { ...process.env, OMP_NUM_THREADS: "1" } }, (err, stdout, stderr) => {
          if (err) reject(new Error(`${cmd} ${args.join(" ")} failed (${err.message}):\n${stdout}\n${stderr}`));
          else resolve(stdout + stderr);
        });
      });
    }

    const torchrun = (nproc: number, dir: string, extra: string[] = []): Promise<string> =>
      run(TORCHRUN, ["--standalone", `--nproc_per_node=${nproc}`, "--redirects", "1", "--tee", "1", join(dir, "train.py"), ...extra], dir);

    function metrics(file: string): { epoch: number; loss: number; val_loss: number }[] {
      return readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { epoch: number; loss: number; val_loss: number });
    }

    /** |a − b| / |b| at most `rtol` for every epoch. */
    function assertClose(got: number[], want: number[], rtol: number, what: string): void {
      assert.equal(got.length, want.length, `${what}: ${got.length} epochs, the notebook ${want.length}`);
      got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= rtol * Math.abs(want[i]), `${what} epoch ${i + 1}: train.py ${g}, notebook ${want[i]}`));
    }

    it("LSTM + Adam + clipNorm, shuffle off: 1 process gives the notebook's losses (resuming from its checkpoint), 2 processes too, and importPyTorch takes the result", async () => {
      const model = lstmModel();
      const { x, y } = data(2, 24, 6, 3, [2]);
      const val = data(3, 8, 6, 3, [2]);
      // clipNorm 0.05 is below the first gradients' norm (≈0.3 for these data), so clipping acts
      // a cosine schedule (rates 0.01, 0.0075, 0.0025): the resumed run must take its state from the checkpoint
      const options = { loss: "mse" as const, epochs: 3, batchSize: 8, optimizer: adam({ lr: 0.01 }), clipNorm: 0.05, shuffle: false, validationData: [val.x, val.y] as [Tensor, Tensor],
        lrSchedule: schedules.cosine({ tMax: 3 }) };
      const dir = join(root, "lstm");
      model.exportTraining(dir, { x, y, ...options });
      const history = await model.fit(x, y, options);
      assert.ok(history.preClipNorm!.some((n) => n > 0.05), "clipping acted in the notebook's fit");

      // 2 epochs, then a second run to the configured 3 resumes after epoch 2
      await torchrun(1, dir, ["--epochs", "2"]);
      const resumed = await torchrun(1, dir);
      assert.match(resumed, /resuming after epoch 2/);
      const one = metrics(join(dir, "metrics.jsonl"));
      assert.deepEqual(one.map((r) => r.epoch), [1, 2, 3]);
      assertClose(one.map((r) => r.loss), history.loss, 1e-4, "loss (1 process)");
      assertClose(one.map((r) => r.val_loss), history.valLoss!, 1e-4, "val_loss (1 process)");
      const read = rnnData.readJsonl(join(dir, "metrics.jsonl"), { as: "history" }) as History;
      assert.deepEqual(read.loss, one.map((r) => r.loss));

      // 2 processes: DistributedSampler deals samples 0,2,4,6 and 1,3,5,7 — together the notebook's batch
      const out2 = join(dir, "two");
      const log = await torchrun(2, dir, ["--out", out2]);
      assert.match(log, /trained weights:/);
      // both processes finished, holding the same weights (DDP's replicas in step)
      const finished = [...log.matchAll(/process (\d) of 2: finished, weight checksum (\S+)/g)];
      assert.deepEqual(finished.map((m) => m[1]).sort(), ["0", "1"], log);
      assert.equal(finished[0][2], finished[1][2]);
      const two = metrics(join(out2, "metrics.jsonl"));
      assertClose(two.map((r) => r.loss), history.loss, 1e-4, "loss (2 processes)");

      // The weights come back: the 2-process result loaded by file, the 1-process one by folder.
      const trained = model.getWeights();
      const fromTwo = lstmModel().importPyTorch(join(out2, "trained.safetensors"));
      const fromOne = lstmModel().importPyTorch(dir);
      for (const back of [fromOne, fromTwo]) {
        back.getWeights().forEach((w, i) => {
          const worst = Math.max(...Array.from(w.data, (v, k) => Math.abs(v - trained[i].data[k])));
          assert.ok(worst < 1e-4, `weight ${i}: max difference ${worst} from the notebook's trained weights`);
        });
      }
    });

    it("a functional encoder-decoder (two inputs, crossEntropy, SGD momentum, clipValue) gives fit's losses; an rnn.nn.GRU module trains and comes back", async () => {
      resetLayerNames();
      const src = input({ shape: [5], name: "src" }), tgt = input({ shape: [4], name: "tgt" });
      const [, h, c] = lstm({ units: 6, returnState: true }).apply(embedding({ inputDim: 7, outputDim: 3 }).apply(src)) as KerasTensor[];
      const dec = lstm({ units: 6, returnSequences: true }).apply(embedding({ inputDim: 5, outputDim: 3 }).apply(tgt), { initialState: [h, c] }) as KerasTensor;
      const m = functionalModel({ inputs: [src, tgt], outputs: dense({ units: 5 }).apply(dec) });
      const rng = new Rng(8);
      const ints = (n: number, vocab: number): number[] => Array.from({ length: n }, () => rng.int(vocab));
      const xs = [new Tensor(Float32Array.from(ints(12 * 5, 7)), [12, 5]), new Tensor(Float32Array.from(ints(12 * 4, 5)), [12, 4])];
      const ys = new Tensor(Float32Array.from(ints(12 * 4, 5)), [12, 4]); // class indices per decoder step
      const options = { loss: "crossEntropy" as const, epochs: 2, batchSize: 4, optimizer: sgd({ lr: 0.5, momentum: 0.9 }), clipValue: 0.05, shuffle: false,
        lrSchedule: schedules.warmup({ epochs: 1, startFactor: 0.5 }) };
      const dir = join(root, "seq2seq");
      m.exportTraining(dir, { x: xs, y: ys, ...options });
      const history = await m.fit(xs, ys, options);
      assert.ok(history.fractionClipped!.some((f) => f > 0), "clipValue acted in the notebook's fit");
      await run(PYTHON, [join(dir, "train.py")], dir);
      const got = metrics(join(dir, "metrics.jsonl"));
      assertClose(got.map((r) => r.loss), history.loss, 1e-4, "loss (functional)");
      assert.ok(got.every((r) => "perplexity" in r), "crossEntropy logs perplexity, as fit's history");

      const gru = GRU({ inputSize: 3, hiddenSize: 2, batchFirst: true, seed: 3 });
      const { x, y } = data(9, 6, 5, 3, [5, 2]);
      const gdir = join(root, "gru");
      gru.exportTraining(gdir, { x, y, loss: "mse", epochs: 2, batchSize: 3 });
      await run(PYTHON, [join(gdir, "train.py")], gdir);
      const before = gru.stateDict().weight_hh_l0.data.slice();
      gru.importPyTorch(gdir);
      assert.ok(gru.stateDict().weight_hh_l0.data.some((v, i) => v !== before[i]), "the trained weights came back");
    });

    it("tbptt: the script's first-batch gradients equal the notebook's truncated gradients", async () => {
      resetLayerNames();
      const model = new Sequential({ inputShape: [7, 2], seed: 5 }, [
        simpleRNN({ units: 3, returnSequences: true }), lstm({ units: 4, returnSequences: true }), timeDistributed(dense({ units: 1 })),
      ]);
      const { x, y } = data(6, 4, 7, 2, [7, 1]);
      const dir = join(root, "tbptt");
      model.exportTraining(dir, { x, y, loss: "mse", batchSize: 4, tbptt: 3, shuffle: false });
      await run(PYTHON, [join(dir, "train.py"), "--check-gradients", join(dir, "grads.safetensors")], dir);
      const got = decodeSafetensors(readFileSync(join(dir, "grads.safetensors"))).tensors;

      // The engine's gradients in PyTorch's layout: the export's weight conversion is linear, so
      // exporting a model whose weights ARE the gradients converts them.
      const toTorch = (grads: Record<string, Tensor>): Record<string, Tensor> => {
        const saved = model.getWeights();
        model.setWeights(grads);
        const w = toPyTorch(model).weights;
        model.setWeights(saved);
        return w;
      };
      const truncated = toTorch(model.computeGradients(x, y, { loss: "mse", tbptt: 3 }).grads);
      const full = toTorch(model.computeGradients(x, y, { loss: "mse" }).grads);
      let differs = 0;
      for (const [name, g] of Object.entries(got)) {
        const want = truncated[name];
        assert.ok(want, `${name} is a weight of the export`);
        const scale = Math.max(1e-3, ...Array.from(want.data, Math.abs));
        const worst = Math.max(...Array.from(g.data, (v, k) => Math.abs(v - want.data[k])));
        assert.ok(worst <= 1e-5 * scale + 1e-7, `${name}: max |difference| ${worst} from the engine's truncated gradient`);
        differs = Math.max(differs, ...Array.from(want.data, (v, k) => Math.abs(v - full[name].data[k])));
      }
      assert.equal(Object.keys(got).length, Object.keys(truncated).length - 2, "every weight but the two held-at-zero bias_hh has a gradient");
      assert.ok(differs > 1e-4, "truncation changes the gradients of this model (else the comparison proves nothing)");
    });
  });
});
