// The engine's path-taking file methods on the kernel's host files (src/kernel/files.ts nodeFiles):
// saveSafetensors / loadSafetensors, exportPyTorch(dir), importPyTorch — files on disk, bit-exact,
// clear errors — and the inspect query's export of a live variable (src/kernel/interop.ts).
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportLiveModel } from "../../../src/kernel/interop";
import { nodeFiles } from "../../../src/kernel/files";
import { setHost } from "../../../src/engine/host";
import { resetLayerNames } from "../../../src/engine/layer";
import { Sequential } from "../../../src/engine/model";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { LSTM } from "../../../src/engine/nn/recurrent";

describe("interop: kernel file methods", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "rnn-interop-"));
    setHost({ files: nodeFiles });
  });
  after(() => {
    setHost(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("saveSafetensors / loadSafetensors on an nn module (PyTorch names) and on a Keras model", () => {
    const m = LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
    m.saveSafetensors(join(dir, "lstm.safetensors"));
    const other = LSTM({ inputSize: 3, hiddenSize: 4, seed: 2 });
    other.loadSafetensors(join(dir, "lstm.safetensors"));
    for (const [k, t] of Object.entries(m.stateDict())) assert.deepEqual(other.stateDict()[k].data, t.data, k);

    resetLayerNames();
    const a = new Sequential({ inputShape: [4, 3], seed: 1 }, [gru({ units: 3 })]);
    a.saveSafetensors(join(dir, "gru.safetensors"));
    resetLayerNames();
    const b = new Sequential({ inputShape: [4, 3], seed: 2 }, [gru({ units: 3 })]);
    b.loadSafetensors(join(dir, "gru.safetensors"));
    assert.deepEqual(b.getWeights().map((t) => Array.from(t.data)), a.getWeights().map((t) => Array.from(t.data)));
  });

  it("model.exportPyTorch(dir) writes the four files", () => {
    resetLayerNames();
    const model = new Sequential({ inputShape: [4, 3] }, [lstm({ units: 2 })]);
    const r = model.exportPyTorch(join(dir, "export"));
    assert.deepEqual(r.files.sort(), ["check.py", "model.py", "reference.safetensors", "weights.safetensors"]);
    for (const f of r.files) assert.ok(existsSync(join(r.dir, f)), f);
    assert.match(readFileSync(join(r.dir, "model.py"), "utf8"), /nn\.LSTM\(3, 2, batch_first=True\)/);
  });

  it("model.importPyTorch(dir) reads an export folder's weights.safetensors back", () => {
    resetLayerNames();
    const a = new Sequential({ inputShape: [4, 3], seed: 1 }, [lstm({ units: 3, returnSequences: true }), gru({ units: 2 })]);
    a.exportPyTorch(join(dir, "roundtrip"));
    resetLayerNames();
    const b = new Sequential({ inputShape: [4, 3], seed: 2 }, [lstm({ units: 3, returnSequences: true }), gru({ units: 2 })]);
    b.importPyTorch(join(dir, "roundtrip"));
    assert.deepEqual(b.getWeights().map((t) => Array.from(t.data)), a.getWeights().map((t) => Array.from(t.data)));
  });

  it("the inspect query exports a live top-level variable, or says why not", () => {
    resetLayerNames();
    (globalThis as Record<string, unknown>).interopTestModel = new Sequential({ inputShape: [4, 3] }, [gru({ units: 2 })]);
    try {
      const ok = exportLiveModel("interopTestModel", join(dir, "live"), new Set(["interopTestModel"]));
      assert.ok("files" in ok && ok.files.length === 4);
      const missing = exportLiveModel("nope", join(dir, "x"), new Set());
      assert.match((missing as { error: string }).error, /No variable named "nope"/);
      (globalThis as Record<string, unknown>).notAModel = 3;
      const bad = exportLiveModel("notAModel", join(dir, "y"), new Set(["notAModel"]));
      assert.match((bad as { error: string }).error, /rnn\.sequential/);
    } finally {
      delete (globalThis as Record<string, unknown>).interopTestModel;
      delete (globalThis as Record<string, unknown>).notAModel;
    }
  });

  it("loadSafetensors explains a missing file and a whole-model file", () => {
    const m = LSTM({ inputSize: 3, hiddenSize: 4 });
    assert.throws(() => m.loadSafetensors(join(dir, "missing.safetensors")), /no file at/);
    resetLayerNames();
    writeFileSync(join(dir, "m.rnnmodel"), new Sequential({ inputShape: [4, 3] }, [gru({ units: 2 })]).toBytes());
    assert.throws(() => m.loadSafetensors(join(dir, "m.rnnmodel")), /rnn\.load/);
  });
});
