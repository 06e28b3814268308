// The runner as a CI step (src/client/runner.ts with ci.ts), run as a user runs it —
// `node cli.js run nb --param …`, `--junit report.xml`, `--check`: papermill-style parameters from
// the cell tagged "parameters" (.rnnb and .ipynb), a valid JUnit report naming the failing cell and
// line, and a notebook checked against its own saved outputs (nbval's ignore tag honoured); the run
// ledger of the notebook carried through --out (.rnnb and .ipynb) with this execution's runs added.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseNotebook } from "../../../src/shared/notebookFormat";
import { parseXml } from "../../support/xml";
import { buildKernel, KERNEL_DIST, tempDir } from "../kernel/harness";

function runCli(args: string[], cwd: string, ms = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(KERNEL_DIST, "cli.js"), ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
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

function rnnb(cells: { kind?: "code" | "markdown"; source: string; tags?: string[] }[]): string {
  return JSON.stringify({
    format: "rnn-notebook", version: 1, metadata: {},
    cells: cells.map((c) => ({ kind: c.kind ?? "code", language: c.kind === "markdown" ? "markdown" : "typescript", source: c.source, outputs: [], metadata: c.tags ? { tags: c.tags } : {} })),
  }, null, 2) + "\n";
}

describe("rnn-notebook run as a CI step (--param, --junit, --check)", function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    await buildKernel();
    dir = tempDir("runner-ci");
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const paramsNotebook = [
    { kind: "markdown" as const, source: "# Parameters" },
    { source: "const epochs = 10;\nconst label = \"a\";\nconst verbose = false;", tags: ["parameters"] },
    { source: "console.log(epochs * 2, label, verbose);" },
  ];

  it("--param overrides the constants of the cell tagged parameters, and --out records the values used", async () => {
    const file = path.join(dir, "params.rnnb");
    fs.writeFileSync(file, rnnb(paramsNotebook));
    const out = path.join(dir, "params.out.rnnb");
    const r = await runCli(["run", file, "--param", "epochs=3", "--param", "label=b", "--param", "verbose=true", "--out", out], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^6 b true$/m); // 3 · 2
    assert.equal(parseNotebook(fs.readFileSync(out, "utf8")).cells[1].source, 'const epochs = 3;\nconst label = "b";\nconst verbose = true;');
    assert.equal(parseNotebook(fs.readFileSync(file, "utf8")).cells[1].source, paramsNotebook[1].source, "the input is untouched");
  });

  it("--param reads the tag from an .ipynb too", async () => {
    const file = path.join(dir, "params.ipynb");
    fs.writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
      { cell_type: "code", metadata: { tags: ["parameters"] }, outputs: [], source: ["const n = 1;\n"] },
      { cell_type: "code", metadata: {}, outputs: [], source: "console.log(n + 1)" },
    ] }));
    const r = await runCli(["run", file, "--param", "n=41"], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^42$/m);
  });

  it("an unknown --param is an error naming the available parameters; nothing runs", async () => {
    const file = path.join(dir, "params.rnnb");
    fs.writeFileSync(file, rnnb(paramsNotebook));
    const r = await runCli(["run", file, "--param", "epoch=3"], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /declares no epoch; its parameters: epochs, label, verbose/);
    assert.doesNotMatch(r.stdout, /20/);
    const untagged = path.join(dir, "untagged.rnnb");
    fs.writeFileSync(untagged, rnnb([{ source: "const a = 1;" }]));
    assert.match((await runCli(["run", untagged, "--param", "a=2"], dir)).stderr, /no code cell .* is tagged "parameters"/);
  });

  it("--junit writes one test case per code cell: the failing cell with its message and line, later cells skipped", async () => {
    const file = path.join(dir, "junit.rnnb");
    fs.writeFileSync(file, rnnb([
      { source: 'console.log("fine");' },
      { kind: "markdown", source: "text" },
      { source: "const b = 2;\nthrow new TypeError(`bad <${b}>`);" },
      { source: "1 + 1" },
    ]));
    const report = path.join(dir, "report.xml");
    const r = await runCli(["run", file, "--junit", report], dir);
    assert.equal(r.code, 1);
    const root = parseXml(fs.readFileSync(report, "utf8"));
    assert.equal(root.name, "testsuites");
    const suite = root.children[0];
    assert.deepEqual([suite.name, suite.attrs.name, suite.attrs.tests, suite.attrs.failures, suite.attrs.skipped], ["testsuite", "junit.rnnb", "3", "1", "1"]);
    const [ok, bad, later] = suite.children;
    assert.equal(ok.attrs.name, 'cell 1: console.log("fine");');
    assert.equal(ok.children.find((c) => c.name === "system-out")?.text, "fine\n");
    assert.equal(bad.attrs.name, "cell 3: const b = 2;");
    const failure = bad.children.find((c) => c.name === "failure")!;
    // the throw is on line 2 of cell 3, column 7 (as the runner's own message says)
    assert.equal(failure.attrs.message, "TypeError: bad <2> at line 2:7");
    assert.match(failure.text, /cell3\.ts:2:7/);
    assert.equal(later.children[0].name, "skipped");
  });

  it("--check passes on an unchanged notebook and fails with a diff when a saved output differs", async () => {
    const file = path.join(dir, "check.rnnb");
    fs.writeFileSync(file, rnnb([
      { source: "console.log(\"sum\", 0.1 + 0.2);" },
      { source: "Math.PI * 2" },
      { source: "console.log(\"random\", Math.random());", tags: ["nbval-ignore-output"] }, // differs every run, beyond any rtol
    ]));
    const saved = path.join(dir, "check.saved.rnnb");
    assert.equal((await runCli(["run", file, "--out", saved], dir)).code, 0);
    const pass = await runCli(["run", saved, "--check"], dir);
    assert.equal(pass.code, 0, pass.stderr);
    assert.match(pass.stderr, /every output matches the saved one/);

    // 0.3 against 0.30000000000000004: relative 1.9e-16, within the default rtol 1e-6
    const text = fs.readFileSync(saved, "utf8");
    fs.writeFileSync(saved, text.replace("0.30000000000000004", "0.3"));
    assert.equal((await runCli(["run", saved, "--check"], dir)).code, 0);

    fs.writeFileSync(saved, text.replace("6.283185307179586", "6.3"));
    const fail = await runCli(["run", saved, "--check"], dir);
    assert.equal(fail.code, 1);
    assert.match(fail.stderr, /cell 2, output 1 \(text\/plain\): number 1: 6\.3 saved, 6\.283185307179586 now/);
    assert.match(fail.stderr, /^ {2}- 6\.3$/m);
    assert.match(fail.stderr, /^ {2}\+ 6\.283185307179586$/m);
    // a looser --rtol accepts it: |6.3 − 6.2832| / 6.3 = 2.7e-3
    assert.equal((await runCli(["run", saved, "--check", "--rtol", "0.01"], dir)).code, 0);
  });
});

