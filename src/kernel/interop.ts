/**
 * The inspect query `{ kind: "exportPyTorch", name, dir }` (the "Export Model to PyTorch" command) on
 * a live variable of the cells. The export itself is the engine's (`model.exportPyTorch(dir)`, through
 * the kernel's host files); this file only finds the variable and turns errors into answers.
 */
import { exportPyTorchFiles } from "../engine/io/files";
import type { ExportPyTorchResult } from "../shared/protocol";

/** Exports the live top-level variable `name` of the cells to `dir`. `bindings` are the names cells declared. */
export function exportLiveModel(name: string, dir: string, bindings: ReadonlySet<string>): ExportPyTorchResult | { error: string } {
  if (!bindings.has(name)) return { error: `No variable named "${name}" in this kernel (run the cell that defines it).` };
  const value = (globalThis as Record<string, unknown>)[name];
  try {
    // Any value: what is not a model gets the export's own error ("expected an rnn.sequential model …").
    return exportPyTorchFiles(value, dir);
  } catch (e) {
    return { error: (e as Error).message };
  }
}
