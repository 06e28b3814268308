// .rnnb → .ipynb (nbformat 4.5): structure Jupyter and GitHub accept, fallbacks kept, streams and errors mapped.
import * as assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { lines, rnnbToIpynb } from "../../../src/shared/ipynb";
import { parseNotebook, type RawNotebook } from "../../../src/shared/notebookFormat";

const PNG_1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";

const notebook: RawNotebook = {
  version: 1,
  metadata: { title: "demo" },
  extra: {},
  cells: [
    { kind: "markdown", language: "markdown", source: "# Gates\nline two", outputs: [], metadata: {}, extra: {} },
    {
      kind: "code", language: "typescript", source: "console.log(1)\nconsole.log(2)\nrnn.show.gates(m, x)", metadata: { tags: ["a"] }, extra: {}, executionCount: 4,
      outputs: [
        { items: [{ mime: "application/vnd.code.notebook.stdout", data: "1\n" }], extra: {} },
        { items: [{ mime: "application/vnd.code.notebook.stdout", data: "2\n" }], extra: {} },
        { items: [{ mime: "application/vnd.code.notebook.stderr", data: "warn\n" }], extra: {} },
        {
          items: [
            { mime: "application/vnd.rnn-notebook.gates+json", data: { layer: "lstm", gates: [] } },
            { mime: "image/png", data: PNG_1x1 },
            { mime: "text/html", data: "<table>\n<tr><td>1</td></tr>\n</table>" },
            { mime: "text/plain", data: "LSTM gates (2 timesteps)" },
          ],
          metadata: { note: 1 },
          extra: {},
        },
      ],
    },
    {
      kind: "code", language: "typescript", source: "throw new Error('boom')", metadata: {}, extra: {},
      outputs: [{ items: [{ mime: "application/vnd.code.notebook.error", data: { name: "Error", message: "boom", stack: "Error: boom\n    at <cell 3>:1:7" } }], extra: {} }],
    },
    { kind: "code", language: "javascript", source: "", outputs: [], metadata: {}, extra: {} },
  ],
};

/** The parts of the nbformat 4.5 JSON schema (nbformat/v4/nbformat.v4.5.schema.json) our writer relies on. */
function assertValidNbformat45(nb: any): void {
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.equal(typeof nb.metadata, "object");
  const ids = new Set<string>();
  for (const c of nb.cells) {
    assert.match(c.id, /^[a-zA-Z0-9-_]{1,64}$/, "cell id pattern");
    assert.ok(!ids.has(c.id), "cell ids unique");
    ids.add(c.id);
    assert.ok(Array.isArray(c.source) && c.source.every((s: unknown) => typeof s === "string"));
    assert.equal(typeof c.metadata, "object");
    if (c.cell_type === "code") {
      assert.ok(c.execution_count === null || Number.isInteger(c.execution_count));
      for (const o of c.outputs) {
        if (o.output_type === "stream") {
          assert.ok(o.name === "stdout" || o.name === "stderr");
          assert.ok(Array.isArray(o.text));
        } else if (o.output_type === "error") {
          assert.equal(typeof o.ename, "string");
          assert.equal(typeof o.evalue, "string");
          assert.ok(Array.isArray(o.traceback));
        } else {
          assert.equal(o.output_type, "display_data");
          assert.equal(typeof o.metadata, "object");
          for (const [mime, value] of Object.entries(o.data)) {
            // mimebundle: application/(…+)json may hold any JSON; every other mime a (multiline) string.
            if (!/^application\/(.*\+)?json$/.test(mime)) {
              assert.ok(typeof value === "string" || (Array.isArray(value) && value.every((s) => typeof s === "string")), mime);
            }
          }
        }
      }
    } else {
      assert.equal(c.cell_type, "markdown");
      assert.equal(c.outputs, undefined);
    }
  }
}

