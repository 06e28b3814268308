// The engine's host port (src/engine/host.ts) and the file methods on it (src/engine/io/files.ts):
// the default host has no files and says so; a small in-memory host (a real HostFiles, a Map of
// path → bytes) round-trips every file method; the fit observer sees one fit from start to end;
// and no module outside the engine patches an engine prototype any more.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { setHost, type FitObserver } from "../../../src/engine/host";
import type { FitProgress } from "../../../src/engine/fit";
import { resetLayerNames } from "../../../src/engine/layer";
import { MemoryFiles, weightsOf } from "../../support/memoryFiles";
import { scanSources } from "../../support/sourceScan";

function smallModel(seed: number): rnn.Sequential {
  resetLayerNames();
  return rnn.sequential({ inputShape: [4, 3], seed }, [rnn.lstm({ units: 3, returnSequences: true }), rnn.gru({ units: 2 }), rnn.dense({ units: 1 })]);
}


describe("engine host: the default host has no files", () => {
  before(() => setHost(undefined));

  it("cells cannot install a host: the engine entry (the cells' rnn) does not export setHost", () => {
    assert.equal("setHost" in rnn, false);
    assert.equal("setFitDefaults" in rnn, false);
  });

  it("every file method says it needs files and what to use instead", () => {
    const m = smallModel(1);
    const torch = rnn.nn.LSTM({ inputSize: 3, hiddenSize: 2, seed: 1 });
    assert.throws(() => m.save("m.rnnmodel"), { message: "model.save(path) needs files; this host has none — use model.toBytes()" });
    assert.throws(() => rnn.load("m.rnnmodel"), /^Error: rnn\.load\(path\) needs files; this host has none — use rnn\.modelFromBytes\(bytes\)$/);
    assert.throws(() => m.saveSafetensors("w.safetensors"), /model\.saveSafetensors\(path\) needs files; this host has none — use toSafetensors\(\)/);
    assert.throws(() => torch.loadSafetensors("w.safetensors"), /model\.loadSafetensors\(path\) needs files; .* fromSafetensors\(bytes\)/);
    assert.throws(() => rnn.saveWeights(m, "w.safetensors"), /rnn\.saveWeights\(model, path\) needs files/);
    assert.throws(() => rnn.loadWeights(m, "w.safetensors"), /rnn\.loadWeights\(model, path\) needs files/);
    assert.throws(() => m.exportPyTorch("export"), /model\.exportPyTorch\(dir\) needs files; this host has none/);
    assert.throws(() => torch.importPyTorch("export"), /model\.importPyTorch\(path\) needs files; this host has none/);
  });
});

