// The runner's CI functions (src/client/ci.ts): papermill-style parameters, JUnit XML, output checks.
import * as assert from "node:assert/strict";
import { parseXml } from "../../support/xml";
import { applyParameters, compareText, diffOutputs, isParametersCell, junitXml, parameterNames, parseParam } from "../../../src/client/ci";

describe("runner CI: parameters, JUnit, --check", () => {
  const cell = [
    "// defaults, overridden by --param",
    "const epochs = 10;",
    "export const lr: number = 0.01; // learning rate",
    "let name = \"lstm\"",
    "const shuffle = true;",
    "  const nested = 1; // indented: not top level",
    "const opts = { a: 1,",
    "  b: 2 };",
    "const url = \"http://x;y\"; // a // in a string is not a comment",
    "const two = 1; const three = 3;",
  ].join("\n");

  it("lists the top-level one-line constants as parameters", () => {
    assert.deepEqual(parameterNames(cell), ["epochs", "lr", "name", "shuffle", "url"]);
  });

  it("replaces initializers with JSON numbers, strings, booleans; other text becomes a string", () => {
    const out = applyParameters(cell, new Map([["epochs", "3"], ["lr", "2e-3"], ["name", "gru"], ["shuffle", "false"]]));
    assert.deepEqual(out.split("\n").slice(1, 5), [
      "const epochs = 3;",
      "export const lr: number = 0.002; // learning rate",
      "let name = \"gru\";",
      "const shuffle = false;",
    ]);
    assert.equal(applyParameters(cell, new Map([["url", "ftp://z"]])).split("\n")[8], 'const url = "ftp://z"; // a // in a string is not a comment');
    assert.equal(applyParameters(cell, new Map([["name", "\"a \\\"quoted\\\" name\""]])).split("\n")[3], 'let name = "a \\"quoted\\" name";');
  });

  it("an unknown name or a non-scalar value is an error naming the available parameters", () => {
    assert.throws(() => applyParameters(cell, new Map([["epoch", "3"]])), /declares no epoch; its parameters: epochs, lr, name, shuffle, url/);
    assert.throws(() => applyParameters(cell, new Map([["epochs", "[1, 2]"]])), /not a number, string or boolean/);
    assert.deepEqual(parseParam("lr=0.1"), ["lr", "0.1"]);
    assert.deepEqual(parseParam("msg=a=b"), ["msg", "a=b"]);
    assert.throws(() => parseParam("=3"), /--param needs name=value/);
  });

  it("finds the parameters tag in cell metadata", () => {
    assert.equal(isParametersCell({ tags: ["parameters"] }), true);
    assert.equal(isParametersCell({ tags: ["other"] }), false);
    assert.equal(isParametersCell(undefined), false);
  });

  it("writes well-formed JUnit XML: one testcase per cell, the failure with message and line, skipped cells", () => {
    const xml = junitXml("nb & <co>.rnnb", [
      { cell: 1, title: "const a = 1;", seconds: 0.01, status: "passed", stdout: "ok\u0001\n" },
      { cell: 3, title: "boom()", seconds: 0.2, status: "failed", message: "TypeError: x is \"undefined\" at line 2:5", details: "TypeError: x\n    at cell3.ts:2:5", stderr: "warn <b>" },
      { cell: 4, title: "later", seconds: 0, status: "skipped", message: "not run: an earlier cell failed" },
    ]);
    const root = parseXml(xml);
    assert.equal(root.name, "testsuites");
    const [suite] = root.children;
    assert.equal(suite.name, "testsuite");
    assert.deepEqual([suite.attrs.name, suite.attrs.tests, suite.attrs.failures, suite.attrs.skipped, suite.attrs.errors], ["nb & <co>.rnnb", "3", "1", "1", "0"]);
    assert.equal(Number(suite.attrs.time), 0.21); // 0.01 + 0.2 + 0
    const cases = suite.children;
    assert.deepEqual(cases.map((c) => c.name), ["testcase", "testcase", "testcase"]);
    assert.deepEqual(cases.map((c) => c.attrs.name), ["cell 1: const a = 1;", "cell 3: boom()", "cell 4: later"]);
    assert.equal(cases[0].children[0].name, "system-out");
    assert.equal(cases[0].children[0].text, "ok\n", "control characters XML cannot hold are dropped");
    const failure = cases[1].children.find((c) => c.name === "failure")!;
    assert.equal(failure.attrs.message, 'TypeError: x is "undefined" at line 2:5');
    assert.match(failure.text, /at cell3\.ts:2:5/);
    assert.equal(cases[1].children.find((c) => c.name === "system-err")!.text, "warn <b>");
    assert.equal(cases[2].children[0].name, "skipped");
  });

  it("--check: numbers within rtol pass, beyond it and text changes fail with a diff", () => {
    // |0.1234567 − 0.1234568| / 0.1234568 = 8.1e-7 ≤ 1e-6
    assert.equal(compareText("loss 0.1234567 after 3 epochs", "loss 0.1234568 after 3 epochs", 1e-6), undefined);
    assert.match(compareText("loss 0.1234567", "loss 0.1235", 1e-6)!, /number 1: 0\.1234567 saved, 0\.1235 now \(relative difference 3\.51e-4 > rtol 0\.000001\)/);
    assert.equal(compareText("loss 0.5", "lost 0.5", 1e-6), "the text differs");
    assert.equal(compareText("[1, 2]", "[1, 2, 3]", 1e-6), "the text differs");
    // streams saved in pieces compare as one text
    assert.deepEqual(diffOutputs(2, [{ kind: "stdout", text: "a 1\n" }, { kind: "stdout", text: "b 2\n" }], [{ kind: "stdout", text: "a 1\nb 2\n" }], 1e-6), []);
    assert.deepEqual(diffOutputs(2, [{ kind: "text/plain", text: "42" }], [{ kind: "text/plain", text: "43" }], 1e-6), [
      "cell 2, output 1 (text/plain): number 1: 42 saved, 43 now (relative difference 2.33e-2 > rtol 0.000001)", "  - 42", "  + 43",
    ]);
    assert.deepEqual(diffOutputs(5, [], [{ kind: "text/plain", text: "new" }], 1e-6), ["cell 5, output 1 (text/plain): a new output", "  - (nothing)", "  + new"]);
  });
});
