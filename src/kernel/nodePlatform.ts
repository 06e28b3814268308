/**
 * The Node kernel process's side of the seams (platform.ts, SandboxOptions): Node's util.inspect and
 * format, vm.runInThisContext, zlib, setImmediate; AsyncLocalStorage for which cell owns a callback;
 * Node's Console; and process.stdout/stderr writes made cell output. Only src/kernel/main.ts uses it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Console } from "node:console";
import * as fs from "node:fs";
import * as path from "node:path";
import { formatWithOptions, inspect } from "node:util";
import * as vm from "node:vm";
import { deflateSync } from "node:zlib";
import type { KernelPlatform } from "./platform";
import type { CellRun, SandboxOptions, StreamName } from "./sandbox";

export const nodePlatform: KernelPlatform = {
  inspect: (value, options) => inspect(value, { ...options, colors: false }),
  format: (...args) => formatWithOptions({ colors: false }, ...args),
  evaluate: (code, filename) => vm.runInThisContext(code, { filename }),
  isInternalFile,
  deflate: (bytes) => new Uint8Array(deflateSync(bytes, { level: 9 })),
  nextTurn: (f) => void setImmediate(f),
};

const kernelProcess = process;

/** The sandbox's Node parts (the importer is main.ts's: it knows the notebook's folder). */
export const nodeSandbox: Omit<SandboxOptions, "outbox" | "importer"> = {
  cellContext: new AsyncLocalStorage<CellRun>(),
  console(write) {
    // Console needs only write() plus the error-listener calls it makes around each write.
    const sink = (name: StreamName) => ({
      write: (chunk: unknown) => (write(name, String(chunk)), true),
      once: () => undefined, on: () => undefined, removeListener: () => undefined, listenerCount: () => 0,
    }) as unknown as NodeJS.WritableStream;
    return new Console({ stdout: sink("stdout"), stderr: sink("stderr"), colorMode: false });
  },
  // Anything written to process.stdout/stderr directly (a package's own printing) is cell output too.
  captureStdio(write) {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = kernelProcess[name];
      stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? encoding as BufferEncoding : "utf8");
        write(name, text);
        const done = typeof encoding === "function" ? encoding : cb;
        if (typeof done === "function") kernelProcess.nextTick(done as () => void);
        return true;
      }) as typeof stream.write;
    }
  },
};

/**
 * The extension's folder (where its package.json is): its dist/ bundles, its src/ (frames remapped by
 * --enable-source-maps), its bundled node_modules and test builds are all kernel internals.
 */
const kernelRoot = findPackageRoot(__dirname);
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "rnn-notebook") return dir;
    } catch {
      // keep looking
    }
    if (path.dirname(dir) === dir) return path.dirname(from);
  }
}

/** Frames of the kernel itself and of Node's internals. */
function isInternalFile(file: string): boolean {
  if (file.startsWith("node:") || file === "<anonymous>" || file.startsWith("evalmachine")) return true;
  if (file === __filename) return true;
  const f = file.startsWith("file://") ? file.slice("file://".length) : file;
  return f.startsWith(path.join(kernelRoot, "dist") + path.sep) || f.startsWith(path.join(kernelRoot, "src") + path.sep) ||
    f.startsWith(path.join(kernelRoot, "node_modules") + path.sep) || f.startsWith(path.join(kernelRoot, "out") + path.sep);
}
