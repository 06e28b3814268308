// The portable formatter (src/kernel/format.ts) against Node's own util.inspect / util.format, which
// are the specification it follows: every expected string below is what Node 20 prints for the same
// value, computed in the test, so a difference in any case fails with both texts side by side.
import * as assert from "node:assert/strict";
import { format, inspect } from "node:util";
import { formatArgs, inspectValue } from "../../../src/kernel/format";

class Point {
  constructor(public x: number, public y: number) {}
}
class Empty {}
class Custom {
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "Custom<repr>";
  }
}

function cases(): [string, unknown][] {
  const circular: Record<string, unknown> = { name: "loop" };
  circular.self = circular;
  const withGetter = Object.defineProperty({ a: 1 }, "b", { get: () => 2, enumerable: true });
  const nullProto = Object.assign(Object.create(null) as object, { k: 1 });
  return [
    ["numbers", [1, -0, 0.1, NaN, Infinity, 1e21, 2 ** 64]],
    ["short number array", [1, 2, 3]],
    ["long number array (grouped in columns)", Array.from({ length: 30 }, (_, i) => i * i)],
    ["200 numbers (more items)", Array.from({ length: 200 }, (_, i) => i / 7)],
    ["strings", ["plain", "it's", `both ' and "`, "tab\tnew\nline", "\u0001"]],
    ["string array of 10", "the cat sat on the mat and the dog too".split(" ")],
    ["nested object", { a: { b: { c: { d: { e: 1 } } } }, list: [[1, [2, [3, [4]]]]] }],
    ["mixed", { loss: 0.123, epochs: [1, 2, 3], name: "lstm", ok: true, none: null, u: undefined, big: 10n, sym: Symbol("s") }],
    ["long object breaks lines", { alpha: "a".repeat(40), beta: "b".repeat(40), gamma: "c".repeat(40) }],
    ["quoted keys", { "a-b": 1, "1x": 2, ok: 3 }],
    ["class instances", [new Point(1, 2), new Empty()]],
    ["typed arrays", [new Float32Array([0.1, 0.2, 0.3]), new Int32Array(20).map((_, i) => i - 10), new Float64Array(0)]],
    ["Map and Set", [new Map<unknown, unknown>([["a", 1], [2, { b: [3] }]]), new Set([1, "two"]), new Map(), new Set()]],
    ["Date and RegExp", [new Date(Date.UTC(2026, 11, 3, 18, 0, 0)), /ab+c/gi]],
    ["functions and classes", [function named() {}, () => 1, async function af() {}, Point, class extends Point {}]],
    ["circular", circular],
    ["getter", withGetter],
    ["null prototype", nullProto],
    ["custom inspect", { inner: new Custom() }],
    ["sparse-free nested arrays of objects", Array.from({ length: 8 }, (_, i) => ({ i, sq: i * i }))],
    ["empties", [[], {}, ""]],
  ];
}

describe("portable formatter (src/kernel/format.ts) prints what util.inspect prints", () => {
  for (const [name, value] of cases()) {
    it(name, () => {
      assert.equal(inspectValue(value), inspect(value));
      // The display options of a cell's result (src/kernel/display.ts).
      const shown = { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 };
      assert.equal(inspectValue(value, shown), inspect(value, shown));
    });
  }

  it("console.log's format directives and extra arguments, as util.format", () => {
    const argLists: unknown[][] = [
      ["loss %d after %s epochs", 0.25, "12"],
      ["%i|%f|%j|%o|%O|%c|%%|%x", 3.9, "2.5e1", { a: [1] }, { o: 1 }, { b: 2 }, "color: red"],
      ["no directives", 1, "two", { three: 3 }],
      [{ first: "object" }, "then text", 5],
      ["%s", { obj: { nested: { deep: 1 } } }],
      ["%s %s", 10n, Symbol("x")],
      ["missing %s %d"],
      [],
    ];
    for (const args of argLists) assert.equal(formatArgs(...args), format(...args), JSON.stringify(args.map(String)));
  });
});
