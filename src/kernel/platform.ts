/**
 * The kernel's platform port: the few things the kernel's portable modules (sandbox, errors, display,
 * rich outputs, output) need from the runtime they run in, declared here and installed once by the
 * kernel's entry — like the engine's host port (src/engine/host.ts).
 *
 *   platform            values as text            evaluate cells       PNG deflate      next turn
 *   Node kernel         util.inspect / format     vm.runInThisContext  zlib level 9     setImmediate
 *   (node/platform.ts)
 *   browser Worker      ./format.ts               indirect eval with   ./rich/deflate   MessageChannel
 *   (web/platform.ts)   (the portable formatter)  a sourceURL
 *
 * The default is the portable one, so a module used on its own (a unit test) works without an entry.
 */
import { formatArgs, inspectValue, type InspectOptions } from "./format";
import { deflateFixed } from "./rich/deflate";

export type { InspectOptions };

export interface KernelPlatform {
  /** A value as text, the way Node's REPL shows it (util.inspect). */
  inspect(value: unknown, options?: InspectOptions): string;
  /** console.log's formatting of its arguments (util.format: %s %d %i %f %j %o %O %c, then the rest inspected). */
  format(...args: unknown[]): string;
  /**
   * Evaluates `code` (a script) in the kernel's own realm and global scope, returning its completion
   * value; `filename` is the name V8 prints in the stack frames of that code.
   */
  evaluate(code: string, filename: string): unknown;
  /** Whether a stack frame's file is the kernel's own code or its runtime's (left out of users' stacks). */
  isInternalFile(file: string): boolean;
  /** A zlib stream (RFC 1950) of `bytes`, synchronously: the IDAT data of the PNG fallbacks. */
  deflate(bytes: Uint8Array): Uint8Array;
  /** Calls `f` on a later turn of the event loop, after pending I/O and messages (not clamped like nested timers). */
  nextTurn(f: () => void): void;
}

/** Pure JavaScript: runs wherever the engine runs. */
export const portablePlatform: KernelPlatform = {
  inspect: inspectValue,
  format: formatArgs,
  // Indirect eval runs in the global scope, as vm.runInThisContext does; the sourceURL comment names
  // the script in stack frames.
  evaluate: (code, filename) => (0, eval)(`${code}\n//# sourceURL=${filename}`),
  isInternalFile: (file) => file === "<anonymous>",
  deflate: deflateFixed,
  nextTurn: (f) => void setTimeout(f, 0),
};

let current: KernelPlatform = portablePlatform;

/** Installs the platform; for the kernel's entry (src/kernel/main.ts, src/kernel/web/worker.ts) only. */
export function setPlatform(p: KernelPlatform): void {
  current = p;
}

/** The installed platform. */
export function platform(): KernelPlatform {
  return current;
}
