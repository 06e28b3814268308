/**
 * What every `rnn.nn` module shares: PyTorch-style access to its parameters by state-dict name
 * (`stateDict`, `loadStateDict`), Keras-style `getWeights` / `setWeights`, gradients reset, and the
 * state dict as safetensors bytes (io/safetensors.ts) and as files through the host (io/files.ts:
 * saveSafetensors, loadSafetensors, exportPyTorch, importPyTorch). Subclasses own the parameters
 * (`params()` in state-dict order) and the math.
 */
import { getParamValues, setParamValues, weightViews, zeroGrads, type Param } from "../layer";
import { asTensor, Tensor, type TensorLike, dtypeOf } from "../tensor";
import { decodeSafetensors, encodeSafetensors } from "../io/safetensors";
import { exportPyTorchFiles, importPyTorchFile, loadWeightsFile, saveWeightsFile, type ExportPyTorchResult } from "../io/files";
import type { PyTorchExportOptions } from "../io/torchExport";
import type { FromPyTorchOptions } from "../io/torchImport";

export abstract class TorchParams {
  abstract name: string;
  /** Parameters in state-dict order; the same objects on every call. */
  abstract params(): Param[];

  /** Copies of every parameter, keyed by PyTorch's state-dict names, in PyTorch's order. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const p of this.params()) out[p.name] = new Tensor(p.value.slice(), p.shape);
    return out;
  }

  /**
   * Loads a state dict (tensors, nested arrays or mathjs matrices), checking every shape. With
   * strict (default, as PyTorch) the keys must match exactly.
   */
  loadStateDict(dict: Record<string, TensorLike>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const params = this.params();
    const known = new Set(params.map((p) => p.name));
    const unexpected = Object.keys(dict).filter((k) => !known.has(k));
    const missing = params.filter((p) => !(p.name in dict)).map((p) => p.name);
    if (strict && (unexpected.length || missing.length)) {
      const parts = [missing.length ? `missing keys ${missing.join(", ")}` : "", unexpected.length ? `unexpected keys ${unexpected.join(", ")}` : ""];
      throw new Error(`${this}: loadStateDict: ${parts.filter(Boolean).join("; ")}`);
    }
    for (const p of params) {
      if (!(p.name in dict)) continue;
      const t = asTensor(dict[p.name], dtypeOf(p.value)); // nested arrays keep the weight's precision
      if (t.shape.join() !== p.shape.join()) {
        throw new Error(`${this}: loadStateDict: ${p.name} must have shape [${p.shape.join(", ")}] but got [${t.shape.join(", ")}]`);
      }
      p.value.set(t.data);
    }
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

  /** Sets every gradient to zero. */
  zeroGrad(): void {
    zeroGrads(this.params());
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
   * PyTorch-named weights (an export folder, or a .safetensors file saved with
   * `save_file(model.state_dict(), path)`) into this module. `prefix` selects a submodule's keys (e.g. "encoder.").
   */
  importPyTorch(path: string, options?: FromPyTorchOptions): this {
    importPyTorchFile(this, path, options);
    return this;
  }
}