describe("engine host: file methods on an in-memory host", () => {
  let files: MemoryFiles;
  beforeEach(() => {
    files = new MemoryFiles();
    setHost({ files });
  });
  after(() => setHost(undefined));

  it("model.save(path) / rnn.load(path) round-trip the whole model", () => {
    const a = smallModel(1);
    a.save("models/a.rnnmodel");
    assert.deepEqual([...files.files.keys()], ["/models/a.rnnmodel"]);
    const b = rnn.load("models/a.rnnmodel");
    assert.deepEqual(b.layers.map((l) => l.name), a.layers.map((l) => l.name));
    assert.deepEqual(weightsOf(b), weightsOf(a));
    assert.throws(() => rnn.load("missing.rnnmodel"), { message: "cannot read missing.rnnmodel: no such file (/missing.rnnmodel)" });
    assert.throws(() => a.save(""), /expected a file path/);
  });

  it("saveSafetensors / loadSafetensors and rnn.saveWeights / loadWeights move weights between models of one architecture", () => {
    const a = smallModel(1);
    assert.equal(a.saveSafetensors("w.safetensors"), "/w.safetensors");
    const b = smallModel(2);
    assert.notDeepEqual(weightsOf(b), weightsOf(a));
    assert.equal(b.loadSafetensors("w.safetensors"), b);
    assert.deepEqual(weightsOf(b), weightsOf(a));

    const c = smallModel(3);
    rnn.saveWeights(c, "c.safetensors");
    rnn.loadWeights(a, "c.safetensors");
    assert.deepEqual(weightsOf(a), weightsOf(c));

    const t = rnn.nn.GRU({ inputSize: 3, hiddenSize: 2, seed: 1 });
    t.saveSafetensors("t.safetensors");
    const u = rnn.nn.GRU({ inputSize: 3, hiddenSize: 2, seed: 2 }).loadSafetensors("t.safetensors");
    for (const [k, v] of Object.entries(t.stateDict())) assert.deepEqual(u.stateDict()[k].data, v.data, k);

    assert.throws(() => b.loadSafetensors("nope.safetensors"), { message: "loadSafetensors: no file at /nope.safetensors" });
    a.save("whole.rnnmodel");
    assert.throws(() => rnn.loadWeights(b, "whole.rnnmodel"), /rnn\.loadWeights: \/whole\.rnnmodel is a whole-model file \(model\.save\); open it with rnn\.load\(path\)/);
    assert.throws(() => rnn.saveWeights({} as never, "x"), /expected a model or an rnn\.nn module/);
  });

  it("exportPyTorch(dir) writes the four files atomically through the host; importPyTorch(dir) reads weights.safetensors back", () => {
    const a = smallModel(1);
    const r = a.exportPyTorch("export");
    assert.deepEqual(r, { dir: "/export", files: ["model.py", "check.py", "weights.safetensors", "reference.safetensors"], check: "python3 /export/check.py" });
    assert.deepEqual([...files.files.keys()].sort(), ["/export/check.py", "/export/model.py", "/export/reference.safetensors", "/export/weights.safetensors"]);
    const b = smallModel(2).importPyTorch("export");
    assert.deepEqual(weightsOf(b), weightsOf(a));

    const t = rnn.nn.Linear(3, 2, { seed: 1 });
    assert.deepEqual(t.exportPyTorch("linear").files.length, 4);
    const u = rnn.nn.Linear(3, 2, { seed: 2 }).importPyTorch("linear/weights.safetensors");
    assert.deepEqual(u.stateDict().weight.data, t.stateDict().weight.data);
  });

  it("rnn.data reads CSV and .npy through the host, so any host with files has them", () => {
    files.write("/data/table.csv", "a,b\n1,2\n3,4\n");
    const t = rnn.data.readCsv("data/table.csv");
    assert.deepEqual([t.shape, Array.from(t.data)], [[2, 2], [1, 2, 3, 4]]);
    // A .npy v1.0 file by hand (NumPy's format spec): magic, version 1.0, header length 118 (uint16 LE),
    // the header dict padded with spaces to end in "\n" at a multiple of 64 bytes, then two float64 LE.
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    const padded = header + " ".repeat(128 - 10 - header.length - 1) + "\n";
    const bytes = new Uint8Array(128 + 16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]);
    bytes.set(new TextEncoder().encode(padded), 10);
    new DataView(bytes.buffer).setFloat64(128, 0.5, true);
    new DataView(bytes.buffer).setFloat64(136, -1, true);
    files.write("/v.npy", bytes);
    const v = rnn.data.readNpy("v.npy");
    assert.deepEqual([v.dtype, v.shape, Array.from(v.data)], ["float64", [2], [0.5, -1]]);
    assert.throws(() => rnn.data.readCsv("data/missing.csv"), { name: "DataFileError", message: "cannot read data/missing.csv: no such file in /data" });
    setHost(undefined);
    assert.throws(() => rnn.data.readCsv("data/table.csv"), /rnn\.data\.readCsv\(path\) needs files; this host has none/);
  });

  it("a host whose read fails says so with the host's reason", () => {
    setHost({ files: Object.assign(new MemoryFiles(), { read: () => { throw new Error("permission denied"); } }) });
    assert.throws(() => smallModel(1).loadSafetensors("w.safetensors"), { message: "loadSafetensors: cannot read /w.safetensors (permission denied)" });
  });
});

