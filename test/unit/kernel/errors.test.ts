// Stack frames of errors thrown after an `await` (src/kernel/errors.ts), through the real kernel
// process: V8 prints those frames as `at async <file>:<line>:<col>` with no parentheses, and they
// must be mapped to the cell like every other frame (no internal script suffix, a line of the cell).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { buildKernel, tempDir, TestKernel } from "./harness";

describe("kernel errors after an await", function () {
  this.timeout(60_000);
  let k: TestKernel;
  let dir: string;

  before(async () => {
    await buildKernel();
    dir = tempDir("errors");
    k = new TestKernel(dir);
    await k.ready;
  });

  after(async () => {
    await k?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("maps the async frames of a cell's function and of the cell itself to the cell's lines", async () => {
    const r = await k.run([
      "async function load(): Promise<number> {",
      "  await new Promise((r) => setTimeout(r, 1));",
      '  throw new Error("after await");',
      "}",
      "await load();",
    ].join("\n"), 1);
    assert.equal(r.status, "error");
    // Line 3 throws (V8 points at `new Error`, column 9); the cell resumes at line 5's `await`, column 1.
    assert.equal(r.error!.stack, "Error: after await\n    at load (cell1.ts:3:9)\n    at async cell1.ts:5:1");
  });

  it("maps an async frame of a function defined in an earlier cell", async () => {
    await k.run("async function later(): Promise<void> {\n  await null;\n  throw new RangeError(\"later\");\n}", 2);
    const r = await k.run("\nawait later();", 3);
    // later() throws on line 3 of cell 2 (`new RangeError`, column 9); cell 3's `await` is line 2, column 1.
    assert.equal(r.error!.stack, "RangeError: later\n    at later (cell2.ts:3:9)\n    at async cell3.ts:2:1");
  });
});
