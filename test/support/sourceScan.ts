// Static guards over the project's own sources (no eval in the extension host, no HTML sinks in the
// renderer): every line of every .ts file under the given folders, comments left out, tested against a pattern.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The .ts files under `dirs` and their code lines matching `pattern`, as "file:line: text" (comments may name it). */
export function scanSources(dirs: string[], pattern: RegExp): { checked: string[]; offenders: string[] } {
  const checked = dirs.flatMap(tsFiles);
  const offenders: string[] = [];
  for (const f of checked) {
    readFileSync(f, "utf8").split("\n").forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
      if (pattern.test(code)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  return { checked, offenders };
}
