// The browser Worker kernel (src/kernel/web/worker.ts) in headless Chromium, against the Node kernel
// process running the same cells (test/unit/kernel/harness.ts):
//   - samples 01–05, English and Korean: every output equal after normalising timings, every number in
//     the outputs (text and the JSON payloads of rich outputs) within 1e-6 relative, PNG fallbacks with
//     the same pixels, and the gate heatmap / gradient-norm payloads present;
//   - interrupt: a long fit stops at a batch boundary ("stopped", as in Node) and the next cell sees the
//     trained weights;
//   - files through the page's file double: model.save writes the bytes the Node kernel writes for the
//     same weights, rnn.load reads them back, a computed path gives the clear error, a failed write
//     fails its cell (the client's real file service is the web extension E2E's);
//   - import fails with the browser's message.
// The tolerance 1e-6 is the acceptance bound for "equal to the Node kernel's outputs"; both
// runtimes are V8 running the same JavaScript and WASM, so in practice the numbers agree exactly.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { inflateSync } from "node:zlib";
import { MIME } from "../../../src/shared/mime";
import { parseNotebook } from "../../../src/shared/notebookFormat";
import type { FromKernel } from "../../../src/shared/protocol";
import { CHROMIUM, openWebKernel, WEB_FOLDER, type WebCellOutcome, type WebKernel } from "../../support/webKernelPage";
import { buildKernel, REPO, tempDir, TestKernel } from "./harness";

const SAMPLES = path.join(REPO, "media/samples");
const LESSONS = fs.readdirSync(SAMPLES).filter((f) => /^0[1-5]-.*\.rnnb$/.test(f)).sort();
const RELATIVE = 1e-6;

type Message = { type: string; [k: string]: unknown };

/** The outputs of one cell as they can be compared across kernels. */
interface Comparable {
  status: unknown;
  stdout: string;
  stderr: string;
  /** Rich and plain displays in order; a live output (displayId) only as it ended. */
  displays: Record<string, unknown>[];
  result?: Record<string, unknown>;
  error?: { name: unknown; message: unknown; stack: unknown };
}

function comparable(messages: readonly Message[]): Comparable {
  const text = (name: string) => messages.filter((m) => m.type === "stream" && m.name === name).map((m) => String(m.text)).join("");
  const displays: Record<string, unknown>[] = [];
  const live = new Map<string, number>();
  for (const m of messages) {
    if (m.type !== "display") continue;
    const bundle = m.bundle as Record<string, unknown>;
    const id = m.displayId as string | undefined;
    if (id === undefined) displays.push(bundle);
    else if (live.has(id)) displays[live.get(id)!] = bundle;
    else live.set(id, displays.push(bundle) - 1);
  }
  const result = messages.find((m) => m.type === "result")?.bundle as Record<string, unknown> | undefined;
  const e = messages.find((m) => m.type === "error");
  return {
    status: messages.find((m) => m.type === "done")?.status,
    stdout: text("stdout"),
    stderr: text("stderr"),
    displays,
    ...(result ? { result } : {}),
    ...(e ? { error: { name: e.name, message: e.message, stack: e.stack } } : {}),
  };
}

const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/gi;
// Wall-clock measurements, which differ from run to run in any one kernel: "12 ms", "1.3 s", "0.8 s/epoch".
const TIMING = /\d+(?:\.\d+)?\s?(?:ms|s)\b(?:\/\w+)?/g;
const PNG_DATA = /data:image\/png;base64,([A-Za-z0-9+/=]+)/g;

/** Numbers equal within RELATIVE of the larger magnitude (absolute below 1e-12: both are zero to float precision). */
function closeNumbers(a: number, b: number, where: string): void {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return;
  const scale = Math.max(Math.abs(a), Math.abs(b));
  assert.ok(Math.abs(a - b) <= Math.max(RELATIVE * scale, 1e-12), `${where}: ${a} (browser) vs ${b} (Node)`);
}

/** Two texts equal once timings are normalised, their numbers within RELATIVE. */
function closeText(web: string, node: string, where: string): void {
  const a = web.replace(PNG_DATA, "<png>").replace(TIMING, "<time>");
  const b = node.replace(PNG_DATA, "<png>").replace(TIMING, "<time>");
  assert.equal(a.replace(NUMBER, "#"), b.replace(NUMBER, "#"), where);
  const na = a.match(NUMBER) ?? [];
  const nb = b.match(NUMBER) ?? [];
  na.forEach((x, i) => closeNumbers(Number(x), Number(nb[i]), `${where}, number ${i + 1}`));
  const pa = [...web.matchAll(PNG_DATA)].map((m) => m[1]);
  const pb = [...node.matchAll(PNG_DATA)].map((m) => m[1]);
  pa.forEach((p, i) => samePixels(p, pb[i], `${where}, embedded PNG ${i + 1}`));
}

