// Virtual document assembly (one module per cell, a prelude importing earlier cells' names) and
// position mapping between a cell's text and its module, both ways.
import * as assert from "node:assert/strict";
import { VirtualNotebook, topLevelNames } from "../../../src/extension/intellisense/virtualNotebook";

describe("intellisense: virtual notebook", () => {
  it("finds a cell's top-level names, destructuring and types included, but not nested ones", () => {
    const { names, exported } = topLevelNames([
      "const model = rnn.sequential({ inputShape: [20, 6] }, []);",
      "const { x, y: [a, , b] } = data; let n = 1, m;",
      "function train() { const inner = 1; }",
      "class Net {} interface Opts { a: number } type T = number; enum E { A } namespace NS {}",
      "import fs, { readFile as rf } from \"node:fs\"; import * as path from \"node:path\";",
      "export const shared = 1;",
      "for (const i of [1]) { const loopLocal = i; }",
    ].join("\n"));
    assert.deepEqual(names.sort(), ["E", "NS", "Net", "Opts", "T", "a", "b", "fs", "m", "model", "n", "path", "rf", "train", "x"].sort());
    assert.deepEqual(exported, ["shared"]);
  });

  it("imports every earlier name from the latest cell that declared it, except the cell's own", () => {
    const nb = new VirtualNotebook();
    nb.update([
      { id: "c1", text: "const model = 1;\nconst x = 2;" },
      { id: "c2", text: "const x = 3; // redefines x" },
      { id: "c3", text: "model + x" },
      { id: "c4", text: "const model = 4;" },
    ]);
    const [c1, c2, c3, c4] = nb.all();
    assert.equal(c1.content, "\nconst model = 1;\nconst x = 2;\nexport { model, x };");
    assert.equal(c2.content, 'import { model } from "./cell-1";\nconst x = 3; // redefines x\nexport { x };');
    assert.equal(c3.content, 'import { model } from "./cell-1"; import { x } from "./cell-2";\nmodel + x\n');
    assert.equal(c4.content, 'import { x } from "./cell-2";\nconst model = 4;\nexport { model };');
    // Names from later cells are not visible (notebook order).
    assert.ok(!c1.content.includes("import"));
  });

  it("maps offsets cell → module → cell, and refuses generated text", () => {
    const nb = new VirtualNotebook();
    nb.update([{ id: "a", text: "let n = 1;" }, { id: "b", text: "n.toFixed(2)\nn" }]);
    const b = nb.cell("b")!;
    for (let offset = 0; offset <= b.text.length; offset++) {
      const v = nb.toVirtual("b", offset)!;
      assert.equal(v.fileName, b.fileName);
      assert.equal(b.content.slice(v.offset, v.offset + 1), b.text.slice(offset, offset + 1) || b.content.slice(v.offset, v.offset + 1));
      assert.deepEqual(nb.toCell(v.fileName, v.offset), { id: "b", offset });
    }
    assert.equal(nb.toCell(b.fileName, 0), undefined, "the prelude is not in the cell");
    assert.equal(nb.toCell(b.fileName, b.bodyStart - 1), undefined);
    const a = nb.cell("a")!;
    assert.equal(nb.toCell(a.fileName, a.content.length), undefined, "the suffix is not in the cell");
    assert.equal(nb.toVirtual("missing", 0), undefined);
  });

  it("keeps file names and versions of unchanged cells; bumps only what changed", () => {
    const nb = new VirtualNotebook();
    nb.update([{ id: "a", text: "const a = 1;" }, { id: "b", text: "a" }, { id: "c", text: "1" }]);
    const before = nb.all().map((c) => ({ file: c.fileName, version: c.version }));
    const project = nb.projectVersion;
    nb.update(nb.all().map((c) => ({ id: c.id, text: c.text })));
    assert.equal(nb.projectVersion, project, "no change, no new project version");

    nb.updateCell("c", "2");
    assert.deepEqual(nb.all().map((c) => c.version), [before[0].version, before[1].version, before[2].version + 1]);
    // A new name in cell a changes the prelude (and so the version) of every later cell.
    nb.updateCell("a", "const a = 1; const z = 2;");
    assert.deepEqual(nb.all().map((c) => c.version), [2, 2, 3]);
    // Moving a cell keeps its module file.
    nb.update([{ id: "c", text: "2" }, { id: "a", text: "const a = 1; const z = 2;" }, { id: "b", text: "a" }]);
    assert.equal(nb.cell("c")!.fileName, before[2].file);
    assert.ok(nb.cell("c")!.content.startsWith("\n"), "first cell now: nothing to import");
    assert.ok(nb.projectVersion > project);
  });
});