describe("engine host: fit's signal and observer", () => {
  after(() => setHost(undefined));

  /** Records what one fit's observer saw. */
  function recordingHost(signal?: { aborted: boolean }) {
    const fits: { updates: FitProgress[]; ends: [string, string?][] }[] = [];
    const observeFit = (): FitObserver => {
      const fit = { updates: [] as FitProgress[], ends: [] as [string, string?][] };
      fits.push(fit);
      return { update: (p) => fit.updates.push(p), end: (status, message) => fit.ends.push(message === undefined ? [status] : [status, message]) };
    };
    setHost({ observeFit, fitSignal: () => signal });
    return fits;
  }

  it("one observer per fit: the reports, then end once with the outcome", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 16, timesteps: 4, seed: 3 });
    const fits = recordingHost();
    const m = rnn.sequential({ inputShape: [4, 1], seed: 1 }, [rnn.simpleRNN({ units: 2 }), rnn.dense({ units: 1 })]);
    const mine: FitProgress[] = [];
    const h = await m.fit(x, y, { epochs: 2, batchSize: 8, loss: "mse", onProgress: (p) => mine.push(p) });
    assert.equal(fits.length, 1);
    assert.deepEqual(fits[0].ends, [["done"]]);
    // The observer and the cell's own onProgress see the same reports; the last is final.
    assert.deepEqual(mine, fits[0].updates);
    const last = fits[0].updates[fits[0].updates.length - 1];
    assert.equal(last.status, "done");
    assert.deepEqual(last.losses, h.loss);
    // 16 samples / batch 8 = 2 batches per epoch, 2 epochs.
    assert.equal(last.batchLosses.length, 4);
    // Reports are cheap: they hand over the history's own arrays instead of copying them every 100 ms.
    assert.equal(last.losses, h.loss);
    assert.equal(last.batchLosses, h.batchLoss);
    assert.equal(fits[0].updates[0].batchLosses, h.batchLoss);

    // A NaN target makes the first loss NaN: fit rejects, the observer ends "failed" with the message.
    const bad = rnn.tensor(new Float32Array(16).fill(NaN), [16, 1]);
    await assert.rejects(m.fit(x, bad, { epochs: 1, loss: "mse" }), /fit stopped: the loss became NaN/);
    assert.equal(fits.length, 2);
    assert.equal(fits[1].ends.length, 1);
    assert.equal(fits[1].ends[0][0], "failed");
    assert.match(fits[1].ends[0][1]!, /the loss became NaN at epoch 1, batch 1 of 1/);
  });

  it("without a signal option fit stops on the host's signal; the observer ends interrupted", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 16, timesteps: 4, seed: 3 });
    const fits = recordingHost({ aborted: true });
    const m = rnn.sequential({ inputShape: [4, 1], seed: 1 }, [rnn.simpleRNN({ units: 2 }), rnn.dense({ units: 1 })]);
    const h = await m.fit(x, y, { epochs: 2, loss: "mse" });
    assert.equal(h.interrupted, true);
    assert.deepEqual(fits[0].ends, [["interrupted"]]);
    // Stopped before the first batch: no batch loss yet, reported as null (not NaN, not 0).
    assert.equal(fits[0].updates[fits[0].updates.length - 1].loss, null);
    // A signal option wins over the host's.
    const own = await m.fit(x, y, { epochs: 1, loss: "mse", signal: { aborted: false } });
    assert.equal(own.interrupted, false);
    assert.deepEqual(fits[1].ends, [["done"]]);
  });
});

describe("engine host: no prototype patches outside the engine", () => {
  it("no module outside src/engine touches a prototype other than a JavaScript built-in's", () => {
    // `X.prototype` for anything but the built-ins, and the other ways to reach or replace a prototype.
    const builtins = "Object|Promise|Array|Function|Error|Map|Set|String|Number|Symbol|RegExp|Date";
    const reach = new RegExp(`(?<!\\b(?:${builtins}))\\.prototype\\b|\\b[gs]etPrototypeOf\\(|__proto__`);
    const { checked, offenders } = scanSources(["src/kernel", "src/extension", "src/shared", "src/renderer"], reach);
    assert.ok(checked.length >= 40, `expected the sources outside the engine, found ${checked.length} files`);
    assert.deepEqual(offenders, []);
  });
});
