// Static guard for the renderer's security rule ("the renderer never builds HTML from output
// data — text nodes and canvas only"): no source file of the renderer or of src/shared uses an HTML
// sink. The list of sinks is the DOM's string-to-markup APIs (innerHTML, outerHTML, insertAdjacentHTML,
// document.write/writeln, createContextualFragment, DOMParser, srcdoc) plus eval-like calls.
import * as assert from "node:assert/strict";
import { scanSources } from "../../support/sourceScan";

const SINKS = /\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|createContextualFragment|new\s+DOMParser|\.srcdoc\s*=|\beval\s*\(|new\s+Function\s*\(|setAttribute\(\s*["']on/;

describe("renderer: no HTML sinks", () => {
  it("src/renderer and src/shared never turn strings into markup", () => {
    const { checked, offenders } = scanSources(["src/renderer", "src/shared"], SINKS);
    assert.ok(checked.length >= 10, `expected the renderer sources, found ${checked.length} files`);
    assert.deepEqual(offenders, []);
  });
});
