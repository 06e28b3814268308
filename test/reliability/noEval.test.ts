// Static guard ("the extension host never evals notebook content"): no source file of the
// extension (src/extension, which runs in VS Code's extension host) uses eval, the Function
// constructor, node:vm, or a string-taking timer — notebook code runs only in the kernel process. The
// renderer's own rule (no HTML sinks) is test/unit/renderer/noHtmlSinks.test.ts.
import * as assert from "node:assert/strict";
import { scanSources } from "../support/sourceScan";

const EVALUATORS = /\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(\s*["'`]|["']node:vm["']|from\s+["']vm["']|require\(\s*["']vm["']\s*\)|runIn(This|New)?Context|set(Timeout|Interval)\(\s*["'`]/;

describe("extension host: no code evaluation", () => {
  it("src/extension never evaluates strings as code", () => {
    const { checked, offenders } = scanSources(["src/extension"], EVALUATORS);
    assert.ok(checked.length >= 15, `expected the extension sources, found ${checked.length} files`);
    assert.deepEqual(offenders, []);
    console.log(`      ${checked.length} files of src/extension: no eval, Function constructor, vm or string timer`);
  });
});
