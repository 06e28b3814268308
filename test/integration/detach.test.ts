// Kernels that outlive their notebook's editor, in the real VS Code: a notebook closed and reopened
// within rnnNotebook.kernel.closedTimeoutMinutes finds its kernel again (variables intact, a cell
// that ran meanwhile finished), a notebook that stays closed longer ends it and leaves no process or
// file, and no other local user can reach it (the socket's folder and mode; the secret). The window
// reload itself is in test/e2e (the reload ends this extension host, and these tests with it).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import * as vscode from "vscode";
import { hasKernelRecord, kernelDir, readRecord } from "../../src/client/detachedKernel";
import { frame } from "../../src/kernel/channel";
import { EXTENSION_ID } from "../../src/shared/mime";
import { alive } from "../support/process";
import { activate, closeAll, items, runCell, showWithKernel, sleep, valueText, waitUntil } from "./cells";

function kernelPid(nb: vscode.NotebookDocument): number | undefined {
  const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as
    { controller: { kernelOf(nb: vscode.NotebookDocument): { pid: number | undefined } | undefined } } | undefined;
  return api?.controller.kernelOf(nb)?.pid;
}

/** A saved .rnnb with these code cells (a file, so closing and reopening gives the same URI). */
async function openFile(name: string, sources: string[]): Promise<vscode.NotebookDocument> {
  await activate();
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, "the test workspace is open");
  const uri = vscode.Uri.joinPath(root, "scratch", `${Date.now()}-${name}.rnnb`);
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(root, "scratch"));
  writeFileSync(uri.fsPath, JSON.stringify({ format: "rnn-notebook", version: 1, metadata: {},
    cells: sources.map((source) => ({ kind: "code", language: "typescript", source, outputs: [], metadata: {} })) }));
  return openEditor(uri);
}

/**
 * Opens a notebook file the way a user does (vscode.openWith): only its editor holds the document, so
 * closing the editor closes it. (A document an extension opened with openNotebookDocument stays open
 * for minutes after its editor closed.)
 */
async function openEditor(uri: vscode.Uri): Promise<vscode.NotebookDocument> {
  await vscode.commands.executeCommand("vscode.openWith", uri, "rnn-notebook");
  const nb = await waitUntil("the notebook editor", () => vscode.window.activeNotebookEditor?.notebook.uri.toString() === uri.toString() && vscode.window.activeNotebookEditor.notebook);
  await showWithKernel(nb);
  return nb;
}

async function closeNotebook(nb: vscode.NotebookDocument): Promise<void> {
  await vscode.window.showNotebookDocument(nb);
  await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  // Every editor of it (a notebook shown twice stays open while one remains); VS Code then disposes it.
  await waitUntil("the notebook document to close", async () => {
    if (nb.isClosed) return true;
    if (vscode.window.visibleNotebookEditors.some((e) => e.notebook === nb)) await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await sleep(250);
    return nb.isClosed;
  }, 60_000);
}

async function setClosedTimeout(minutes: number | undefined): Promise<void> {
  await vscode.workspace.getConfiguration("rnnNotebook").update("kernel.closedTimeoutMinutes", minutes, vscode.ConfigurationTarget.Global);
}

describe("kernels that outlive their notebook's editor", function () {
  this.timeout(120_000);
  let suiteValue: number | undefined;
  before(() => {
    suiteValue = vscode.workspace.getConfiguration("rnnNotebook").inspect<number>("kernel.closedTimeoutMinutes")?.globalValue;
  });
  afterEach(async () => {
    await closeAll();
    // back to the suite's value (scripts/run-integration.mjs: 0, end at once)
    await setClosedTimeout(suiteValue);
  });

  it("reopening the notebook in time attaches to its kernel: variables intact, code it ran meanwhile has run", async () => {
    await setClosedTimeout(1);
    const nb = await openFile("reopen", [
      "const kept = 6 * 7; process.pid",
      "let later = 'not yet'; setTimeout(() => (later = 'ran on while closed'), 1500); later",
      "`${kept} ${later} ${process.pid}`",
    ]);
    const first = await runCell(nb, 0);
    const pid = Number(valueText(first));
    assert.equal(kernelPid(nb), pid);
    await runCell(nb, 1);
    const uri = nb.uri;
    await closeNotebook(nb);
    await sleep(1000);
    assert.ok(alive(pid), "the kernel waits for its notebook (closedTimeoutMinutes: 1)");
    const again = await openEditor(uri);
    await waitUntil("the reopened notebook to find its kernel", () => kernelPid(again) === pid, 30_000);
    const cell = await runCell(again, 2);
    // 6 · 7 from cell 1, the string cell 2's timer set after the notebook closed, the same process
    assert.equal(valueText(cell), `42 ran on while closed ${pid}`, JSON.stringify(items(cell)));
  });

  it("a notebook closed longer than closedTimeoutMinutes ends its kernel: no process, no file left", async () => {
    await setClosedTimeout(0.05); // 3 s
    const nb = await openFile("timeout", ["process.pid"]);
    const pid = Number(valueText(await runCell(nb, 0)));
    const key = nb.uri.toString();
    assert.ok(hasKernelRecord(key), "a detached kernel has a record");
    const record = readRecord(kernelDir(), key)!;
    const closedAt = Date.now();
    await closeNotebook(nb);
    await sleep(1000);
    assert.ok(alive(pid), "still waiting 1 s after closing (timeout 3 s)");
    await waitUntil(`kernel ${pid} to end`, () => !alive(pid), 30_000);
    const waited = Date.now() - closedAt;
    console.log(`      kernel ended ${(waited / 1000).toFixed(1)} s after its notebook closed (setting: 3 s)`);
    assert.ok(waited >= 2500, `ended after the setting's 3 s, not before (${waited} ms)`);
    await waitUntil("its files to go", () => !hasKernelRecord(key), 10_000);
    assert.equal(spawnSync("test", ["-e", record.socket]).status, 1, "the socket file is removed");
  });

  it("no other user can reach a kernel: the socket refuses another uid, a wrong secret gets nothing", async () => {
    const nb = await openFile("secret", ["const alive = 'yes'; alive"]);
    await runCell(nb, 0);
    const record = readRecord(kernelDir(), nb.uri.toString());
    assert.ok(record, "the kernel's record");
    // /usr/bin/node: the extension host's own binary may sit in root's home, which "nobody" cannot enter.
    if (process.getuid?.() === 0 && existsSync("/usr/bin/node")) {
      // uid 65534 is "nobody" on Debian: another local user trying the socket.
      const r = spawnSync("/usr/bin/node", ["-e", `
        const s = require("node:net").connect(${JSON.stringify(record.socket)});
        s.on("connect", () => { console.log("connected"); process.exit(0); });
        s.on("error", (e) => { console.log(e.code); process.exit(0); });`], { uid: 65534, gid: 65534, encoding: "utf8" });
      assert.match(r.stdout.trim(), /^(EACCES|ENOENT)$/, `as uid 65534: ${r.stdout} ${r.stderr}`);
    }
    const bytes = await new Promise<number>((resolve) => {
      const s = connect(record.socket);
      let n = 0;
      s.on("connect", () => s.write(frame({ type: "hello", secret: "f".repeat(64) })));
      s.on("data", (d: Buffer) => (n += d.length));
      s.on("close", () => resolve(n));
      s.on("error", () => undefined);
    });
    assert.equal(bytes, 0, "nothing is said to a client without the secret");
    await showWithKernel(nb);
    const cell = await runCell(nb, 0);
    assert.equal(valueText(cell), "yes", "the kernel still serves its notebook");
  });
});
