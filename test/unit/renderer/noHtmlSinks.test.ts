// Static guard for the renderer's security rule (issue 9: "the renderer never builds HTML from output
// data — text nodes and canvas only"): no source file of the renderer or of src/shared uses an HTML
// sink. The list of sinks is the DOM's string-to-markup APIs (innerHTML, outerHTML, insertAdjacentHTML,
// document.write/writeln, createContextualFragment, DOMParser, srcdoc) plus eval-like calls.
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const SINKS = /\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|createContextualFragment|new\s+DOMParser|\.srcdoc\s*=|\beval\s*\(|new\s+Function\s*\(|setAttribute\(\s*["']on/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("renderer: no HTML sinks", () => {
  it("src/renderer and src/shared never turn strings into markup", () => {
    const offenders: string[] = [];
    const checked = [...files("src/renderer"), ...files("src/shared")];
    for (const f of checked) {
      readFileSync(f, "utf8").split("\n").forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, ""); // comments may name the sinks
        if (SINKS.test(code)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.ok(checked.length >= 10, `expected the renderer sources, found ${checked.length} files`);
    assert.deepEqual(offenders, []);
  });
});
