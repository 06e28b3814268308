/**
 * Errors as the user should see them: the message, and a stack whose frames point at the cell's own
 * line:column (`at train (cell3.ts:2:5)`), with the kernel's and Node's internal frames removed.
 *
 * Every piece of code the kernel evaluates (a cell, an imported .ts/.js helper) is registered here
 * under the file name V8 prints in its frames, with the source map from its transpilation.
 */
import { platform } from "./platform";
import { originalPosition, type LineMappings } from "./sourceMap";
import { Module } from "../engine/nn/baseModule";

interface ScriptInfo {
  /** What the user sees, e.g. "cell3.ts" or "helper.ts". */
  displayName: string;
  mappings: LineMappings;
  /** Lines the kernel put before the transpiled code (its wrapper). */
  lineOffset: number;
}

export interface ErrorReport {
  name: string;
  message: string;
  stack: string;
}

/**
 * One stack frame: `at fn (file:line:col)`, `at file:line:col`, and their `at async …` forms (a
 * frame resumed after an await). The `async ` keyword is matched apart, else an anonymous async
 * frame would read as a file named "async cell1.ts#1" that nothing maps.
 */
const FRAME = /^\s*at (?:async )?(?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

export class ScriptRegistry {
  private readonly scripts = new Map<string, ScriptInfo>();

  /** Registers code evaluated under `scriptName` (the filename V8 prints). */
  register(scriptName: string, info: ScriptInfo): void {
    this.scripts.set(scriptName, info);
  }

  /** Maps a generated position of a registered script to the user's file. */
  map(scriptName: string, line: number, column: number): { file: string; line: number; column: number } | undefined {
    const info = this.scripts.get(scriptName);
    if (!info) return undefined;
    const pos = originalPosition(info.mappings, line - info.lineOffset, column);
    return pos && { file: info.displayName, ...pos };
  }

  /** A user-facing stack: mapped cell/helper frames and frames of the user's own packages only. */
  cleanStack(stack: string): string[] {
    const frames: string[] = [];
    for (const raw of stack.split("\n")) {
      const m = FRAME.exec(raw);
      if (!m) continue;
      const [, name, file, line, column] = m;
      const isAsync = raw.trimStart().startsWith("at async ");
      const mapped = this.map(file, Number(line), Number(column));
      if (mapped) {
        const where = `${mapped.file}:${mapped.line}:${mapped.column}`;
        const label = name && !/^(<anonymous>|eval)$/.test(name) && !name.includes(KERNEL_PARAM_HINT) ? name : "";
        frames.push(`    at ${isAsync ? "async " : ""}${label ? `${label} (${where})` : where}`);
      } else if (!this.scripts.has(file) && !platform().isInternalFile(file)) {
        frames.push(raw.replace(/^\s*/, "    "));
      }
    }
    return frames;
  }

  /** The error report for anything thrown by user code. Never throws: a thrown value whose getters
   * throw (or a Proxy) is described as well as it can be, and the cell still ends. */
  report(err: unknown): ErrorReport {
    try {
      return this.describe(err);
    } catch {
      let message = "a thrown value that could not be described (reading it threw)";
      try {
        message = platform().inspect(err, { depth: 1, customInspect: false });
      } catch {
        // keep the plain message
      }
      return { name: "Uncaught", message, stack: `Uncaught ${message}` };
    }
  }

  private describe(err: unknown): ErrorReport {
    if (!(err instanceof Error) && !(typeof err === "object" && err !== null && "stack" in err && "message" in err)) {
      const message = platform().inspect(err, { depth: 2 });
      return { name: "Uncaught", message, stack: `Uncaught ${message}` };
    }
    const e = err as Error;
    const name = typeof e.name === "string" ? e.name : "Error";
    const stack = readStack(e);
    const frames = typeof stack === "string" ? this.cleanStack(stack) : stack === UNREADABLE ? [UNREADABLE_NOTE] : [];
    const message = missingSuperMessage(e, frames) ?? (typeof e.message === "string" ? e.message : String(e.message));
    const lines = [`${name}: ${message}`, ...frames];
    // Error causes (`new Error("…", { cause })`), as Node prints them, a few levels deep.
    let cause: unknown = (e as { cause?: unknown }).cause;
    for (let depth = 0; cause !== undefined && depth < 4; depth++) {
      if (cause instanceof Error) {
        const causeStack = readStack(cause);
        lines.push(`  [cause]: ${cause.name}: ${cause.message}`, ...(typeof causeStack === "string" ? this.cleanStack(causeStack).map((f) => "  " + f) : []));
        cause = (cause as { cause?: unknown }).cause;
      } else {
        lines.push(`  [cause]: ${platform().inspect(cause, { depth: 2 })}`);
        break;
      }
    }
    return { name, message, stack: lines.join("\n") };
  }
}

/**
 * A derived class whose constructor never calls super() (or uses `this` first) fails before any of
 * our code runs, with V8's generic ReferenceError; its message is the only sign of that case, so it
 * is matched here. The constructor's frame (`at new X (cell2.ts:3:5)`, the first one) names the
 * class; a cell's top-level class is a global, so it can be checked against rnn.nn.Module.
 */
function missingSuperMessage(e: Error, frames: readonly string[]): string | undefined {
  if (!(e instanceof ReferenceError) || !/^Must call super constructor in derived class/.test(e.message)) return undefined;
  const m = /^\s*at new ([\w$]+) \(/.exec(frames[0] ?? "");
  if (!m) return undefined;
  const cls = (globalThis as Record<string, unknown>)[m[1]];
  // A subclass constructor inherits from its base constructor, so Module is on its chain.
  const base = typeof cls === "function" && Object.prototype.isPrototypeOf.call(Module, cls) ? " extends rnn.nn.Module" : "";
  return `class ${m[1]}${base}: call super() first in the constructor, before using this (${e.message})`;
}

const UNREADABLE = Symbol("stack unreadable");
const UNREADABLE_NOTE = "    (no stack trace: reading it threw — is Error.prepareStackTrace replaced?)";

/**
 * An error's `stack`, read on its own: V8 formats it lazily through Error.prepareStackTrace, which a
 * cell may have replaced by a function that throws; name and message are then still worth showing.
 */
function readStack(e: Error): unknown {
  try {
    return e.stack;
  } catch {
    return UNREADABLE;
  }
}

const KERNEL_PARAM_HINT = "__rnnk$";
