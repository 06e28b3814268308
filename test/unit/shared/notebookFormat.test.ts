// The .rnnb format (DESIGN §5): canonical bytes, unknown fields kept, clear errors.
import * as assert from "node:assert/strict";
import { NotebookFormatError, parseNotebook, serializeNotebook, mimeStorage } from "../../../src/shared/notebookFormat";
import { rnnbToIpynb } from "../../../src/shared/ipynb";

const canonical = serializeNotebook({
  version: 1,
  metadata: { kernel: "rnn" },
  extra: {},
  cells: [
    { kind: "markdown", language: "markdown", source: "# Title\n한국어 노트", outputs: [], metadata: {}, extra: {} },
    {
      kind: "code", language: "typescript", source: "1 + 2", metadata: { tags: ["x"] }, extra: {},
      outputs: [{ items: [{ mime: "text/plain", data: "3" }, { mime: "application/vnd.rnn-notebook.tensor+json", data: { shape: [1] } }], extra: {} }],
    },
  ],
});

describe("notebookFormat", () => {
  it("round-trips what it wrote byte for byte", () => {
    assert.equal(serializeNotebook(parseNotebook(canonical)), canonical);
  });

  it("keeps unknown fields at every level, in their order", () => {
    const text = JSON.stringify({
      format: "rnn-notebook", version: 1, zeta: 1, metadata: {}, alpha: { deep: [1, 2] },
      cells: [{ kind: "code", language: "typescript", source: "x", outputs: [{ items: [], future: true }], metadata: {}, cellExtra: "kept" }],
    });
    const once = serializeNotebook(parseNotebook(text));
    const back = JSON.parse(once);
    assert.equal(back.zeta, 1);
    assert.deepEqual(back.alpha, { deep: [1, 2] });
    assert.equal(back.cells[0].cellExtra, "kept");
    assert.equal(back.cells[0].outputs[0].future, true);
    // normalized once, then stable
    assert.equal(serializeNotebook(parseNotebook(once)), once);
  });

  it("keeps a cell's execution count between its outputs and metadata; a malformed one as an unknown field", () => {
    const text = JSON.stringify({
      format: "rnn-notebook", version: 1, metadata: {},
      cells: [
        { kind: "code", language: "typescript", source: "1", metadata: {}, executionCount: 3, outputs: [] },
        { kind: "code", language: "typescript", source: "2", outputs: [], metadata: {}, executionCount: "3" },
      ],
    });
    const nb = parseNotebook(text);
    assert.equal(nb.cells[0].executionCount, 3);
    assert.equal(nb.cells[1].executionCount, undefined);
    const out = serializeNotebook(nb);
    assert.deepEqual(Object.keys(JSON.parse(out).cells[0]), ["kind", "language", "source", "outputs", "executionCount", "metadata"]);
    assert.equal(JSON.parse(out).cells[1].executionCount, "3", "kept, not read");
    assert.equal(serializeNotebook(parseNotebook(out)), out);
    assert.doesNotMatch(canonical, /executionCount/, "a cell never run has none");
  });

  it("keeps a field named __proto__ as data and does not pollute prototypes", () => {
    const text = '{"format":"rnn-notebook","version":1,"metadata":{},"cells":[],"__proto__":{"polluted":true}}';
    const out = serializeNotebook(parseNotebook(text));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.match(out, /"__proto__": \{\n\s+"polluted": true/);
  });

  it("treats an empty file as an empty notebook", () => {
    assert.equal(parseNotebook("").cells.length, 0);
    assert.equal(parseNotebook("  \n").cells.length, 0);
  });

  const bad: [string, RegExp][] = [
    ["{", /not valid JSON/],
    ["[]", /must be a JSON object/],
    ['{"format":"ipynb","version":1,"cells":[]}', /"format" must be "rnn-notebook"/],
    ['{"format":"rnn-notebook","version":2,"cells":[]}', /version 2.*up to 1/],
    ['{"format":"rnn-notebook","version":1,"cells":{}}', /"cells" must be an array/],
    ['{"format":"rnn-notebook","version":1,"cells":[{"kind":"raw"}]}', /cell 1: "kind"/],
    ['{"format":"rnn-notebook","version":1,"cells":[{"kind":"code","source":5}]}', /cell 1: "source" must be a string/],
    ['{"format":"rnn-notebook","version":1,"cells":[{"kind":"code","outputs":[{"items":[{"mime":"image/png","data":{}}]}]}]}', /data of image\/png must be a string/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text.slice(0, 60)} with a clear message`, () => {
      assert.throws(() => parseNotebook(text), (e: unknown) => e instanceof NotebookFormatError && message.test(e.message));
    });
  }

  it("stores each mime the way its data needs", () => {
    assert.equal(mimeStorage("application/vnd.rnn-notebook.gates+json"), "json");
    assert.equal(mimeStorage("application/json"), "json");
    assert.equal(mimeStorage("image/svg+xml"), "text");
    assert.equal(mimeStorage("application/vnd.code.notebook.stdout"), "text");
    assert.equal(mimeStorage("image/png"), "base64");
  });

  it("keeps a cell's tags (papermill's \"parameters\") through .rnnb and into .ipynb, where the runner reads them", () => {
    const text = JSON.stringify({ format: "rnn-notebook", version: 1, metadata: {}, cells: [
      { kind: "code", language: "typescript", source: "const epochs = 10;", outputs: [], metadata: { tags: ["parameters"], note: 1 } },
    ] });
    const nb = parseNotebook(text);
    assert.deepEqual(nb.cells[0].metadata, { tags: ["parameters"], note: 1 });
    assert.deepEqual(parseNotebook(serializeNotebook(nb)).cells[0].metadata.tags, ["parameters"]);
    const ipynb = JSON.parse(rnnbToIpynb(nb)) as { cells: { metadata: { tags?: string[] } }[] };
    assert.deepEqual(ipynb.cells[0].metadata.tags, ["parameters"]);
  });
});
