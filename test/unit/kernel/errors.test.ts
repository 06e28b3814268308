// Stack frames of errors thrown after an `await` (src/kernel/errors.ts), through the real kernel
// process: V8 prints those frames as `at async <file>:<line>:<col>` with no parentheses, and they
// must be mapped to the cell like every other frame (no internal script suffix, a line of the cell).
// Also the message of a class that forgot super() in its constructor.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { buildKernel, tempDir, TestKernel } from "./harness";

describe("kernel errors: frames after an await, a forgotten super()", function () {
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

  it("says which class forgot super(), and that it extends rnn.nn.Module, at the constructor's line", async () => {
    const r = await k.run([
      "class Net extends rnn.nn.Module {",
      "  constructor() {",
      "    // super() forgotten",
      "    this.fc = rnn.nn.Linear(2, 1);",
      "  }",
      "}",
      "new Net();",
    ].join("\n"), 4);
    assert.equal(r.status, "error");
    // V8 throws at line 4's `this` (column 5); the cell's `new Net()` is line 7, column 1.
    assert.equal(r.error!.stack.split("\n").slice(0, 3).join("\n"),
      "ReferenceError: class Net extends rnn.nn.Module: call super() first in the constructor, before using this " +
      "(Must call super constructor in derived class before accessing 'this' or returning from derived constructor)\n" +
      "    at new Net (cell4.ts:4:5)\n    at cell4.ts:7:1");
    const other = await k.run("class Plain extends Array {\n  constructor() {\n    // super() forgotten\n  }\n}\nnew Plain();", 5);
    assert.match(other.error!.message, /^class Plain: call super\(\) first in the constructor/);
  });
});
