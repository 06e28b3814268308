/**
 * The kernel's files, for itself and as the engine's host files (src/engine/host.ts):
 *
 * - Writing without ever leaving half a file: the content goes to a temporary file beside the target,
 *   which is then renamed over it (atomic on one file system). A kernel killed mid-write — Stop's grace
 *   period ending in the middle of `model.save` — leaves the previous file intact. Used by the engine's
 *   file methods (model.save, saveSafetensors, exportPyTorch, …) and the headless runner.
 * - Paths of cells resolve from the notebook's folder, which is the kernel's working directory.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { HostFiles } from "../engine/host";

/** A path of a cell, resolved against the notebook's folder (the kernel's working directory). */
export function resolveUserPath(p: string): string {
  if (typeof p !== "string" || p === "") throw new TypeError("expected a file path (a string, relative to the notebook's folder)");
  return path.resolve(process.cwd(), p);
}

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

/** The engine's files in the kernel: Node's fs, atomic writes, paths from the notebook's folder. */
export const nodeFiles: HostFiles = {
  resolve: resolveUserPath,
  join: (dir, name) => path.join(dir, name),
  read(file) {
    try {
      return new Uint8Array(fs.readFileSync(file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  },
  write: writeAtomic,
  isFolder: (file) => fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false,
};
