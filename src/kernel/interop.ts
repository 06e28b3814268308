/**
 * The inspect queries `{ kind: "exportPyTorch", name, dir }` (the "Export Model to PyTorch" command)
 * and `{ kind: "exportTraining", name, dir, x, y, options }` ("Export Training Script") on live
 * variables of the cells. The exports themselves are the engine's (`model.exportPyTorch(dir)`,
 * `model.exportTraining(dir, options)`, through the kernel's host files); this file only finds the
 * variables and turns errors into answers.
 */
import { exportPyTorchFiles, exportTrainingFiles } from "../engine/io/files";
import type { TrainingExportOptions } from "../engine/io/trainingExport";
import { adam, rmsprop, sgd } from "../engine/optim";
import type { ExportPyTorchResult, ExportTrainingResult, InspectQuery } from "../shared/protocol";

/** The live top-level variable `name`, or the answer saying it does not exist. */
function live(name: string, bindings: ReadonlySet<string>): { value: unknown } | { error: string } {
  if (!bindings.has(name)) return { error: `No variable named "${name}" in this kernel (run the cell that defines it).` };
  return { value: (globalThis as Record<string, unknown>)[name] };
}

/** Exports the live top-level variable `name` of the cells to `dir`. `bindings` are the names cells declared. */
export function exportLiveModel(name: string, dir: string, bindings: ReadonlySet<string>): ExportPyTorchResult | { error: string } {
  const m = live(name, bindings);
  if ("error" in m) return m;
  try {
    // Any value: what is not a model gets the export's own error ("expected an rnn.sequential model …").
    return exportPyTorchFiles(m.value, dir);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The training export of the live model `query.name`, trained on the live variables `query.x` and `query.y`. */
export function exportLiveTraining(query: InspectQuery<"exportTraining">, bindings: ReadonlySet<string>): ExportTrainingResult | { error: string } {
  const m = live(query.name, bindings), x = live(query.x, bindings), y = live(query.y, bindings);
  for (const v of [m, x, y]) if ("error" in v) return v;
  try {
    const options = { loss: "mse", ...query.options, x: (x as { value: unknown }).value, y: (y as { value: unknown }).value } as TrainingExportOptions;
    options.optimizer = optimizerOf(query.options?.optimizer) as TrainingExportOptions["optimizer"];
    return exportTrainingFiles((m as { value: unknown }).value, query.dir, options);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The command's JSON optimizer `{ name: "adam", lr: 0.01, … }` as the engine's optimizer; names and anything else pass on. */
function optimizerOf(o: unknown): unknown {
  if (!o || typeof o !== "object" || Array.isArray(o)) return o;
  const { name, ...hyper } = o as { name?: unknown } & Record<string, unknown>;
  if (name === "adam") return adam(hyper);
  if (name === "sgd") return sgd(hyper);
  if (name === "rmsprop") return rmsprop(hyper);
  throw new Error(`optimizer: name must be "adam", "sgd" or "rmsprop", got ${JSON.stringify(name)}`);
}