/** The RGBA scanlines of a PNG (its IDAT inflated): the browser's deflate differs from zlib's, the picture must not. */
function pixels(base64: string): { ihdr: string; raw: Buffer } {
  const png = Buffer.from(base64, "base64");
  let o = 8;
  let ihdr = "";
  const idat: Buffer[] = [];
  while (o < png.length) {
    const length = png.readUInt32BE(o);
    const type = png.toString("latin1", o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + length);
    if (type === "IHDR") ihdr = data.toString("hex");
    if (type === "IDAT") idat.push(data);
    o += 12 + length;
  }
  return { ihdr, raw: inflateSync(Buffer.concat(idat)) };
}

function samePixels(web: string, node: string, where: string): void {
  const a = pixels(web);
  const b = pixels(node);
  assert.equal(a.ihdr, b.ihdr, `${where}: PNG size and format`);
  assert.ok(a.raw.equals(b.raw), `${where}: PNG pixels differ`);
}

/** Deep equality with numbers within RELATIVE and strings as closeText; timing fields dropped. */
function closeValue(web: unknown, node: unknown, where: string): void {
  if (typeof node === "number" && typeof web === "number") return closeNumbers(web, node, where);
  if (typeof node === "string" && typeof web === "string") return closeText(web, node, where);
  if (Array.isArray(node)) {
    assert.ok(Array.isArray(web), `${where}: an array in Node's output`);
    assert.equal(web.length, node.length, `${where}: length`);
    node.forEach((v, i) => closeValue(web[i], v, `${where}[${i}]`));
    return;
  }
  if (node && typeof node === "object") {
    assert.ok(web && typeof web === "object", `${where}: an object in Node's output`);
    // Left out: wall-clock fields, and an editable view's handle (a random id each kernel makes for itself).
    const keys = (o: object) => Object.keys(o).filter((k) => !/^(ms|\w*Ms|wallTime\w*|elapsed\w*|seconds|endedAt|startedAt|handle)$/.test(k)).sort();
    assert.deepEqual(keys(web), keys(node), `${where}: keys`);
    for (const k of keys(node)) closeValue((web as Record<string, unknown>)[k], (node as Record<string, unknown>)[k], `${where}.${k}`);
    return;
  }
  assert.equal(web, node, where);
}

function closeBundle(web: Record<string, unknown>, node: Record<string, unknown>, where: string): void {
  assert.deepEqual(Object.keys(web).sort(), Object.keys(node).sort(), `${where}: mimes`);
  for (const mime of Object.keys(node)) {
    if (mime === "image/png") samePixels(web[mime] as string, node[mime] as string, `${where} ${mime}`);
    else closeValue(web[mime], node[mime], `${where} ${mime}`);
  }
}

function closeCell(web: Comparable, node: Comparable, where: string): void {
  assert.equal(web.status, node.status, `${where}: status`);
  closeText(web.stdout, node.stdout, `${where} stdout`);
  closeText(web.stderr, node.stderr, `${where} stderr`);
  assert.equal(web.displays.length, node.displays.length, `${where}: number of displays`);
  web.displays.forEach((d, i) => closeBundle(d, node.displays[i], `${where} display ${i + 1}`));
  assert.equal(!!web.result, !!node.result, `${where}: a result`);
  if (web.result && node.result) closeBundle(web.result, node.result, `${where} result`);
  closeValue(web.error, node.error, `${where} error`);
}

/** The text/plain of a cell's result. */
function plain(r: WebCellOutcome): unknown {
  return (r.messages.find((m) => m.type === "result") as { bundle: Record<string, unknown> } | undefined)?.bundle["text/plain"];
}

function codeCells(file: string): string[] {
  return parseNotebook(fs.readFileSync(file, "utf8")).cells.filter((c) => c.kind === "code").map((c) => c.source);
}

