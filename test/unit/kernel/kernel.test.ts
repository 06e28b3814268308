// The kernel process end to end over its IPC protocol (src/shared/protocol.ts): one forked kernel
// runs the cells of this file in order, like a notebook. Numbers in the cells are arbitrary values
// whose expected results follow from the cell's own arithmetic (noted where not obvious).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { MIME } from "../../../src/shared/mime";
import { buildKernel, tempDir, TestKernel } from "./harness";

describe("kernel process", function () {
  this.timeout(60_000);
  let k: TestKernel;
  let dir: string;

  before(async () => {
    await buildKernel();
    dir = tempDir("cells");
    fs.writeFileSync(path.join(dir, "helper.ts"), [
      'import { twice } from "./lib/util";',
      "export interface Point { x: number }",
      "export function scaled(p: Point): number { return twice(p.x); }",
      "export default function fails(): never {",
      '  throw new Error("thrown in helper");',
      "}",
    ].join("\n"));
    fs.mkdirSync(path.join(dir, "lib"));
    fs.writeFileSync(path.join(dir, "lib/util.js"), "export const twice = (x) => 2 * x;\n");
    // A package in the notebook folder's node_modules (CommonJS, as most are).
    fs.mkdirSync(path.join(dir, "node_modules/left-pad-ish"), { recursive: true });
    fs.writeFileSync(path.join(dir, "node_modules/left-pad-ish/package.json"), JSON.stringify({ name: "left-pad-ish", main: "index.js" }));
    fs.writeFileSync(path.join(dir, "node_modules/left-pad-ish/index.js"), "exports.pad = (s, n) => s.padStart(n, '.');\n");
    // An ES-module-only package (only an "import" export condition): require() cannot load it.
    fs.mkdirSync(path.join(dir, "node_modules/esm-only"), { recursive: true });
    fs.writeFileSync(path.join(dir, "node_modules/esm-only/package.json"), JSON.stringify({ name: "esm-only", type: "module", exports: { import: "./index.js" } }));
    fs.writeFileSync(path.join(dir, "node_modules/esm-only/index.js"), 'export const hello = "esm"; export default 42;\n');
    fs.writeFileSync(path.join(dir, "data.txt"), "hello from the notebook folder");
    k = new TestKernel(dir);
    await k.ready;
  });

  after(async () => {
    await k?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A test that breaks the kernel's realm for good gets a kernel of its own, with `kept = 41` defined. */
  async function withOwnKernel(test: (own: TestKernel) => Promise<void>): Promise<void> {
    const own = new TestKernel(dir);
    try {
      await own.ready;
      await own.run("const kept = 41;", 1);
      await test(own);
    } finally {
      await own.kill();
    }
  }

  describe("TypeScript and bindings", () => {
    it("accepts annotations, interfaces, enums and generics, and shows the last expression", async () => {
      const r = await k.run([
        "interface Pair<T> { a: T; b: T }",
        "enum Dir { Up = 1, Down }",
        "function swap<T>(p: Pair<T>): Pair<T> { return { a: p.b, b: p.a }; }",
        "const p: Pair<number> = swap({ a: 1, b: 2 });",
        "p.a * 10 + Dir.Down",
      ].join("\n"));
      assert.equal(r.status, "ok");
      // swap → a = 2; Dir.Down = Up + 1 = 2 → 2·10 + 2
      assert.equal(r.result, "22");
    });

    it("keeps top-level const/let/function/class bindings for later cells", async () => {
      await k.run("const base = 40;\nlet counter = 0;\nfunction bump(): number { return ++counter; }\nclass Box { constructor(public v: number) {} }");
      const r = await k.run("bump(); bump();\nnew Box(base + counter).v");
      assert.equal(r.result, "42"); // 40 + two bumps
    });

    it("re-runs a cell that declares a const (no 'already declared')", async () => {
      const first = await k.run("const model = { name: 'first' };\nmodel.name");
      const again = await k.run("const model = { name: 'second' };\nmodel.name");
      assert.equal(first.result, "'first'");
      assert.equal(again.status, "ok");
      assert.equal(again.result, "'second'");
    });

    it("supports destructuring declarations", async () => {
      const r = await k.run("const { a, b: [c, d = 4], ...rest } = { a: 1, b: [3], e: 5 };\n[a, c, d, rest.e].join(',')");
      assert.equal(r.result, "'1,3,4,5'");
    });

    it("functions from earlier cells see later reassignments (bindings are shared, not copied)", async () => {
      await k.run("let factor = 2;\nconst times = (x: number) => x * factor;");
      const r = await k.run("factor = 3;\ntimes(5)");
      assert.equal(r.result, "15"); // 5 · 3
    });

    it("shows nothing for undefined and for a cell ending in a declaration", async () => {
      assert.equal((await k.run("undefined")).result, undefined);
      assert.equal((await k.run("const z = 3;")).result, undefined);
    });

    it("supports top-level await and for await", async () => {
      const r = await k.run([
        "const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));",
        "await wait(20);",
        "async function* gen() { yield 1; yield 2; yield 3; }",
        "let sum = 0;",
        "for await (const v of gen()) sum += v;",
        "sum",
      ].join("\n"));
      assert.equal(r.status, "ok");
      assert.equal(r.result, "6"); // 1 + 2 + 3
    });

    it("does not await a promise that is the last expression (shown as a Promise)", async () => {
      const r = await k.run("Promise.resolve(1)");
      assert.match(r.result ?? "", /^Promise/);
    });
  });

  describe("imports", () => {
    it("imports node:fs, and the working directory is the notebook folder", async () => {
      const r = await k.run('import fs from "node:fs";\nimport { join } from "node:path";\nfs.readFileSync(join(process.cwd(), "data.txt"), "utf8")');
      assert.equal(r.result, "'hello from the notebook folder'");
    });

    it("imports a relative .ts file (transpiled on the fly) with its own imports; types are dropped", async () => {
      const r = await k.run('import fails, { scaled, type Point } from "./helper.ts";\nconst pt: Point = { x: 21 };\nscaled(pt)');
      assert.equal(r.status, "ok");
      assert.equal(r.result, "42"); // twice(21)
    });

    it("keeps an import made in one cell for later cells", async () => {
      assert.equal((await k.run("scaled({ x: 5 })")).result, "10");
    });

    it("imports a package from the notebook folder's node_modules, and dynamic import() too", async () => {
      const r = await k.run('import { pad } from "left-pad-ish";\nconst h = await import("./helper.ts");\npad("ab", 4) + h.scaled({ x: 1 })');
      assert.equal(r.result, "'..ab2'");
    });

    it("imports an ES-module-only package (default and named exports)", async () => {
      const r = await k.run('import answer, { hello } from "esm-only";\nhello + answer');
      assert.equal(r.result, "'esm42'");
    });

    it("loads an edited helper file again on the next import", async () => {
      fs.writeFileSync(path.join(dir, "version.ts"), "export const version: number = 1;\n");
      assert.equal((await k.run('import { version } from "./version";\nversion')).result, "1");
      fs.writeFileSync(path.join(dir, "version.ts"), "export const version: number = 2; // edited\n");
      const t = new Date(Date.now() + 2000); // a clearly newer mtime, whatever the file system's resolution
      fs.utimesSync(path.join(dir, "version.ts"), t, t);
      assert.equal((await k.run('import { version } from "./version";\nversion')).result, "2");
    });

    it("says plainly when a package is not installed", async () => {
      const r = await k.run('import nothing from "no-such-package-here";');
      assert.equal(r.status, "error");
      assert.match(r.error!.message, /Cannot find package "no-such-package-here" from the notebook folder/);
    });
  });

  describe("output", () => {
    it("streams console output in order, stdout and stderr apart, live while the cell runs", async () => {
      const id = k.start([
        'console.log("one"); console.warn("two"); console.info("three"); console.error("four");',
        "await new Promise((r) => setTimeout(r, 400));",
        'console.debug("five");',
      ].join("\n"));
      // "one" arrives while the cell still sleeps (before its done message).
      const first = await k.waitFor((m) => m.type === "stream" && m.id === id);
      const doneYet = k.messages.some((m) => m.type === "done" && m.id === id);
      assert.equal(doneYet, false, `live: ${JSON.stringify(first)}`);
      const r = await k.outcome(id);
      const order = r.messages.filter((m) => m.type === "stream").map((m) => (m.type === "stream" ? `${m.name}:${m.text.trim()}` : "")).join("|");
      assert.equal(order, "stdout:one|stderr:two|stdout:three|stderr:four|stdout:five");
    });

    it("display() adds outputs mid-cell, before the result", async () => {
      const r = await k.run('display("plain text", { a: 1 });\nconsole.log("between");\ndisplay([1, 2]);\n"end"');
      const kinds = r.messages.map((m) => m.type).filter((t) => t !== "done").join(",");
      assert.equal(kinds, "display,display,stream,display,result");
      assert.equal(r.displays[0].bundle["text/plain"], "plain text");
      assert.equal(r.displays[1].bundle["text/plain"], "{ a: 1 }");
    });

    it("shows an engine tensor as a rich bundle with fallbacks", async () => {
      const r = await k.run("rnn.tensor([[1, 2], [3, 4]])");
      const bundle = (r.messages.find((m) => m.type === "result") as { bundle: Record<string, unknown> }).bundle;
      assert.ok(bundle[MIME.tensor], `tensor mime in ${Object.keys(bundle)}`);
      assert.equal(typeof bundle["text/plain"], "string");
    });

    it("has mathjs as `math`, and rnn.toMath gives a mathjs matrix of a tensor", async () => {
      const r = await k.run("const M = rnn.toMath(rnn.tensor([[1, 2], [3, 4]]));\n[math.typeOf(M), math.round(math.det(M), 10), math.sqrt(16)].join(' ')");
      assert.equal(r.result, "'DenseMatrix -2 4'"); // det [[1,2],[3,4]] = 1·4 − 2·3 = −2; √16 = 4
    });

    it("reports an error thrown in a timer after its cell ended as a background message", async () => {
      await k.run('setTimeout(() => { throw new Error("late failure"); }, 30);\n1');
      const bg = await k.waitFor((m) => m.type === "background" && m.text.includes("late failure"));
      assert.equal(bg.type === "background" && bg.name, "stderr");
      assert.match(bg.type === "background" ? bg.text : "", /cell\d+\.ts:1:\d+/);
    });
  });

  describe("errors", () => {
    it("maps a runtime error to the cell's line:column and removes kernel frames; the kernel survives", async () => {
      const r = await k.run("const x1 = 1;\nconst y1: number = 2;\nthrow new Error(`boom ${x1 + y1}`);", 7);
      assert.equal(r.status, "error");
      assert.equal(r.error!.name, "Error");
      assert.equal(r.error!.message, "boom 3");
      // `throw new Error` starts at column 1 of line 3; V8 points at the `new Error` expression (col 7).
      assert.equal(r.error!.stack, "Error: boom 3\n    at cell7.ts:3:7");
      assert.equal((await k.run("x1 + y1")).result, "3");
    });

    it("still names an error when a cell made Error.prepareStackTrace throw; the kernel and its state survive", async () => {
      // Run in a kernel of its own: the replaced prepareStackTrace stays for every later cell.
      await withOwnKernel(async (own) => {
        const r = await own.run("(Error as any).prepareStackTrace = () => { throw new Error('nope'); };\nthrow new Error('boom');", 2);
        assert.equal(r.status, "error");
        assert.equal(r.error!.name, "Error");
        assert.equal(r.error!.message, "boom");
        assert.match(r.error!.stack, /^Error: boom\n.*prepareStackTrace/);
        const later = await own.run("null.x", 3);
        assert.equal(later.error!.name, "TypeError");
        assert.equal((await own.run("kept + 1", 4)).result, "42");
      });
    });

    it("still ends cells after a cell replaced Promise.prototype.then and Promise.race", async () => {
      // Run in a kernel of its own: the replaced methods stay for every later cell.
      await withOwnKernel(async (own) => {
        const r = await own.run("(Promise.prototype as any).then = function () { return this; };\n(Promise as any).race = () => new Promise(() => {});\n'replaced'", 2);
        assert.equal(r.result, "'replaced'");
        assert.equal((await own.run("kept + 1", 3)).result, "42");
        const err = await own.run("throw new RangeError('still reported')", 4);
        assert.equal(err.error!.message, "still reported");
      });
    });

    it("maps frames through functions of earlier cells and imported helpers", async () => {
      await k.run("function inner(n: number): number {\n  if (n === 0) (null as any).boom();\n  return inner(n - 1);\n}", 8);
      const r = await k.run("\n\ninner(1)", 9);
      assert.match(r.error!.stack, /^TypeError: .*boom.*\n {4}at inner \(cell8\.ts:2:\d+\)\n {4}at inner \(cell8\.ts:3:10\)\n {4}at cell9\.ts:3:1$/);
      const h = await k.run("fails()", 10);
      assert.equal(h.error!.stack, "Error: thrown in helper\n    at fails (helper.ts:5:9)\n    at cell10.ts:1:1");
      assert.doesNotMatch(h.error!.stack, /kernel\.js|node:internal/);
    });

    it("shows an error's cause, and console.trace with the cell's frames only", async () => {
      const r = await k.run('throw new Error("outer", { cause: new TypeError("inner") });', 12);
      // `new Error` at column 7, `new TypeError` at column 35 of line 1.
      assert.equal(r.error!.stack, "Error: outer\n    at cell12.ts:1:7\n  [cause]: TypeError: inner\n      at cell12.ts:1:35");
      const t = await k.run('function traced() { console.trace("here", 1); }\ntraced()', 13);
      assert.equal(t.stderr, "Trace: here 1\n    at traced (cell13.ts:1:29)\n    at cell13.ts:2:1\n");
    });

    it("fails a cell whose last expression is an un-awaited fit that rejected, with the clean error", async () => {
      const r = await k.run([
        "const { x: xs, y: ys } = rnn.datasets.sine({ samples: 8, timesteps: 4, seed: 1 });",
        "const small = rnn.sequential({ inputShape: [4, 1] }, [rnn.simpleRNN({ units: 2 }), rnn.dense({ units: 1 })]);",
        'small.fit(xs, ys, { lossy: "mse" } as any)',
      ].join("\n"), 14);
      assert.equal(r.status, "error");
      assert.match(r.error!.message, /unknown option "lossy"/);
      // `small.fit(` starts line 3; only the cell's frame is left.
      assert.equal(r.error!.stack, `Error: ${r.error!.message}\n    at cell14.ts:3:7`);
      assert.equal(r.result, undefined, "no `Promise { <rejected> … }` output");
      assert.doesNotMatch(k.rawStderr, /lossy/, "not also reported as an unhandled rejection");
    });

    it("hints at `await` for a pending promise left as the last expression; a later rejection is still reported", async () => {
      const r = await k.run('new Promise((_, reject) => setTimeout(() => reject(new Error("rejected later")), 100))', 15);
      assert.equal(r.status, "ok");
      assert.equal(r.result, "Promise { <pending> }");
      assert.match(r.stderr, /Did you mean `await`/);
      const bg = await k.waitFor((m) => m.type === "background" && m.text.includes("rejected later"));
      assert.match(bg.type === "background" ? bg.text : "", /^Unhandled promise rejection: Error: rejected later\n {4}at .*cell15\.ts:1:\d+/);
      const settled = await k.run("Promise.resolve(7)");
      assert.equal(settled.result, "Promise { 7 }");
      assert.equal(settled.stderr, "", "no hint for a promise that already settled");
    });

    it("reports a syntax error at its line:column without running anything", async () => {
      const r = await k.run("const ok = 1;\nconst broken = ;", 11);
      assert.equal(r.status, "error");
      assert.equal(r.error!.name, "SyntaxError");
      assert.equal(r.error!.stack, "SyntaxError: Expression expected.\n    at cell11.ts:2:16"); // `;` is column 16
      assert.equal((await k.run("typeof ok")).result, "'undefined'", "nothing of the cell ran");
    });

    it("does not block on type errors (transpile only)", async () => {
      const r = await k.run('const n: number = "not a number" as any as string as any;\nconst s: string = 5 as unknown as string;\ntypeof s');
      assert.equal(r.result, "'number'");
    });
  });

  describe("interrupt and inspection", () => {
    it("interrupts a loop that checks rnn.signal; the cell ends stopped (not failed) and its state survives", async () => {
      const id = k.start([
        "let steps = 0;",
        "while (!rnn.signal.aborted) {",
        "  steps++;",
        "  await new Promise((r) => setTimeout(r, 5));",
        "}",
        "steps > 0",
      ].join("\n"));
      await k.waitFor(() => false, 300).catch(() => undefined); // let it run ~300 ms
      k.interrupt();
      const r = await k.outcome(id);
      assert.equal(r.status, "stopped", "the loop ran to its end: the cell did what the interrupt asked");
      assert.equal(r.result, "true");
      const after = await k.run("steps > 0 && rnn.signal.aborted === false");
      assert.equal(after.result, "true", "variables survive and the next cell has a fresh signal");
    });

    it("ends an interrupted cell that is stuck awaiting, without killing the kernel", async () => {
      await k.run("let kept = 'still here';");
      const id = k.start("await new Promise(() => {});");
      await k.waitFor(() => false, 100).catch(() => undefined);
      const t0 = Date.now();
      k.interrupt();
      const r = await k.outcome(id);
      assert.equal(r.status, "interrupted");
      assert.ok(Date.now() - t0 < 5000, "before the client's default 5 s grace period (package.json)");
      assert.equal((await k.run("kept")).result, "'still here'");
    });

    it("interrupts a running fit at a batch boundary: the cell ends stopped, not failed; history.interrupted, trained weights and history survive", async () => {
      await k.run([
        "const { x, y } = rnn.datasets.sine({ samples: 64, timesteps: 10, seed: 1 });",
        "const net = rnn.sequential({ inputShape: [10, 1] }, [rnn.lstm({ units: 8 }), rnn.dense({ units: 1 })]);",
        "const before = JSON.stringify(net.getWeights());",
      ].join("\n"));
      // 100000 epochs: far more than can finish before the interrupt below.
      const id = k.start('const history = await net.fit(x, y, { epochs: 100000, batchSize: 8, loss: "mse", seed: 1 });');
      await k.waitFor((m) => m.type === "display" && m.id === id);
      const models = (await k.inspect({ kind: "models" })) as { name: string }[];
      assert.ok(models.some((m) => m.name === "net"), "inspection answers between batches of a running fit");
      k.interrupt();
      const r = await k.outcome(id);
      assert.equal(r.status, "stopped", "fit stopped at a batch boundary and returned its history: no error");
      const live = r.displays;
      assert.ok(live.length >= 1 && live.every((d) => d.displayId === live[0].displayId), "one training output per fit, updated in place");
      const last = live[live.length - 1].bundle[MIME.training] as { status: string; series: { label: string; values: unknown[] }[] };
      assert.equal(last.status, "interrupted");
      const state = await k.run("JSON.stringify({ i: history.interrupted, b: history.batchLoss.length > 0, changed: JSON.stringify(net.getWeights()) !== before })");
      assert.equal(state.result, `'{"i":true,"b":true,"changed":true}'`);
      const more = await k.run('(await net.fit(x, y, { epochs: 1, batchSize: 32, loss: "mse" })).interrupted');
      assert.equal(more.result, "false", "the next cell keeps training the same model");
    });

    it("an interrupt also stops a fit an earlier cell left running (not awaited)", async () => {
      // 100000 epochs: it can only end by the interrupt.
      await k.run('const pending = net.fit(x, y, { epochs: 100000, batchSize: 8, loss: "mse" });');
      const id = k.start("await new Promise((r) => setTimeout(r, 60_000));");
      await k.waitFor(() => false, 200).catch(() => undefined);
      k.interrupt();
      assert.equal((await k.outcome(id)).status, "interrupted");
      assert.equal((await k.run("(await pending).interrupted")).result, "true");
      await k.waitFor((m) => m.type === "background" && m.text.startsWith("A fit that outlived its cell ended"));
    });

    it("limits live training updates to about 10 per second", async () => {
      // 200 tiny epochs report progress at every epoch end; the kernel sends at most one update per 100 ms.
      const t0 = Date.now();
      const r = await k.run('await net.fit(x.slice(0, 8), y.slice(0, 8), { epochs: 200, batchSize: 8, loss: "mse" }); 0');
      const seconds = (Date.now() - t0) / 1000;
      assert.ok(r.displays.length <= Math.ceil(seconds * 10) + 2, `${r.displays.length} updates in ${seconds} s`);
      const final = r.displays[r.displays.length - 1].bundle[MIME.training] as { status: string; epochsDone: number[] };
      assert.equal(final.status, "done");
      assert.ok(final.epochsDone.length > 0, "ends with the loss curve");
    });

    it("saves and loads a model file relative to the notebook folder", async () => {
      const r = await k.run('net.save("net.rnnmodel");\nconst back = rnn.load("net.rnnmodel");\nJSON.stringify(back.getWeights()) === JSON.stringify(net.getWeights())');
      assert.equal(r.result, "true");
      assert.ok(fs.existsSync(path.join(dir, "net.rnnmodel")));
    });

    it("rnn.saveWeights / loadWeights round-trip weights; a whole-model file is named as such", async () => {
      const r = await k.run([
        'rnn.saveWeights(net, "net-weights.safetensors");',
        "const twin = rnn.sequential({ inputShape: [10, 1] }, [rnn.lstm({ units: 8, name: net.layers[0].name }), rnn.dense({ units: 1, name: net.layers[1].name })]); // net's architecture and names",
        'rnn.loadWeights(twin, "net-weights.safetensors");',
        "JSON.stringify(twin.getWeights()) === JSON.stringify(net.getWeights())",
      ].join("\n"));
      assert.equal(r.result, "true", JSON.stringify(r.error));
      const wrong = await k.run('rnn.loadWeights(twin, "net.rnnmodel")'); // written by the test above
      assert.equal(wrong.status, "error");
      assert.match(wrong.error!.message, /whole-model file \(model\.save\); open it with rnn\.load\(path\)/);
      // no temporary files left beside the targets (files.ts writes through a renamed temporary)
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
    });

    it("lists live models and returns a model's summary payload", async () => {
      await k.run("const tiny = rnn.sequential({ inputShape: [20, 6] }, [rnn.simpleRNN({ units: 16 }), rnn.dense({ units: 1 })]);\nconst notAModel = 3;");
      const models = (await k.inspect({ kind: "models" })) as { name: string; totalParams: number }[];
      const tiny = models.find((m) => m.name === "tiny");
      // DESIGN §1: SimpleRNN(16) on 6 features = 16·(6+16)+16 = 368; Dense(1) on 16 = 17 → 385.
      assert.equal(tiny?.totalParams, 385);
      assert.equal(models.some((m) => m.name === "notAModel"), false);
      await k.run("const torchy = rnn.nn.LSTM({ inputSize: 10, hiddenSize: 20 });");
      const torchy = ((await k.inspect({ kind: "models" })) as { name: string; type: string; totalParams: number }[]).find((m) => m.name === "torchy");
      // nn.LSTM(10, 20) = 4·20·(10+20) + 2·4·20 = 2,560 (PyTorch's count)
      assert.deepEqual(torchy, { name: "torchy", type: "nn.LSTM", totalParams: 2560 });
      const summary = (await k.inspect({ kind: "summary", name: "tiny" })) as { totalParams: number; layers: unknown[] };
      assert.equal(summary.totalParams, 385);
      assert.equal(summary.layers.length, 2);
      assert.equal(await k.inspect({ kind: "summary", name: "notAModel" }), null);
    });
  });
});

describe("kernel process exit", function () {
  this.timeout(30_000);

  it("dies of a full heap distinguishably: SIGABRT (or exit code 134) and V8's 'heap out of memory' on stderr", async () => {
    await buildKernel();
    const dir = tempDir("oom");
    // 192 MB: above the kernel's own startup heap, small enough to fill in about a second.
    const k = new TestKernel(dir, ["--max-old-space-size=192"]);
    try {
      await k.ready;
      k.start("const keep: number[][] = [];\nwhile (true) keep.push(new Array(100_000).fill(1.5));");
      const { code, signal } = await k.exited;
      assert.ok(signal === "SIGABRT" || code === 134, `code ${code}, signal ${signal}`);
      assert.match(k.rawStderr, /heap out of memory/);
    } finally {
      await k.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says which cell called process.exit() on stderr and exits with its code", async () => {
    await buildKernel();
    const dir = tempDir("exit");
    const k = new TestKernel(dir);
    try {
      await k.ready;
      k.start("console.log('before');\nprocess.exit(3)", 4);
      const { code } = await k.exited;
      assert.equal(code, 3);
      assert.match(k.rawStderr, /Cell 4 called process\.exit\(3\): the kernel process ends here and every variable is lost/);
    } finally {
      await k.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
