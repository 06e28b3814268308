/**
 * The path-taking file methods of both model families, on top of the byte-level ones (toBytes,
 * toSafetensors, the PyTorch export) and the host's files (host.ts):
 *
 *   model.save(path) / rnn.load(path)        the whole-model file (serialize.ts)
 *   saveSafetensors(path) / rnn.saveWeights  weights only; rnn.nn modules use PyTorch's state-dict
 *   loadSafetensors(path) / rnn.loadWeights  names, so torch's load_state_dict reads ours and we theirs
 *   exportPyTorch(dir)                       model.py + weights.safetensors + check.py + reference.safetensors
 *   exportTraining(dir, { x, y, … })         the PyTorch export + data.safetensors + train.py (DDP, the fit's settings)
 *   importPyTorch(path)                      the way back: an export folder (its trained.safetensors once
 *                                            train.py ran, else weights.safetensors) or PyTorch-named
 *                                            weights saved with save_file(model.state_dict(), …)
 *
 * Writes are atomic (the host's promise). Path resolution is the host's (the Node kernel: relative to
 * the notebook's folder); this file only checks a path is a non-empty string and words the errors.
 */
import type { ExportPyTorchResult, ExportTrainingResult } from "../../shared/protocol";
import { hostFiles, type HostFiles } from "../host";
import { isModelFile } from "../serialize";
import { decodeSafetensors } from "./safetensors";
import { pyTorchExportFiles, toPyTorch, type PyTorchExportOptions } from "./torchExport";
import { fromPyTorch, type FromPyTorchOptions } from "./torchImport";
import { torchrunLine, trainingExportFiles, type TrainingExportOptions } from "./trainingExport";

export type { ExportPyTorchResult, ExportTrainingResult };

/** Something with the engine's byte-level weight methods: a Keras-family model or an rnn.nn module. */
export interface WithSafetensors {
  /** The weights as safetensors bytes. */
  toSafetensors(): Uint8Array;
  /** Loads weights from safetensors bytes. */
  fromSafetensors(bytes: Uint8Array): void;
}

/** The host's absolute path for a cell's `path`; `what` names the call in errors. */
function resolve(files: HostFiles, path: unknown, what: string): string {
  if (typeof path !== "string" || path === "") throw new TypeError(`${what}: expected a path (a string, relative to the notebook's folder)`);
  return files.resolve(path);
}

/** How a call looks in a cell, for the no-files error: "rnn.saveWeights(model, path)", "model.saveSafetensors(path)". */
function callText(what: string): string {
  return what.startsWith("rnn.") ? `${what}(model, path)` : `model.${what}(path)`;
}

/** The bytes of `file`, with the missing file and other failures named for `what`. */
function readOrExplain(files: HostFiles, file: string, what: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  try {
    bytes = files.read(file);
  } catch (e) {
    throw new Error(`${what}: cannot read ${file} (${(e as Error).message})`);
  }
  if (!bytes) throw new Error(`${what}: no file at ${file}`);
  return bytes;
}

/** `model.save(path)`: the whole-model file `bytes` (model.toBytes()) at `path`. */
export function saveModelFile(bytes: Uint8Array, path: string): void {
  const files = hostFiles("model.save(path)", "model.toBytes()");
  if (typeof path !== "string" || path === "") throw new TypeError("expected a file path (a string, relative to the notebook's folder)");
  files.write(files.resolve(path), bytes);
}