describe("the browser Worker kernel in Chromium", function () {
  this.timeout(600_000);
  let web: WebKernel | undefined;
  let k: WebKernel;
  const nodeDirs: string[] = [];

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    await buildKernel();
    web = await openWebKernel();
    k = web;
  });
  after(async () => {
    assert.deepEqual(web?.pageErrors ?? [], []);
    await web?.close();
    for (const d of nodeDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** Every code cell of `cells` in a fresh Node kernel; the comparable outcome of each. */
  async function runInNode(cells: string[]): Promise<Comparable[]> {
    const dir = tempDir("web-vs-node");
    nodeDirs.push(dir);
    const node = new TestKernel(dir);
    try {
      await node.ready;
      const out: Comparable[] = [];
      for (const [i, code] of cells.entries()) out.push(comparable((await node.run(code, i + 1)).messages as FromKernel[] as Message[]));
      return out;
    } finally {
      await node.kill();
    }
  }

  async function runInBrowser(cells: string[]): Promise<Comparable[]> {
    await k.restart();
    const out: Comparable[] = [];
    for (const [i, code] of cells.entries()) out.push(comparable((await k.run(code, i + 1)).messages as Message[]));
    return out;
  }

  describe("samples 01–05 give the Node kernel's outputs", () => {
    // The Korean lessons run the same code (test/unit/kernel/samples.test.ts checks it), so Node runs
    // each lesson's cells once and both languages' browser runs are compared with that.
    const nodeRuns = new Map<string, Promise<Comparable[]>>();
    for (const lang of ["", "ko"]) {
      for (const lesson of LESSONS) {
        it(path.join(lang, lesson), async () => {
          const cells = codeCells(path.join(SAMPLES, lang, lesson));
          const key = cells.join("\n\u0000\n");
          if (!nodeRuns.has(key)) nodeRuns.set(key, runInNode(cells));
          const inBrowser = await runInBrowser(cells);
          const inNode = await nodeRuns.get(key)!;
          assert.equal(inBrowser.length, inNode.length);
          inBrowser.forEach((c, i) => closeCell(c, inNode[i], `${path.join(lang, lesson)} code cell ${i + 1}`));
          const mimes = new Set(inBrowser.flatMap((c) => c.displays.concat(c.result ? [c.result] : [])).flatMap((b) => Object.keys(b)));
          // Lesson 02 draws the LSTM's gates, lesson 03 the gradient norms through time (their markdown says so).
          if (lesson.startsWith("02-")) assert.ok(mimes.has(MIME.gates), `${lesson}: a gate heatmap payload`);
          if (lesson.startsWith("03-")) assert.ok(mimes.has(MIME.gradNorms), `${lesson}: a gradient-norm payload`);
        });
      }
    }
  });

  it("cells beyond the samples: console methods, values as text, errors print what the Node kernel prints", async () => {
    const cells = [
      'console.log("%s has %d units", "lstm", 16, { nested: { deep: { deeper: 1 } } });\nconsole.info([1.5, -0, NaN]);\nconsole.warn("careful");\nconsole.error(new Map([["a", 1]]));',
      'console.group("outer");\nconsole.log("inside\\nsecond line");\nconsole.group();\nconsole.count();\nconsole.count();\nconsole.count("x");\nconsole.groupEnd();\nconsole.groupEnd();\n' +
        'console.log("out");\nconsole.dir({ a: [1, 2, { b: 3 }] }, { depth: 0 });\nconsole.assert(1 > 2, "math %s", "broke");\nconsole.assert(true, "never");\nconsole.time("t");\nconsole.timeEnd("t");',
      "class Point { constructor(public x: number, public y: number) {} }\nArray.from({ length: 12 }, (_, i) => new Point(i, i * i))",
      'const s = new Set([1, "a"]);\n({ s, when: new Date(0), re: /x+/g, f: function named() {}, big: 12n, list: Array.from({ length: 30 }, (_, i) => i / 3) })',
      "Promise.resolve(5)",
      'function f() { throw new TypeError("bad " + 1); }\nf()',
      "const broken = ;",
    ];
    const inBrowser = await runInBrowser(cells);
    const inNode = await runInNode(cells);
    inBrowser.forEach((c, i) => closeCell(c, inNode[i], `cell ${i + 1}`));
    // A callback's error after the cell awaited past it: reported on the cell's stderr, the kernel lives on.
    // (Not compared with Node: V8 names the timer callback's frame after Node's Timeout object there.)
    const late = await k.run('setTimeout(() => { throw new Error("late failure"); }, 0);\nawait new Promise((r) => setTimeout(r, 100));\n"waited"', 8);
    assert.equal(late.status, "ok");
    const stderr = late.messages.filter((m) => m.type === "stream" && m.name === "stderr").map((m) => (m as { text: string }).text).join("");
    assert.match(stderr, /^Uncaught exception in a callback: Error: late failure\n {4}at cell8\.ts:1:/);
  });

  describe("interrupt", () => {
    it("Stop ends a long fit at a batch boundary: the cell is \"stopped\" as in Node, and the next cell sees the trained weights", async () => {
      await k.restart();
      await k.run([
        "const { x, y } = rnn.datasets.sine({ samples: 64, timesteps: 10, seed: 1 });",
        "const net = rnn.sequential({ inputShape: [10, 1] }, [rnn.lstm({ units: 8 }), rnn.dense({ units: 1 })]);",
        "const before = JSON.stringify(net.getWeights());",
      ].join("\n"), 1);
      // 100000 epochs: far more than can finish before the interrupt below.
      const id = await k.start('const history = await net.fit(x, y, { epochs: 100000, batchSize: 8, loss: "mse", seed: 1 });', 2);
      await k.waitForMessage(id, "(m) => m.type === 'display'");
      const t0 = Date.now();
      await k.interrupt();
      const r = await k.outcome(id);
      assert.equal(r.status, "stopped", "fit stopped at a batch boundary and returned its history: no error");
      // The client's grace period before it terminates a worker is 5 s (package.json, as for the Node kernel).
      assert.ok(Date.now() - t0 < 5000, `the interrupt got through between batches (${Date.now() - t0} ms)`);
      const last = (r.messages.filter((m) => m.type === "display").pop() as { bundle: Record<string, unknown> }).bundle[MIME.training] as { status: string };
      assert.equal(last.status, "interrupted");
      const state = await k.run("JSON.stringify({ i: history.interrupted, changed: JSON.stringify(net.getWeights()) !== before })", 3);
      assert.deepEqual(plain(state), `'{"i":true,"changed":true}'`);
      const more = await k.run('(await net.fit(x, y, { epochs: 1, batchSize: 32, loss: "mse" })).interrupted', 4);
      assert.equal(plain(more), "false", "the next cell keeps training the same model");
    });
  });

  describe("files through the client's file service", () => {
    /** Cells that make the same model in both kernels (fixed seed) and save it. */
    const makeAndSave = [
      "rnn.resetLayerNames();\nrnn.manualSeed(7);\nconst m = rnn.sequential({ inputShape: [5, 2] }, [rnn.gru({ units: 3 }), rnn.dense({ units: 1 })]);",
      'm.save("models/m.rnnmodel");',
    ];

    it("model.save writes through the file requests the bytes the Node kernel writes; rnn.load in the next cell reads them back", async () => {
      await k.restart();
      for (const [i, code] of makeAndSave.entries()) assert.equal((await k.run(code, i + 1)).status, "ok", code);
      const written = await k.file(`${WEB_FOLDER}/models/m.rnnmodel`);
      assert.ok(written && written.length > 0, "the write reached the client before the cell's done");
      const dir = tempDir("web-save");
      nodeDirs.push(dir);
      const node = new TestKernel(dir);
      try {
        await node.ready;
        for (const code of makeAndSave) assert.equal((await node.run(code)).status, "ok", code);
      } finally {
        await node.kill();
      }
      assert.ok(Buffer.from(written).equals(fs.readFileSync(path.join(dir, "models/m.rnnmodel"))), "the same bytes as the Node kernel's file");
      const back = await k.run('const loaded = rnn.load("models/m.rnnmodel");\nJSON.stringify(loaded.getWeights()) === JSON.stringify(m.getWeights())', 3);
      assert.equal(plain(back), "true");
      // A folder named in a string brings its files: rnn.load of a path joined at run time inside it works.
      const inFolder = await k.run('const folder = "models/";\nrnn.load(folder + "m.rnnmodel").countParams() === m.countParams()', 4);
      assert.equal(plain(inFolder), "true");
    });

    it("a path computed at run time and never named gives the clear error; a failed write fails its cell", async () => {
      const computed = await k.run('rnn.load(["elsewhere", "m.rnnmodel"].join("/"))', 5);
      assert.equal(computed.status, "error");
      const error = computed.messages.find((m) => m.type === "error") as { message: string };
      assert.match(error.message, /elsewhere\/m\.rnnmodel was not fetched before the cell ran/);
      assert.match(error.message, /names in a string/);
      await k.failWrites(`${WEB_FOLDER}/full.rnnmodel`);
      const failed = await k.run('m.save("full.rnnmodel");\n"after the save"', 6);
      assert.equal(failed.status, "error", "the cell's done waited for the write's answer");
      assert.match((failed.messages.find((m) => m.type === "error") as { message: string }).message,
        /full\.rnnmodel could not be written: no space left on the device \(test double\)/);
    });
  });

  it("importing a package, a Node built-in or a helper file fails with the browser's message", async () => {
    for (const [code, what] of [["import * as _ from 'lodash'", 'the package "lodash"'], ["import * as fs from 'node:fs'", 'the Node built-in "node:fs"'],
      ["import { f } from './helper.ts'", 'the file "./helper.ts"']]) {
      const r = await k.run(code, 7);
      assert.equal(r.status, "error", code);
      const message = (r.messages.find((m) => m.type === "error") as { message: string }).message;
      assert.ok(message.startsWith(`Cannot import ${what} in the browser: importing packages, Node built-ins and helper files needs the desktop VS Code (Node).`), message);
      assert.match(message, /only the globals rnn and math are available/);
    }
  });
});
