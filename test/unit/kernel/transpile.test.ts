// The transpile layer alone (src/kernel/transpile.ts, sourceMap.ts, output.ts), in process: what a
// cell becomes before the kernel evaluates it.
import * as assert from "node:assert/strict";
import * as vm from "node:vm";
import { transpileCell, lineColumnOf } from "../../../src/kernel/transpile";
import { decodeMappings, originalPosition } from "../../../src/kernel/sourceMap";
import { Outbox } from "../../../src/kernel/output";
import { nodePlatform } from "../../../src/kernel/nodePlatform";
import { portablePlatform, setPlatform } from "../../../src/kernel/platform";
import type { FromKernel } from "../../../src/shared/protocol";

/** Evaluates a transpiled cell against a fresh global object (a vm context stands in for the kernel's). */
async function evaluate(source: string, context: vm.Context = vm.createContext({})): Promise<{ value: unknown; context: vm.Context }> {
  const t = transpileCell(source, { fileName: "cell1.ts" });
  assert.deepEqual(t.syntaxErrors, []);
  for (const name of t.bindings) if (!(name in context)) context[name] = undefined;
  const fn = vm.runInContext(t.code, context) as (k: unknown) => Promise<{ value: unknown } | undefined>;
  const out = await fn({ import: async () => ({}), default: (m: unknown) => m });
  return { value: out?.value, context };
}

describe("transpileCell", () => {
  it("lists top-level declarations as bindings, but not block-scoped or nested ones", () => {
    const t = transpileCell([
      "const a = 1, { b, c: [d] } = obj;",
      "let e: number;",
      "function f() { const inner = 1; return inner; }",
      "class G {}",
      "enum H { X }",
      "for (let i = 0; i < 1; i++) { const loopLocal = i; }",
      'import I, { j as J, type K } from "m";',
      'import * as L from "n";',
    ].join("\n"), { fileName: "cell1.ts" });
    assert.deepEqual([...t.bindings].sort(), ["G", "H", "I", "J", "L", "a", "b", "d", "e", "f"]);
  });

  it("captures only a final expression statement", async () => {
    assert.equal((await evaluate("1 + 1;\n// comment\n")).value, 2);
    assert.equal((await evaluate("const x = 5;")).value, undefined);
    assert.equal((await evaluate("if (true) { 3 }")).value, undefined);
    assert.equal((await evaluate("enum E { A = 7 }\nE.A")).value, 7);
  });

  it("shows a cell that is only an object literal as that object (like Node's REPL)", async () => {
    assert.equal(JSON.stringify((await evaluate("{ a: 1, b: [2] }")).value), `{"a":1,"b":[2]}`); // made in a vm context: compare as JSON
    assert.equal((await evaluate("{ const inner = 3; }")).value, undefined, "a real block stays a block");
  });

  it("re-declaring a const in a later cell assigns the shared binding", async () => {
    const { context } = await evaluate("const m = 1;");
    await evaluate("const m = 2;", context);
    assert.equal(context.m, 2);
  });

  it("drops export from declarations, including unnamed default exports", async () => {
    const { context } = await evaluate("export const e1 = 1;\nexport enum E2 { A }\nexport default class {}\nexport default function () {}");
    assert.equal(context.e1, 1);
    assert.equal(context.E2.A, 0);
  });

  it("makes `var` in top-level blocks and loops a binding, as in a script, but not `var` inside functions", async () => {
    const { context, value } = await evaluate([
      "for (var i = 0, j = 10; i < 3; i++) { var last = i + j; }",
      "for (var key in { a: 1 }) {}",
      "for (var [k2, v2] of [[1, 2]]) {}",
      "if (true) { var flag = true; }",
      "function f() { var local = 1; return local; }",
      "f() + last",
    ].join("\n"));
    assert.equal(value, 13); // f() = 1; last = 2 + 10 after the loop
    assert.deepEqual([context.i, context.j, context.key, context.k2, context.v2, context.flag], [3, 10, "a", 1, 2, true]);
    assert.equal("local" in context, false);
  });

  it("hoists function declarations like JavaScript does", async () => {
    assert.equal((await evaluate("const r = later();\nfunction later() { return 9; }\nr")).value, 9);
  });

  it("rewrites static and dynamic imports to the kernel loader", () => {
    const t = transpileCell('import fs, { readFileSync as rf } from "node:fs";\nconst p = import("./x.ts");', { fileName: "cell1.ts" });
    assert.match(t.code, /await __rnnk\$\.import\("node:fs"\)/);
    assert.match(t.code, /fs = __rnnk\$\.default\(__rnnm\$1\)/);
    assert.match(t.code, /rf = __rnnm\$1\.readFileSync/);
    assert.match(t.code, /p = __rnnk\$\.import\("\.\/x\.ts"\)/);
  });

  it("reports syntax errors with 1-based line and column", () => {
    const t = transpileCell("const a = 1;\nlet = = 2;", { fileName: "cell1.ts" });
    assert.ok(t.syntaxErrors.length > 0);
    assert.equal(t.syntaxErrors[0].line, 2);
  });

  it("maps generated positions back to the cell through the source map", () => {
    // Line 3 of the cell holds `boom()` after a type-only line that transpiles to nothing.
    const source = "interface Gone { a: number }\nconst before = 1;\nboom();";
    const t = transpileCell(source, { fileName: "cell1.ts" });
    const lines = t.code.split("\n");
    const genLine = lines.findIndex((l) => l.includes("boom()")) + 1;
    const genCol = lines[genLine - 1].indexOf("boom") + 1;
    assert.deepEqual(originalPosition(t.mappings, genLine - t.lineOffset, genCol), { line: 3, column: 1 });
  });
});

