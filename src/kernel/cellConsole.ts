/**
 * The console of cells where Node's Console is missing (the browser Worker kernel): the methods cells
 * use, formatting as Node's console does (platform().format / inspect) and writing to the cell's
 * streams — log, info, debug and dir to stdout; warn, error and a failed assert to stderr; count,
 * time and group as Node words them. (`trace` is the sandbox's own, with the cell's frames.)
 *
 * Porting note: `console.table` prints its argument as console.log does, not as a table.
 */
import { platform } from "./platform";

type Write = (name: "stdout" | "stderr", text: string) => void;

export function portableConsole(write: Write): Console {
  let indent = "";
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const out = (name: "stdout" | "stderr", args: unknown[]) => {
    const text = platform().format(...args);
    write(name, (indent ? text.split("\n").map((l) => indent + l).join("\n") : text) + "\n");
  };
  // Node prints durations with 3 decimals, in ms below a second and in s from there.
  const elapsed = (label: string): string | undefined => {
    const start = timers.get(label);
    if (start === undefined) {
      write("stderr", `Warning: No such label '${label}' for console.timeEnd()\n`);
      return undefined;
    }
    const ms = performance.now() - start;
    return ms < 1000 ? `${Number(ms.toFixed(3))}ms` : `${Number((ms / 1000).toFixed(3))}s`;
  };
  const group = (...label: unknown[]) => {
    if (label.length > 0) out("stdout", label);
    indent += "  ";
  };
  const c = {
    log: (...a: unknown[]) => out("stdout", a),
    info: (...a: unknown[]) => out("stdout", a),
    debug: (...a: unknown[]) => out("stdout", a),
    table: (...a: unknown[]) => out("stdout", a),
    warn: (...a: unknown[]) => out("stderr", a),
    error: (...a: unknown[]) => out("stderr", a),
    trace: (...a: unknown[]) => out("stderr", ["Trace:", ...a]),
    dir: (v: unknown, options?: object) => write("stdout", indent + platform().inspect(v, options) + "\n"),
    dirxml: (...a: unknown[]) => out("stdout", a),
    assert: (ok: unknown, ...a: unknown[]) => {
      if (ok) return;
      if (typeof a[0] === "string") out("stderr", [`Assertion failed: ${a[0]}`, ...a.slice(1)]);
      else out("stderr", ["Assertion failed", ...a]);
    },
    count: (label = "default") => {
      const n = (counts.get(String(label)) ?? 0) + 1;
      counts.set(String(label), n);
      out("stdout", [`${label}: ${n}`]);
    },
    countReset: (label = "default") => void counts.delete(String(label)),
    time: (label = "default") => void timers.set(String(label), performance.now()),
    timeLog: (label = "default", ...a: unknown[]) => {
      const t = elapsed(String(label));
      if (t !== undefined) out("stdout", [`${label}: ${t}`, ...a]);
    },
    timeEnd: (label = "default") => {
      const t = elapsed(String(label));
      if (t !== undefined) out("stdout", [`${label}: ${t}`]);
      timers.delete(String(label));
    },
    group,
    groupCollapsed: group,
    groupEnd: () => void (indent = indent.slice(2)),
    clear: () => undefined,
    profile: () => undefined,
    profileEnd: () => undefined,
    timeStamp: () => undefined,
  };
  return c as unknown as Console;
}
