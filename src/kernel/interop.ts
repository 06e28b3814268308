/**
 * Interop in the kernel (issue 8): path-taking versions of the engine's byte-level safetensors
 * methods and the PyTorch export. The engine stays pure (bytes in, bytes out); this file adds files:
 *
 *   model.saveSafetensors(path)      weights only; rnn.nn modules use PyTorch's state-dict names, so
 *   module.loadSafetensors(path)     torch's load_state_dict reads ours and we read theirs
 *   model.exportPyTorch(dir)         model.py + weights.safetensors + check.py + reference.safetensors
 *   model.importPyTorch(path)        the way back: PyTorch-named weights (an export trained further in
 *                                    PyTorch, saved with save_file(model.state_dict(), …)) into this model
 *
 * (`model.save(path)` / `rnn.load(path)`, the whole-model file, live in rnnGlobal.ts.) The methods
 * are installed on the engine's classes (Sequential and the rnn.nn modules) once, when the kernel
 * builds `rnn`, so every model a cell makes has them. Relative paths resolve from the kernel's working
 * directory, which is the notebook's folder.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Sequential } from "../engine/model";
import { TorchRecurrent } from "../engine/nn/recurrent";
import { TorchEmbedding, TorchLinear } from "../engine/nn/linear";
import { pyTorchExportFiles, toPyTorch, type PyTorchExportOptions } from "../engine/io/torchExport";
import { decodeSafetensors } from "../engine/io/safetensors";
import { isModelFile } from "../engine/serialize";
import { fromPyTorch, type FromPyTorchOptions } from "../engine/io/torchImport";
import type { ExportPyTorchResult } from "../shared/protocol";
import { resolveUserPath } from "./data";
import { writeAtomic } from "./files";

/** Something with the engine's byte-level weight methods. */
export interface WithSafetensors {
  toSafetensors(): Uint8Array;
  fromSafetensors(bytes: Uint8Array): void;
}

function absolute(path: unknown, what: string): string {
  if (typeof path !== "string" || path === "") throw new TypeError(`${what}: expected a path (a string, relative to the notebook's folder)`);
  return resolveUserPath(path);
}

function readBytes(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `${what}: no file at ${file}` : `${what}: cannot read ${file} (${(e as Error).message})`);
  }
}

/**
 * Weights of a model or nn module to a .safetensors file (atomically; relative to the notebook folder).
 * Behind model.saveSafetensors(path) and rnn.saveWeights(model, path); `what` names the caller in errors.
 */
export function saveSafetensorsFile(model: WithSafetensors, path: unknown, what: string): string {
  const file = absolute(path, what);
  writeAtomic(file, model.toSafetensors());
  return file;
}

/** Weights from a .safetensors file; a whole-model file (model.save) is named as such. Behind
 * model.loadSafetensors(path) and rnn.loadWeights(model, path). */
export function loadSafetensorsFile(model: WithSafetensors, path: unknown, what: string): void {
  const file = absolute(path, what);
  const bytes = readBytes(file, what);
  if (isModelFile(bytes)) throw new Error(`${what}: ${file} is a whole-model file (model.save); open it with rnn.load(path)`);
  model.fromSafetensors(bytes);
}

/** Writes the four export files into `dir` (created if needed). */
export function exportPyTorchTo(model: unknown, dir: string, options: PyTorchExportOptions = {}): ExportPyTorchResult {
  const target = absolute(dir, "exportPyTorch");
  const files = pyTorchExportFiles(toPyTorch(model, options));
  for (const [name, content] of Object.entries(files)) writeAtomic(join(target, name), content);
  return { dir: target, files: Object.keys(files), check: `python3 ${join(target, "check.py")}` };
}

function define(proto: object, name: string, fn: (...args: never[]) => unknown): void {
  // Non-enumerable, like class methods; configurable so a restart of the module graph can redefine it.
  Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

/** Installs the path-taking methods on the engine's model classes. Call once when building the kernel's `rnn`. */
export function installInterop(): void {
  const weightClasses: { prototype: WithSafetensors }[] = [Sequential, TorchRecurrent, TorchLinear, TorchEmbedding];
  for (const cls of weightClasses) {
    define(cls.prototype, "saveSafetensors", function (this: WithSafetensors, path: string): string {
      return saveSafetensorsFile(this, path, "saveSafetensors");
    });
    define(cls.prototype, "loadSafetensors", function (this: WithSafetensors, path: string): WithSafetensors {
      loadSafetensorsFile(this, path, "loadSafetensors");
      return this;
    });
    define(cls.prototype, "exportPyTorch", function (this: unknown, dir: string, options?: PyTorchExportOptions): ExportPyTorchResult {
      return exportPyTorchTo(this, dir, options);
    });
    define(cls.prototype, "importPyTorch", function (this: unknown, path: string, options?: FromPyTorchOptions): unknown {
      let file = absolute(path, "importPyTorch");
      // An export folder: its weights.safetensors.
      if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = join(file, "weights.safetensors");
      fromPyTorch(this, decodeSafetensors(readBytes(file, "importPyTorch")).tensors, options);
      return this;
    });
  }
}

/**
 * The inspect query `{ kind: "exportPyTorch", name, dir }` (the "Export Model to PyTorch" command):
 * exports the live top-level variable `name` of the cells. `bindings` are the names cells declared.
 */
export function exportLiveModel(name: string, dir: string, bindings: ReadonlySet<string>): ExportPyTorchResult | { error: string } {
  if (!bindings.has(name)) return { error: `No variable named "${name}" in this kernel (run the cell that defines it).` };
  const value = (globalThis as Record<string, unknown>)[name];
  try {
    return exportPyTorchTo(value, dir);
  } catch (e) {
    return { error: (e as Error).message };
  }
}
