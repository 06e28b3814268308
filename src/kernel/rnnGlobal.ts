/**
 * The `rnn` global of cells: the engine's public exports plus the kernel's additions —
 *   rnn.show.*          rich outputs (src/kernel/rich), displayed in the running cell
 *   rnn.data.readCsv / readNpy    files → tensors (data.ts)
 *   rnn.toMath(t)       a mathjs matrix of a tensor (the engine gives nested arrays; we wrap them)
 *   rnn.signal          the running cell's interrupt AbortSignal, for a cell's own loops
 */
import type * as mathjs from "mathjs";
import { tensor, type Tensor } from "../engine/tensor";
import { createShow, DEFAULT_MAX_BYTES } from "./rich";
import { readCsvFile, readNpyFile, type CsvOptions } from "./data";
import type { Sandbox } from "./sandbox";

type MathJs = typeof mathjs;

export function createRnn(sandbox: Sandbox, math: MathJs): Record<string, unknown> {
  const show = createShow({ display: (bundle, displayId) => sandbox.display(bundle, displayId), maxBytes: DEFAULT_MAX_BYTES });
  const data = {
    /** CSV → a float32 tensor [rows, columns] (or `shape`). */
    readCsv(path: string, options: CsvOptions = {}): Tensor {
      const t = readCsvFile(path, options);
      return tensor(Float32Array.from(t.values), t.shape);
    },
    /** .npy → a tensor of the array's shape (float64 stays float64, other dtypes become float32). */
    readNpy(path: string): Tensor {
      const t = readNpyFile(path);
      return tensor(t.values, t.shape);
    },
  };
  const rnn: Record<string, unknown> = {
    tensor,
    show,
    data,
    toMath(t: unknown) {
      const nested = typeof t === "object" && t !== null && typeof (t as { toArray?: unknown }).toArray === "function"
        ? (t as { toArray(): unknown }).toArray() : t;
      return math.matrix(nested as mathjs.MathArray);
    },
  };
  Object.defineProperty(rnn, "signal", { get: () => sandbox.signal(), enumerable: true });
  return rnn;
}
