/**
 * PyTorch → engine, the inverse of the export (torchExport.ts): loads state-dict tensors into a model.
 * The point is the round trip of growing out and coming back — export a notebook model, train it further
 * in PyTorch (DDP/FSDP on many GPUs), save `model.state_dict()` as safetensors, and load the result
 * here to look at its gates.
 *
 *   rnn.nn modules      the state dict as is (loadStateDict: every name and shape must match)
 *   Keras family        the names exportPyTorch writes (`lstm.weight_ih_l0`, `dense.weight`, …);
 *                       kernels transposed back, GRU blocks r,z,n → z,r,h, a single Keras bias =
 *                       bias_ih + bias_hh (exact: the two are only ever added), GRU resetAfter rows =
 *                       [bias_ih; bias_hh]
 * `prefix` selects and strips a submodule's keys (`"lstm."` from a torch model holding `self.lstm`).
 * Nothing is changed unless every tensor is present with the right shape.
 */
import type { Tensor } from "../tensor";
import { ExportError, importLinks } from "./torchExport";

/** Options of `importPyTorch(path, options)`: which keys of the PyTorch state dict to read. */
export interface FromPyTorchOptions {
  /** Only keys starting with this prefix are used, with the prefix removed (e.g. "model."). */
  prefix?: string;
}

/** Loads PyTorch-named tensors into a Keras-family model (export names) or an rnn.nn module. */
export function fromPyTorch(model: unknown, tensors: Record<string, Tensor>, options: FromPyTorchOptions = {}): void {
  const prefix = options.prefix ?? "";
  const dict: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith(prefix)) dict[k.slice(prefix.length)] = v;
  const plan = importLinks(model);
  if (plan) {
    const expected = new Set(plan.keys);
    const missing = plan.keys.filter((k) => !(k in dict));
    const unexpected = Object.keys(dict).filter((k) => !expected.has(k));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new ExportError(`fromPyTorch: the tensors do not match this model's PyTorch names` +
        (missing.length ? `; missing ${missing.join(", ")}` : "") + (unexpected.length ? `; unexpected ${unexpected.join(", ")}` : "") +
        prefixHint(Object.keys(dict), plan.keys) + renameHint(missing, unexpected));
    }
    for (const link of plan.links) {
      link.keys.forEach((k, i) => {
        if (dict[k].shape.join() !== link.shapes[i].join()) {
          throw new ExportError(`fromPyTorch: ${prefix}${k} has shape [${dict[k].shape.join(", ")}] but this model needs [${link.shapes[i].join(", ")}]`);
        }
      });
    }
    for (const link of plan.links) link.apply(dict);
    return;
  }
  const m = model as { loadStateDict?: (d: Record<string, Tensor>) => void } | null;
  if (m && typeof m.loadStateDict === "function") {
    try {
      m.loadStateDict(dict);
    } catch (e) {
      const names = Object.keys((model as { stateDict(): Record<string, Tensor> }).stateDict());
      throw new Error((e as Error).message + prefixHint(Object.keys(dict), names));
    }
    return;
  }
  throw new ExportError("fromPyTorch: expected a model made with rnn.sequential(...) or a module made with rnn.nn.*");
}

/** When the file holds the expected names under some prefix ("model.lstm."), says which. */
function prefixHint(have: string[], want: string[]): string {
  for (const w of want) {
    const k = have.find((h) => h.endsWith(`.${w}`));
    if (k) return ` (the file has them under the prefix "${k.slice(0, k.length - w.length)}": pass { prefix: "${k.slice(0, k.length - w.length)}" })`;
  }
  return "";
}

/** When the same tensors are there under other layer names (a re-run cell names its layers lstm_1, …), says so. */
function renameHint(missing: string[], unexpected: string[]): string {
  const layer = (k: string): string => k.slice(0, k.indexOf("."));
  const rest = (k: string): string => k.slice(k.indexOf(".") + 1);
  if (missing.length === 0 || missing.length !== unexpected.length) return "";
  const have = unexpected.map(rest).sort().join(), want = missing.map(rest).sort().join();
  if (have !== want) return "";
  const names = (keys: string[]): string => [...new Set(keys.map(layer))].join(", ");
  return `. The layer names differ (file: ${names(unexpected)}; this model: ${names(missing)}): ` +
    "build the model with the same names (the name option of each layer), e.g. after restarting the kernel";
}