/** `rnn.load(path)`: the bytes of a whole-model file (rnn.modelFromBytes turns them into the model). */
export function readModelFile(path: string): Uint8Array {
  const files = hostFiles("rnn.load(path)", "rnn.modelFromBytes(bytes)");
  if (typeof path !== "string" || path === "") throw new TypeError("expected a file path (a string, relative to the notebook's folder)");
  const file = files.resolve(path);
  let bytes: Uint8Array | undefined;
  try {
    bytes = files.read(file);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message} (${file})`);
  }
  if (!bytes) throw new Error(`cannot read ${path}: no such file (${file})`);
  return bytes;
}

/**
 * Weights of a model or nn module to a .safetensors file (atomically). Behind `saveSafetensors(path)`
 * and `rnn.saveWeights(model, path)`; `what` names the caller in errors. Returns the absolute path.
 */
export function saveWeightsFile(model: WithSafetensors, path: string, what: string): string {
  const files = hostFiles(callText(what), "toSafetensors()");
  const file = resolve(files, path, what);
  files.write(file, model.toSafetensors());
  return file;
}

/**
 * Weights from a .safetensors file; a whole-model file (model.save) is named as such. Behind
 * `loadSafetensors(path)` and `rnn.loadWeights(model, path)`.
 */
export function loadWeightsFile(model: WithSafetensors, path: string, what: string): void {
  const files = hostFiles(callText(what), "fromSafetensors(bytes)");
  const file = resolve(files, path, what);
  const bytes = readOrExplain(files, file, what);
  if (isModelFile(bytes)) throw new Error(`${what}: ${file} is a whole-model file (model.save); open it with rnn.load(path)`);
  model.fromSafetensors(bytes);
}

/**
 * Writes the four export files of `model` (either family) into `dir`, created if needed. The
 * "Export Model to PyTorch" command runs this on a live variable, so `model` may be anything: what is
 * not a model gets the export's own error.
 */
export function exportPyTorchFiles(model: unknown, dir: string, options: PyTorchExportOptions = {}): ExportPyTorchResult {
  const files = hostFiles("model.exportPyTorch(dir)");
  const target = resolve(files, dir, "exportPyTorch");
  const contents = pyTorchExportFiles(toPyTorch(model, options));
  for (const [name, content] of Object.entries(contents)) files.write(files.join(target, name), content);
  return { dir: target, files: Object.keys(contents), check: `python3 ${files.join(target, "check.py")}` };
}

/**
 * Writes a training export of `model` (trainingExport.ts) into `dir`, created if needed. The "Export
 * Training Script" command runs this on live variables, so anything may arrive: the export words the errors.
 */
export function exportTrainingFiles(model: unknown, dir: string, options: TrainingExportOptions): ExportTrainingResult {
  const files = hostFiles("model.exportTraining(dir, options)");
  const target = resolve(files, dir, "exportTraining");
  const contents = trainingExportFiles(model, options);
  for (const [name, content] of Object.entries(contents)) files.write(files.join(target, name), content);
  return { dir: target, files: Object.keys(contents), run: `cd ${JSON.stringify(target)} && ${torchrunLine(1)}` };
}

/**
 * PyTorch-named weights from `path` into `model`: a .safetensors file, or an export folder — its
 * trained.safetensors when train.py has written one there, else the exported weights.safetensors.
 */
export function importPyTorchFile(model: unknown, path: string, options?: FromPyTorchOptions): void {
  const files = hostFiles("model.importPyTorch(path)");
  let file = resolve(files, path, "importPyTorch");
  if (files.isFolder(file)) {
    const trained = files.read(files.join(file, "trained.safetensors"));
    if (trained) return fromPyTorch(model, decodeSafetensors(trained).tensors, options);
    file = files.join(file, "weights.safetensors");
  }
  fromPyTorch(model, decodeSafetensors(readOrExplain(files, file, "importPyTorch")).tensors, options);
}

/** `rnn.saveWeights(model, path)`: weights only, as a .safetensors file (any model or rnn.nn module). */
export function saveWeights(model: WithSafetensors, path: string): void {
  if (typeof model?.toSafetensors !== "function") throw new TypeError("rnn.saveWeights(model, path): expected a model or an rnn.nn module");
  saveWeightsFile(model, path, "rnn.saveWeights");
}

/** `rnn.loadWeights(model, path)`: weights from a .safetensors file into a model of the same architecture. */
export function loadWeights(model: WithSafetensors, path: string): void {
  if (typeof model?.fromSafetensors !== "function") throw new TypeError("rnn.loadWeights(model, path): expected a model or an rnn.nn module");
  loadWeightsFile(model, path, "rnn.loadWeights");
}
