// "What if" through the extension in the real VS Code: a cell shows rnn.show.gates; an edit sent as
// the renderer sends it (the extension's messaging handler, answerWhatIf, reached through the
// extension's API) is recomputed by the notebook's kernel — the payload changes, the cell's execution
// count and its saved output do not. While a cell runs the answer is "busy"; after a restart the
// handle is stale. (The renderer's half runs in test/e2e/visuals.e2e.test.ts and the Chromium tests.)
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { EXTENSION_ID, MIME } from "../../src/shared/mime";
import type { GatesPayload } from "../../src/shared/payloads";
import type { WhatIfReply } from "../../src/shared/whatIf";
import { closeAll, openCodeNotebook, runCell, startCell, textOf, waitEnded, waitRunning } from "./cells";

interface Api {
  whatIf(notebook: vscode.NotebookDocument, message: unknown): Promise<WhatIfReply | undefined>;
}
const api = () => vscode.extensions.getExtension(EXTENSION_ID)?.exports as Api;

const CELLS = [
  [
    "const text = 'hello world';",
    "const vocab = rnn.text.charVocab(text + 'xyz');",
    "const model = rnn.sequential({ inputShape: [null], name: 'char' }, [rnn.embedding({ inputDim: vocab.size, outputDim: 4 }), rnn.lstm({ units: 8, returnSequences: true, seed: 1 }), rnn.dense({ units: vocab.size })]);",
  ].join("\n"),
  "rnn.show.gates(model, rnn.tensor(Float32Array.from(vocab.encode(text)), [1, 11]), { vocab });",
  "await new Promise((r) => setTimeout(r, 2500));",
];

describe("what if through the extension", function () {
  this.timeout(120_000);
  afterEach(closeAll);

  it("recomputes a gates output from an edit without running the cell; busy while a cell runs; stale after a restart", async () => {
    const nb = await openCodeNotebook(CELLS);
    await runCell(nb, 0);
    const cell = await runCell(nb, 1);
    const order = cell.executionSummary?.executionOrder;
    const saved = textOf(cell, MIME.gates);
    const p = JSON.parse(saved) as GatesPayload;
    assert.deepEqual(p.whatIf?.input, { kind: "text", text: "hello world" });
    const edit = (requestId: number, text: string) =>
      api().whatIf(nb, { type: "whatIf", requestId, view: "gates", handle: p.whatIf!.handle, input: { kind: "text", text } });

    const reply = await edit(1, "hello xorld");
    assert.equal(reply?.state, "ready");
    assert.ok(reply?.result?.ok, JSON.stringify(reply));
    const edited = reply.result.payload as GatesPayload;
    assert.equal(edited.tokens?.[6], "x");
    assert.notDeepEqual(edited.panels[0].values, p.panels[0].values, "the gates changed");
    assert.equal(nb.cellAt(1).executionSummary?.executionOrder, order, "no execution: the count is unchanged");
    assert.equal(textOf(nb.cellAt(1), MIME.gates), saved, "the cell's output (what is saved) is unchanged");

    const wrong = await edit(2, "hello!");
    assert.equal(wrong?.result?.ok, false);
    assert.match(wrong?.result && !wrong.result.ok ? wrong.result.message : "", /character "!" is not in the vocabulary/);

    const since = Date.now();
    await startCell(nb, 2);
    await waitRunning(nb, 2);
    assert.deepEqual(await edit(3, "hello"), { type: "whatIfResult", requestId: 3, state: "busy" });
    await waitEnded(nb, 2, since);

    assert.equal(await vscode.commands.executeCommand("rnnNotebook.restartKernel"), true);
    const stale = await edit(4, "hello");
    assert.equal(stale?.result?.ok, false);
    assert.equal(stale?.result && !stale.result.ok && stale.result.reason, "stale");
  });
});
