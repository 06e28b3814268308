/**
 * A hostile saved output in the real VS Code output webview: a .rnnb whose gates+json output
 * has `<img src=x onerror=…>` and `<script>` as token labels and as model and layer names. No kernel is
 * needed: the output was saved in the file. It must render (heatmap drawn, names shown as text) and no
 * script may run — the onerror handler would set a global and the title; checked in every frame.
 */
import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { GatesPayload } from "../../src/shared/payloads";
import { e2eEnv } from "./lib/env";
import { openNotebook, step, useWorkbench, waitForDrawnCanvas } from "./lib/workbench";

const XSS_IMG = `<img src=x onerror="window.__pwned=1;document.title='pwned'">`;
const XSS_SCRIPT = `<script>window.__pwned=2;document.title='pwned'</script>`;
const FILE = "zz-hostile-output.rnnb";

function hostileNotebook(): string {
  const T = 4;
  const H = 3;
  const gates: GatesPayload = {
    model: XSS_IMG,
    layer: { index: 0, name: XSS_SCRIPT, type: "simpleRNN" },
    batchIndex: 0,
    trueShape: { timesteps: T, units: H },
    timesteps: T, units: H,
    stepIndex: [0, 1, 2, 3], unitIndex: [0, 1, 2],
    tokens: ["a", XSS_IMG, XSS_SCRIPT, "b"],
    panels: [{ gate: "h", label: XSS_IMG, scale: "tanh", values: Array.from({ length: T * H }, (_, i) => Math.sin(i)) }],
  };
  return JSON.stringify({
    format: "rnn-notebook", version: 1, metadata: {},
    cells: [{
      kind: "code", language: "typescript", source: "// output saved in the file: no kernel needed",
      outputs: [{ items: [
        { mime: "application/vnd.rnn-notebook.gates+json", data: gates },
        { mime: "text/plain", data: `gates of ${XSS_IMG}` },
      ] }],
      metadata: {},
    }],
  }, null, 2) + "\n";
}

describe("hostile output in the VS Code webview", function () {
  this.timeout(300_000);
  before(() => writeFileSync(path.join(e2eEnv.workspace, FILE), hostileNotebook()));
  const wb = useWorkbench();

  it("renders a gates output with <img onerror> and <script> labels as text, and no script runs", async () => {
    const { page } = wb();
    const titleBefore = await page.title();
    await openNotebook(page, FILE);
    const { frame, stats } = await waitForDrawnCanvas(page, "canvas.rnn-heatmap", 120_000);
    step(`hostile gates output drew: ${JSON.stringify(stats)}`);
    // Give an onerror (the image src=x fails at once) time to fire, were an <img> ever created.
    await page.waitForTimeout(1500);
    const inOutput = await frame.evaluate(() => {
      const root = document.querySelector("[data-rnn-rendered]");
      return {
        kind: (root as HTMLElement | null)?.dataset.rnnRendered,
        text: root?.textContent ?? "",
        // elements that could run or load something, anywhere in the output webview's document
        injected: Array.from(document.querySelectorAll("img, iframe, object, embed")).filter((e) => !e.closest(".vscode-codicon")).map((e) => e.outerHTML.slice(0, 120)),
        scriptsWithPayload: Array.from(document.scripts).filter((s) => s.textContent?.includes("__pwned")).length,
      };
    });
    assert.equal(inOutput.kind, "gates", "the renderer drew the payload, not an error box");
    assert.ok(inOutput.text.includes(XSS_IMG), `the hostile model name is shown as text: ${inOutput.text.slice(0, 200)}`);
    assert.ok(inOutput.text.includes(XSS_SCRIPT), "the hostile layer name is shown as text");
    assert.deepEqual(inOutput.injected.filter((h) => h.includes("onerror") || h.includes('src="x"')), [], "no element built from the labels");
    assert.equal(inOutput.scriptsWithPayload, 0, "no <script> built from the labels");
    for (const f of page.frames()) {
      const pwned = await f.evaluate(() => ({ flag: (window as unknown as { __pwned?: number }).__pwned, title: document.title })).catch(() => undefined);
      if (!pwned) continue; // a frame that went away
      assert.equal(pwned.flag, undefined, `no script ran in frame ${f.url().slice(0, 80)}`);
      assert.notEqual(pwned.title, "pwned", `title untouched in frame ${f.url().slice(0, 80)}`);
    }
    assert.notEqual(await page.title(), "pwned");
    step(`${page.frames().length} frames checked: no script ran (title before: "${titleBefore}")`);
  });
});