describe("rnn-notebook run --out writes the run ledger", function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    await buildKernel();
    dir = tempDir("runner-ledger");
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A run from an earlier session, as a notebook file holds it. */
  const earlier = {
    id: "run 1", endedAt: "2026-12-01T10:00:00.000Z", model: { name: "sequential", type: "Sequential", totalParams: 64 },
    config: { epochs: 1, clipNorm: null }, epochs: { loss: [0.8] }, batches: { every: 1, method: "block mean", loss: [0.9, 0.7], total: 2 },
    wallTimeMs: 5, interrupted: false, stoppedEarly: false,
  };
  const ledgerOf = (records: unknown[]) => ({ version: 1, capBytes: 1_000_000, records });
  const cells = [
    'const { x, y } = rnn.datasets.sine({ samples: 16, timesteps: 4, seed: 1 });\nconst m = rnn.sequential({ inputShape: [4, 1], seed: 1 }, [rnn.simpleRNN({ units: 2 }), rnn.dense({ units: 1 })]);',
    'await m.fit(x, y, { epochs: 1, batchSize: 8, loss: "mse", clipNorm: 1 });',
    'console.log(rnn.runs.list().map((r) => r.id).join(","));',
  ];
  const rnnbWithLedger = (ledger: unknown) => {
    const nb = JSON.parse(rnnb(cells.map((source) => ({ source }))));
    nb.metadata = { runLedger: ledger, other: "kept" };
    return JSON.stringify(nb);
  };

  /** The new run's record as the kernel made it: the fit of cell 2. */
  function assertAppended(records: { id: string; config: Record<string, unknown>; batches: { total: number } }[]): void {
    assert.deepEqual(records[0], earlier, "the file's run is kept as it was");
    assert.equal(records[1].id, "run 2");
    assert.equal(records[1].config.clipNorm, 1);
    assert.equal(records[1].batches.total, 2, "16 samples / batch 8 = 2 batches");
  }

  it(".rnnb: the kernel lists the file's runs, and --out holds them plus this execution's", async () => {
    const file = path.join(dir, "ledger.rnnb");
    fs.writeFileSync(file, rnnbWithLedger(ledgerOf([earlier])));
    const out = path.join(dir, "ledger.out.rnnb");
    const r = await runCli(["run", file, "--out", out], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^run 1,run 2$/m);
    const metadata = parseNotebook(fs.readFileSync(out, "utf8")).metadata as { runLedger: { records: never[] }; other: string };
    assertAppended(metadata.runLedger.records);
    assert.equal(metadata.other, "kept");
    // and again from the output: ids go on
    const again = await runCli(["run", out, "--out", out], dir);
    assert.match(again.stdout, /^run 1,run 2,run 3$/m);
  });

  it(".ipynb in and out, and an .rnnb written as .ipynb: the ledger at metadata.runLedger", async () => {
    const file = path.join(dir, "ledger.ipynb");
    fs.writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { runLedger: ledgerOf([earlier]) },
      cells: cells.map((source) => ({ cell_type: "code", metadata: {}, outputs: [], source })) }));
    const out = path.join(dir, "ledger.out.ipynb");
    const r = await runCli(["run", file, "--out", out], dir);
    assert.equal(r.code, 0, r.stderr);
    assertAppended(JSON.parse(fs.readFileSync(out, "utf8")).metadata.runLedger.records);

    const rnnbFile = path.join(dir, "to-ipynb.rnnb");
    fs.writeFileSync(rnnbFile, rnnbWithLedger(ledgerOf([earlier])));
    const converted = path.join(dir, "to-ipynb.ipynb");
    assert.equal((await runCli(["run", rnnbFile, "--out", converted], dir)).code, 0);
    const meta = JSON.parse(fs.readFileSync(converted, "utf8")).metadata;
    assertAppended(meta.runLedger.records);
    assert.deepEqual(meta.rnn_notebook, { other: "kept" }, "the rest of the .rnnb metadata under rnn_notebook");
  });

  it("a ledger that cannot be used is reported and written back exactly as read; the notebook still runs", async () => {
    const hostile = ledgerOf([{ ...earlier, epochs: { loss: ["NaN"] } }]);
    const file = path.join(dir, "hostile.rnnb");
    fs.writeFileSync(file, rnnbWithLedger(hostile));
    const out = path.join(dir, "hostile.out.rnnb");
    const r = await runCli(["run", file, "--out", out], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /run ledger in this notebook's metadata cannot be used \(runLedger\.records\[0\]\.epochs\.loss\[0\]: expected a number or null, got the string "NaN"\)/);
    assert.match(r.stdout, /^run 1$/m, "this execution's run is listed in the kernel");
    assert.deepEqual((parseNotebook(fs.readFileSync(out, "utf8")).metadata as { runLedger: unknown }).runLedger, hostile);
  });
});