describe("interop: .ipynb export", () => {
  const text = rnnbToIpynb(notebook);
  const nb = JSON.parse(text);

  it("writes nbformat 4.5 with TypeScript language metadata", () => {
    assertValidNbformat45(nb);
    assert.equal(nb.metadata.kernelspec.language, "typescript");
    assert.equal(nb.metadata.language_info.name, "typescript");
    assert.deepEqual(nb.metadata.rnn_notebook, { title: "demo" });
    assert.ok(text.endsWith("}\n"));
  });

  it("is deterministic (same notebook, same bytes)", () => {
    assert.equal(rnnbToIpynb(notebook), text);
  });

  it("keeps sources line by line", () => {
    assert.deepEqual(nb.cells[0].source, ["# Gates\n", "line two"]);
    assert.deepEqual(nb.cells[1].source, ["console.log(1)\n", "console.log(2)\n", "rnn.show.gates(m, x)"]);
    assert.deepEqual(nb.cells[3].source, []);
    assert.deepEqual(nb.cells[3].metadata, { vscode: { languageId: "javascript" } });
    assert.deepEqual(nb.cells[1].metadata, { tags: ["a"] });
  });

  it("carries a cell's execution count; a cell never run has null", () => {
    assert.deepEqual(nb.cells.slice(1).map((c: { execution_count: unknown }) => c.execution_count), [4, null, null]);
  });

  it("maps stdout/stderr to stream outputs, merging consecutive writes", () => {
    const [a, b] = nb.cells[1].outputs;
    assert.deepEqual(a, { output_type: "stream", name: "stdout", text: ["1\n", "2\n"] });
    assert.deepEqual(b, { output_type: "stream", name: "stderr", text: ["warn\n"] });
  });

  it("keeps the PNG / HTML / plain fallbacks (and our JSON mime) as display_data", () => {
    const d = nb.cells[1].outputs[2];
    assert.equal(d.output_type, "display_data");
    assert.equal(d.data["image/png"], PNG_1x1);
    assert.deepEqual(d.data["text/html"], ["<table>\n", "<tr><td>1</td></tr>\n", "</table>"]);
    assert.deepEqual(d.data["text/plain"], ["LSTM gates (2 timesteps)"]);
    assert.deepEqual(d.data["application/vnd.rnn-notebook.gates+json"], { layer: "lstm", gates: [] });
    assert.deepEqual(d.metadata, { note: 1 });
  });

  it("drops the custom mimes on request, keeping the fallbacks", () => {
    const d = JSON.parse(rnnbToIpynb(notebook, { customMimes: "drop" })).cells[1].outputs[2];
    assert.deepEqual(Object.keys(d.data).sort(), ["image/png", "text/html", "text/plain"]);
  });

  it("maps errors to error outputs with the stack as traceback", () => {
    assert.deepEqual(nb.cells[2].outputs, [
      { output_type: "error", ename: "Error", evalue: "boom", traceback: ["Error: boom", "    at <cell 3>:1:7"] },
    ]);
  });

  it("splits multiline strings the nbformat way", () => {
    assert.deepEqual(lines("a\nb\n"), ["a\n", "b\n"]);
    assert.deepEqual(lines("a\n\nb"), ["a\n", "\n", "b"]);
    assert.deepEqual(lines(""), []);
    assert.equal(lines("x\ny\n\nz").join(""), "x\ny\n\nz");
  });

  it("converts every bundled sample notebook", () => {
    const dir = join(__dirname, "../../../../media/samples");
    const files = readdirSync(dir).filter((f) => f.endsWith(".rnnb"));
    assert.ok(files.length > 0);
    for (const f of files) {
      const raw = parseNotebook(readFileSync(join(dir, f), "utf8"));
      const out = JSON.parse(rnnbToIpynb(raw));
      assertValidNbformat45(out);
      assert.equal(out.cells.length, raw.cells.length, f);
      out.cells.forEach((c: any, i: number) => assert.equal(c.source.join(""), raw.cells[i].source, `${f} cell ${i + 1}`));
    }
  });
});
