// The headless runner (src/client/runner.ts) as a user runs it: `node cli.js run <notebook> …`.
// Exit codes are the runner's contract: 0 all ran, 1 a cell failed, 2 usage/invalid notebook,
// 124 a cell exceeded --timeout (the code GNU timeout uses).
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseNotebook } from "../../../src/shared/notebookFormat";
import { buildKernel, KERNEL_DIST, tempDir } from "./harness";

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string, ms = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(KERNEL_DIST, "cli.js"), ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`cli did not end within ${ms} ms\n${stdout}\n${stderr}`));
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function rnnb(cells: { kind?: "code" | "markdown"; source: string }[]): string {
  return JSON.stringify({
    format: "rnn-notebook", version: 1, metadata: { kept: "unknown fields survive" },
    cells: cells.map((c) => ({ kind: c.kind ?? "code", language: c.kind === "markdown" ? "markdown" : "typescript", source: c.source, outputs: [], metadata: {} })),
  }, null, 2) + "\n";
}

describe("rnn-notebook run (headless runner)", function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    await buildKernel();
    dir = tempDir("cli");
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs every code cell in the notebook's folder, prints text/plain, exits 0, writes --out with full bundles", async () => {
    const file = path.join(dir, "ok.rnnb");
    fs.writeFileSync(path.join(dir, "numbers.txt"), "7");
    fs.writeFileSync(file, rnnb([
      { kind: "markdown", source: "# Title" },
      { source: 'import fs from "node:fs";\nconst n: number = Number(fs.readFileSync("numbers.txt", "utf8"));\nconsole.log("read", n);' },
      { source: "n * 6" },
      { source: "rnn.tensor([[1, 2], [3, 4]])" },
    ]));
    const out = path.join(dir, "ok.out.rnnb");
    const r = await runCli(["run", file, "--out", out], "/");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /read 7\n42\n/); // 7 · 6
    const nb = parseNotebook(fs.readFileSync(out, "utf8"));
    assert.deepEqual(nb.metadata, { kept: "unknown fields survive" });
    assert.deepEqual(nb.cells[1].outputs[0].items, [{ mime: "application/vnd.code.notebook.stdout", data: "read 7\n" }]);
    assert.deepEqual(nb.cells[2].outputs[0].items, [{ mime: "text/plain", data: "42" }]);
    const tensorMimes = nb.cells[3].outputs[0].items.map((i) => i.mime);
    assert.equal(tensorMimes[0], "application/vnd.rnn-notebook.tensor+json", "the rich mime comes first");
    assert.equal(tensorMimes[tensorMimes.length - 1], "text/plain", "text/plain fallback last");
    // The kernel's counter is saved with the outputs: code cells 1, 2, 3; the markdown cell has none.
    assert.deepEqual(nb.cells.map((c) => c.executionCount), [undefined, 1, 2, 3]);
  });

  it("exits 1 naming the cell and line, and --out holds outputs up to the failing cell", async () => {
    const file = path.join(dir, "fails.rnnb");
    fs.writeFileSync(file, rnnb([
      { source: 'console.log("first ran");' },
      { kind: "markdown", source: "text" },
      { source: "const a = 1;\nthrow new Error(`bad ${a}`);" },
      { source: 'console.log("never runs");' },
    ]));
    const r = await runCli(["run", file, "--out", file], dir);
    assert.equal(r.code, 1);
    // Cell 3 counts the markdown cell, as the notebook shows it; the throw is on line 2, column 7.
    assert.match(r.stderr, /Cell 3 failed at line 2:7: Error: bad 1/);
    assert.doesNotMatch(r.stdout, /never runs/);
    const nb = parseNotebook(fs.readFileSync(file, "utf8"));
    assert.equal(nb.cells[0].outputs.length, 1);
    assert.equal(nb.cells[2].outputs[0].items[0].mime, "application/vnd.code.notebook.error");
    assert.deepEqual(nb.cells[3].outputs, []);
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")).length, 0, "the atomic write left no temp file");
  });

  it("exits 1 when the last expression is an un-awaited fit that rejects, with the cell's frame only", async () => {
    const file = path.join(dir, "unawaited.rnnb");
    fs.writeFileSync(file, rnnb([{ source: [
      "const { x, y } = rnn.datasets.sine({ samples: 8, timesteps: 4, seed: 1 });",
      "const net = rnn.sequential({ inputShape: [4, 1] }, [rnn.simpleRNN({ units: 2 }), rnn.dense({ units: 1 })]);",
      'net.fit(x, y, { lossy: "mse" } as any)',
    ].join("\n") }]));
    const r = await runCli(["run", file], dir);
    assert.equal(r.code, 1, r.stdout);
    // `net.fit(` is line 3; `fit` is at column 5.
    assert.match(r.stderr, /Cell 1 failed at line 3:5: Error: fit: unknown option "lossy"/);
    assert.doesNotMatch(r.stdout + r.stderr, /Promise \{|kernel\.js|engine\//);
  });

  it("exits 2 on usage errors", async () => {
    assert.equal((await runCli([], dir)).code, 2);
    assert.equal((await runCli(["frobnicate", "x.rnnb"], dir)).code, 2);
    const r = await runCli(["run", "x.rnnb", "--timeout", "soon"], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--timeout needs a positive number of seconds/);
  });

  it("exits 2 on an unreadable file", async () => {
    const r = await runCli(["run", path.join(dir, "missing.rnnb")], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read/);
  });

  it("exits 2 on an invalid notebook, runs nothing and leaves the file (and --out target) untouched", async () => {
    const file = path.join(dir, "broken.rnnb");
    const text = '{ "format": "rnn-notebook", "version": 1, "cells": [ { "kind": "code", "source": "console.log(1)" ';
    fs.writeFileSync(file, text);
    const r = await runCli(["run", file, "--out", file], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not a valid notebook: The file is not valid JSON/);
    assert.equal(fs.readFileSync(file, "utf8"), text);
    const wrongFormat = path.join(dir, "wrong.rnnb");
    fs.writeFileSync(wrongFormat, '{"format":"other","version":1,"cells":[]}');
    const w = await runCli(["run", wrongFormat, "--out", wrongFormat], dir);
    assert.equal(w.code, 2);
    assert.equal(fs.readFileSync(wrongFormat, "utf8"), '{"format":"other","version":1,"cells":[]}');
  });

  it("exits 124 when a cell exceeds --timeout, stopping even code that never yields", async () => {
    const file = path.join(dir, "slow.rnnb");
    fs.writeFileSync(file, rnnb([{ source: 'console.log("started");' }, { source: "while (true) {}" }, { source: "1" }]));
    const out = path.join(dir, "slow.out.rnnb");
    const t0 = Date.now();
    const r = await runCli(["run", file, "--timeout", "0.5", "--out", out], dir);
    assert.equal(r.code, 124);
    assert.match(r.stderr, /Cell 2 exceeded the timeout of 0\.5 s/);
    // 0.5 s timeout + the runner's 2 s grace before it kills a kernel that does not yield (runner.ts).
    assert.ok(Date.now() - t0 < 10_000);
    const nb = parseNotebook(fs.readFileSync(out, "utf8"));
    assert.equal(nb.cells[0].outputs.length, 1, "outputs before the slow cell are written");
  });

  it("exits 1 when the kernel process dies, saying why, and keeps the process's own stderr out of --out", async () => {
    const file = path.join(dir, "dies.rnnb");
    fs.writeFileSync(file, rnnb([{ source: 'console.log("alive");' }, { source: "process.exit(3)" }, { source: "1" }]));
    const out = path.join(dir, "dies.out.rnnb");
    const r = await runCli(["run", file, "--out", out], dir);
    assert.equal(r.code, 1);
    // The kernel's own note (src/kernel/main.ts), passed straight through, then the runner's verdict.
    assert.match(r.stderr, /Cell 2 called process\.exit\(3\)/);
    const why = "Cell 2 failed: the kernel process exited with code 3 (process.exit() in the cell?).";
    assert.ok(r.stderr.endsWith(`rnn-notebook: ${why}\n`), r.stderr);
    const nb = parseNotebook(fs.readFileSync(out, "utf8"));
    assert.deepEqual(nb.cells[1].outputs.map((o) => o.items), [[{ mime: "application/vnd.code.notebook.error", data: { name: "KernelDied", message: why, stack: why } }]]);
    assert.deepEqual(nb.cells[2].outputs, []);
  });

  it("runs the code cells of an nbformat 4 .ipynb and writes Jupyter outputs", async () => {
    const file = path.join(dir, "nb.ipynb");
    fs.writeFileSync(file, JSON.stringify({
      nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { language: "typescript" } },
      cells: [
        { cell_type: "markdown", metadata: {}, source: ["# hi"] },
        { cell_type: "code", metadata: {}, execution_count: null, outputs: [], source: ["const s: string = 'ab';\n", "console.log(s);\n", "s.length"] },
      ],
    }));
    const r = await runCli(["run", file, "--out", file], dir);
    assert.equal(r.code, 0, r.stderr);
    const nb = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.deepEqual(nb.cells[1].outputs, [
      { output_type: "stream", name: "stdout", text: "ab\n" },
      { output_type: "execute_result", execution_count: 1, data: { "text/plain": "2" }, metadata: {} }, // "ab".length
    ]);
  });

  it("writes an .rnnb run as Jupyter nbformat 4.5 when --out names an .ipynb", async () => {
    const file = path.join(dir, "to-jupyter.rnnb");
    fs.writeFileSync(file, rnnb([{ kind: "markdown", source: "# T" }, { source: 'console.log("hi");\n6 * 7' }]));
    const out = path.join(dir, "to-jupyter.ipynb");
    const r = await runCli(["run", file, "--out", out], dir);
    assert.equal(r.code, 0, r.stderr);
    const nb = JSON.parse(fs.readFileSync(out, "utf8"));
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.metadata.kernelspec.language, "typescript");
    assert.deepEqual(nb.cells.map((c: { cell_type: string }) => c.cell_type), ["markdown", "code"]);
    assert.deepEqual(nb.cells[1].outputs[0], { output_type: "stream", name: "stdout", text: ["hi\n"] });
    assert.deepEqual(nb.cells[1].outputs[1].data["text/plain"], ["42"]); // 6 · 7
  });

  it("exits 2 before running when an .ipynb is to be written as .rnnb, writing nothing", async () => {
    const file = path.join(dir, "stay.ipynb");
    fs.writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", metadata: {}, outputs: [], source: "console.log('ran')" }] }));
    const out = path.join(dir, "stay.rnnb");
    const r = await runCli(["run", file, "--out", out], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /written as \.ipynb only/);
    assert.doesNotMatch(r.stdout, /ran/);
    assert.equal(fs.existsSync(out), false);
  });

  it("exits 2 on a .ipynb of another language (a Python notebook), leaving it untouched", async () => {
    const file = path.join(dir, "py.ipynb");
    const text = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { language: "python" } }, cells: [{ cell_type: "code", metadata: {}, outputs: [], source: "print(1)" }] });
    fs.writeFileSync(file, text);
    const r = await runCli(["run", file, "--out", file], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /this is a python notebook/);
    assert.equal(fs.readFileSync(file, "utf8"), text);
  });
});
