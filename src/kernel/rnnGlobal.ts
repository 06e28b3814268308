/**
 * The `rnn` global of cells: the engine's public exports (src/engine/index.ts) plus the kernel's
 * additions —
 *   rnn.show.*                      rich outputs (src/kernel/rich), shown in the running cell
 *   rnn.data.readCsv / readNpy      files → tensors (data.ts)
 *   model.save(path), rnn.load(path)          whole model files (engine toBytes / modelFromBytes)
 *   rnn.saveWeights(m, path), rnn.loadWeights(m, path)   safetensors weights (both model families)
 *   rnn.toMath(t)                   a mathjs matrix (the engine gives nested arrays; we wrap them)
 *   rnn.signal                      the running cell's interrupt AbortSignal, for a cell's own loops
 * and, for every `model.fit(...)` in a cell: the kernel's interrupt signal by default (the engine's
 * setFitDefaults; a `signal` passed to fit wins) and ONE live training output per fit, updated in
 * place (same displayId) at most 10 times a second, ending with the final loss curve.
 * Paths are relative to the notebook's folder (the kernel's working directory).
 */
import * as fs from "node:fs";
import type * as mathjs from "mathjs";
import * as engine from "../engine/index";
import type { FitProgress } from "../engine/index";
import type { MimeBundle } from "../shared/mime";
import { writeAtomic } from "./files";
import { loadSafetensorsFile, saveSafetensorsFile, type WithSafetensors } from "./interop";
import { thenNative } from "./intrinsics";
import { createShow, trainingBundle } from "./rich";
import { OUTPUT_MAX_BYTES } from "./output";
import { readCsvFile, readNpyFile, resolveUserPath, type CsvOptions } from "./data";
import type { Sandbox } from "./sandbox";

type MathJs = typeof mathjs;

/** Fewest milliseconds between two updates of a live training output (≤ 10 updates/s). */
const TRAINING_UPDATE_MS = 100;

export function createRnn(sandbox: Sandbox, loadMath: () => MathJs): Record<string, unknown> {
  const show = createShow({ display: (bundle, displayId) => sandbox.display(bundle, displayId), maxBytes: OUTPUT_MAX_BYTES });
  engine.setFitDefaults({ signal: () => sandbox.signal() });
  patchModelClass(sandbox);

  const data = {
    /** CSV → a float32 tensor [rows, columns] (or `shape`). */
    readCsv(path: string, options: CsvOptions = {}): engine.Tensor {
      const t = readCsvFile(path, options);
      return engine.tensor(Float32Array.from(t.values), t.shape);
    },
    /** .npy → a tensor of the array's shape (float64 stays float64; other dtypes become float32). */
    readNpy(path: string): engine.Tensor {
      const t = readNpyFile(path);
      return engine.tensor(t.values, t.shape);
    },
  };

  // setFitDefaults is the kernel's to call (it carries the interrupt signal); cells do not get it.
  const { setFitDefaults: _kernelOnly, ...engineForCells } = engine;
  const rnn: Record<string, unknown> = {
    ...engineForCells,
    show,
    data,
    toMath(t: engine.TensorLike) {
      return loadMath().matrix(engine.toMath(t) as mathjs.MathArray);
    },
    /** A model saved with model.save(path). */
    load(path: string): engine.Sequential {
      return engine.modelFromBytes(readBytes(path));
    },
    /** Weights only, as a .safetensors file (any model or nn module). */
    saveWeights(model: { toSafetensors(): Uint8Array }, path: string): void {
      if (typeof model?.toSafetensors !== "function") throw new TypeError("rnn.saveWeights(model, path): expected a model or an rnn.nn module");
      saveSafetensorsFile(model as WithSafetensors, path, "rnn.saveWeights");
    },
    /** Loads weights from a .safetensors file into a model of the same architecture. */
    loadWeights(model: { fromSafetensors(bytes: Uint8Array): void }, path: string): void {
      if (typeof model?.fromSafetensors !== "function") throw new TypeError("rnn.loadWeights(model, path): expected a model or an rnn.nn module");
      loadSafetensorsFile(model as WithSafetensors, path, "rnn.loadWeights");
    },
  };
  Object.defineProperty(rnn, "signal", { get: () => sandbox.signal(), enumerable: true });
  return rnn;
}

function readBytes(path: string): Uint8Array {
  const file = resolveUserPath(path);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message} (${file})`);
  }
}

let patched = false;
let fitCounter = 0;

/** model.save(path) and the live training output of fit, on the engine's Sequential class. */
function patchModelClass(sandbox: Sandbox): void {
  if (patched) return;
  patched = true;
  const proto = engine.Sequential.prototype as engine.Sequential & { save?: (path: string) => void };
  Object.defineProperty(proto, "save", {
    configurable: true, writable: true,
    value(this: engine.Sequential, path: string): void {
      writeAtomic(resolveUserPath(path), this.toBytes()); // never half a model file, even if killed mid-write
    },
  });
  const fit = proto.fit;
  proto.fit = function (this: engine.Sequential, x, y, options) {
    if (!options || typeof options !== "object") return fit.call(this, x, y, options);
    const live = new LiveTraining(sandbox, `rnn-fit-${process.pid}-${++fitCounter}`);
    const userProgress = options.onProgress;
    const wrapped = {
      ...options,
      onProgress: (p: FitProgress) => {
        live.update(p);
        userProgress?.(p);
      },
    };
    return thenNative(fit.call(this, x, y, wrapped),
      (h) => {
        live.finish(h.interrupted ? "interrupted" : "done");
        return h;
      },
      (e: unknown) => {
        live.finish("failed", e instanceof Error ? e.message : String(e));
        throw e;
      },
    );
  };
}

/** One training output per fit, updated in place and rate-limited. */
class LiveTraining {
  private last: FitProgress | undefined;
  private lastSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly sandbox: Sandbox, private readonly displayId: string) {}

  update(p: FitProgress): void {
    if (this.ended) return;
    this.last = p;
    const final = p.status !== "running";
    const wait = this.lastSent + TRAINING_UPDATE_MS - Date.now();
    if (final || wait <= 0) {
      this.send();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.send(), wait);
    }
  }

  /** After fit settled: make sure the output shows the final state (and the whole loss curve). */
  finish(status: FitProgress["status"], message?: string): void {
    if (this.ended) return;
    if (this.last && (this.last.status !== status || message)) {
      this.last = { ...this.last, status, ...(message ? { message } : {}) };
    }
    if (this.sandbox.owner()) {
      this.send();
    } else if (this.last) {
      // The fit outlived its cell (it was not awaited): say once, as background text, how it ended.
      if (this.timer) clearTimeout(this.timer);
      this.sandbox.display({ "text/plain": `A fit that outlived its cell ended: ${String(this.bundle()["text/plain"] ?? status)}` });
    }
    this.ended = true;
  }

  private bundle(): MimeBundle {
    try {
      return trainingBundle(this.last!, { maxBytes: OUTPUT_MAX_BYTES });
    } catch (e) {
      return { "text/plain": `(training progress could not be drawn: ${(e as Error).message})` };
    }
  }

  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.last) return;
    this.lastSent = Date.now();
    this.sandbox.display(this.bundle(), this.displayId);
  }
}

