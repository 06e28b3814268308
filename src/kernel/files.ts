/**
 * Writing files from the kernel without ever leaving half of one: the content goes to a temporary
 * file beside the target, which is then renamed over it (atomic on one file system). A kernel killed
 * mid-write — Stop's grace period ending in the middle of `model.save` — leaves the previous file
 * intact. Used by model.save, rnn.saveWeights / saveSafetensors, exportPyTorch and the headless runner.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Writes `content` to `file` atomically, creating its folder; on failure the temporary file is removed. */
export function writeAtomic(file: string, content: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