describe("source map decoding", () => {
  it("decodes base64 VLQ segments (example from the Source Map v3 spec: AAAA;AACA)", () => {
    // AAAA = [0,0,0,0]; AACA = [0,0,1,0] → generated line 2 column 0 ↔ source line 1 (0-based) column 0.
    assert.deepEqual(decodeMappings("AAAA;AACA"), [[{ genColumn: 0, srcLine: 0, srcColumn: 0 }], [{ genColumn: 0, srcLine: 1, srcColumn: 0 }]]);
    // "gB" = 16 (g = 32 | 0 continuation, B = 1 → 1 << 5 = 32 → value 32 >> 1 = 16).
    assert.deepEqual(decodeMappings("gBAAA")[0][0], { genColumn: 16, srcLine: 0, srcColumn: 0 });
  });

  it("lineColumnOf counts 1-based lines and columns", () => {
    assert.deepEqual(lineColumnOf("ab\ncd", 4), { line: 2, column: 2 });
  });
});

describe("Outbox (console coalescing)", () => {
  // The Node kernel's platform: its burst flush waits for setImmediate, which the test awaits.
  before(() => setPlatform(nodePlatform));
  after(() => setPlatform(portablePlatform));
  it("caps one cell's console text and says so once", () => {
    const sent: FromKernel[] = [];
    const box = new Outbox((m) => sent.push(m), 10); // a 10-character cap for the test
    box.stream(1, "stdout", "12345678");
    box.stream(1, "stdout", "abcdef");
    box.stream(1, "stdout", "NEVERSENT");
    box.flush();
    const text = sent.map((m) => (m.type === "stream" ? m.text : "")).join("");
    assert.match(text, /^12345678ab\n… console output of this cell truncated after 10 characters/);
    assert.doesNotMatch(text, /NEVERSENT/);
  });

  it("sends the first text at once, merges what follows closely, keeps order across streams, flushes before other messages", async () => {
    const sent: FromKernel[] = [];
    const box = new Outbox((m) => sent.push(m));
    box.stream(1, "stdout", "a");
    box.stream(1, "stdout", "b");
    box.stream(1, "stdout", "c");
    box.stream(1, "stderr", "e");
    box.send({ type: "done", id: 1, status: "ok" });
    box.stream(undefined, "stdout", "d");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent, [
      { type: "stream", id: 1, name: "stdout", text: "a" },
      { type: "stream", id: 1, name: "stdout", text: "bc" },
      { type: "stream", id: 1, name: "stderr", text: "e" },
      { type: "done", id: 1, status: "ok" },
      { type: "background", name: "stdout", text: "d" },
    ]);
  });
});
