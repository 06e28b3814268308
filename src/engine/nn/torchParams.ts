/**
 * What every `rnn.nn` layer module shares: it is a Module (module.ts) whose parameters are its layer
 * Params as autograd leaves, so `stateDict`, `loadStateDict`, `parameters()`, `zeroGrad()` use PyTorch's
 * state-dict names; Keras-style `getWeights` / `setWeights`, gradients reset, and the
 * state dict as safetensors bytes (io/safetensors.ts) and as files through the host (io/files.ts:
 * saveSafetensors, loadSafetensors, exportPyTorch, importPyTorch). Subclasses own the parameters
 * (`params()` in state-dict order) and the math.
 */
import { getParamValues, setParamValues, weightViews, type Param } from "../layer";
import { Tensor, type TensorLike } from "../tensor";
import { decodeSafetensors, encodeSafetensors } from "../io/safetensors";
import { exportPyTorchFiles, exportTrainingFiles, importPyTorchFile, loadWeightsFile, saveWeightsFile, type ExportPyTorchResult, type ExportTrainingResult } from "../io/files";
import type { PyTorchExportOptions } from "../io/torchExport";
import type { FromPyTorchOptions } from "../io/torchImport";
import type { TrainingExportOptions } from "../io/trainingExport";
import { Module } from "./baseModule";
import { paramTensor } from "./parameter";

export abstract class TorchParams extends Module {
  abstract name: string;
  /** Parameters in state-dict order; the same objects on every call. */
  abstract params(): Param[];

  /** The layer parameters as autograd leaves (paramTensor), named as PyTorch's state dict. */
  protected ownParameters(): [string, Tensor][] {
    return this.params().map((p) => [p.name, paramTensor(p)]);
  }

  /** The nn layers hold no submodules (their buffers and recurrent core are not modules). */
  namedChildren(): [string, Module][] {
    return [];
  }

  /** Copies of the parameters in state-dict order. */
  getWeights(): Tensor[] {
    return getParamValues(this.params());
  }

  setWeights(values: readonly TensorLike[]): void {
    setParamValues(this.params(), values, this.name);
  }

  /** Name → tensor view sharing each parameter's storage. */
  get weights(): Record<string, Tensor> {
    return weightViews(this.params());
  }

  /** The state dict as safetensors bytes (names as PyTorch's). */
  toSafetensors(): Uint8Array {
    return encodeSafetensors(this.stateDict(), { format: "pt", module: String(this) });
  }

  /** Loads weights written by toSafetensors or by PyTorch's `safetensors.torch.save_file(m.state_dict())`. */
  fromSafetensors(bytes: Uint8Array): void {
    this.loadStateDict(decodeSafetensors(bytes).tensors);
  }

  /** The state dict as a .safetensors file (PyTorch's names, so torch's load_state_dict reads it); returns the absolute path. */
  saveSafetensors(path: string): string {
    return saveWeightsFile(this, path, "saveSafetensors");
  }

  /** Loads .safetensors weights (ours or PyTorch's `save_file(model.state_dict(), path)`) into this module. */
  loadSafetensors(path: string): this {
    loadWeightsFile(this, path, "loadSafetensors");
    return this;
  }

  /** model.py + weights.safetensors + check.py + reference.safetensors in `dir` (created if needed), for PyTorch. */
  exportPyTorch(dir: string, options?: PyTorchExportOptions): ExportPyTorchResult {
    return exportPyTorchFiles(this, dir, options);
  }

  /**
   * The PyTorch export plus the training data (data.safetensors) and train.py, a DistributedDataParallel
   * script with the given fit options (loss, optimizer, clipping, tbptt, …): `torchrun --standalone --nproc_per_node=N
   * --redirects 1 --tee 1 train.py` trains it (the last two flags for Debian's torch 1.13 on Python 3.11);
   * `importPyTorch(dir)` then loads trained.safetensors. `{ x, y, loss, ...fitOptions }`.
   */
  exportTraining(dir: string, options: TrainingExportOptions): ExportTrainingResult {
    return exportTrainingFiles(this, dir, options);
  }

  /**
   * PyTorch-named weights (an export folder, or a .safetensors file saved with
   * `save_file(model.state_dict(), path)`) into this module. `prefix` selects a submodule's keys (e.g. "encoder.").
   */
  importPyTorch(path: string, options?: FromPyTorchOptions): this {
    importPyTorchFile(this, path, options);
    return this;
  }
}
