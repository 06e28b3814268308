// The path-literal collector of the browser Worker kernel (src/kernel/web/pathLiterals.ts): which
// strings of a cell are fetched before it runs. Each case is a worked example of the rule in the
// file's header (one line, not a web URL, a separator or an extension at the end).
import * as assert from "node:assert/strict";
import { looksLikePath, pathLiterals } from "../../../../src/kernel/web/pathLiterals";

describe("path literals of a cell (src/kernel/web/pathLiterals.ts)", () => {
  it("finds the paths the engine's file methods take, in order, each once", () => {
    const cell = [
      'const model = rnn.load("models/m.rnnmodel");',
      "const data = rnn.data.readCsv('data/train.csv');",
      "model.save(`out/m2.rnnmodel`);",
      'model.exportPyTorch("./export/");',
      'rnn.load("models/m.rnnmodel");',
      'const w = rnn.data.readNpy("C:\\\\data\\\\x.npy");',
    ].join("\n");
    assert.deepEqual(pathLiterals(cell), ["models/m.rnnmodel", "data/train.csv", "out/m2.rnnmodel", "./export/", "C:\\data\\x.npy"]);
  });

  it("skips prose, templates with substitutions, comments and import specifiers", () => {
    const cell = [
      'import { f } from "./helper.ts";',
      '// rnn.load("commented/out.rnnmodel")',
      'console.log("the cat sat on the mat.", `${name}/x.csv`, "loss", "mse");',
      'const url = "https://example.com/data.csv";',
      'const file = "file:///home/me/data.csv";',
    ].join("\n");
    assert.deepEqual(pathLiterals(cell), ["file:///home/me/data.csv"]);
  });

  it("decides on one string at a time", () => {
    for (const s of ["m.rnnmodel", "a/b", "a\\b", "./x", "weights.safetensors"]) assert.equal(looksLikePath(s), true, s);
    for (const s of ["", "mse", "two\nlines", " padded.csv ", "http://x/y.csv", "x".repeat(1025) + ".csv", "ends with a dot."]) {
      assert.equal(looksLikePath(s), false, JSON.stringify(s.slice(0, 40)));
    }
  });

  it("a cell with a syntax error still gives the literals it has (the transpiler reports the error)", () => {
    assert.deepEqual(pathLiterals('rnn.load("a/b.rnnmodel") +'), ["a/b.rnnmodel"]);
  });
});
