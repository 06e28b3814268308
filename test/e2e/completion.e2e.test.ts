/**
 * IntelliSense in cells in the browser (issue 7, acceptance 2): in the first sample notebook, typing
 * `simple.` in a later cell — `simple` is the model declared in the first code cell — opens the
 * completion list with the model's members, from the engine's generated types. Screenshot:
 * test-results/e2e/completion-list.png.
 */
import * as assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { e2eEnv } from "./lib/env";
import { openNotebook, screenshot, step, useWorkbench } from "./lib/workbench";

describe("completion in a notebook cell", function () {
  this.timeout(300_000);
  const wb = useWorkbench();

  it("lists an earlier cell's model members after typing `simple.`", async () => {
    const { page } = wb();
    const first = readdirSync(e2eEnv.workspace).filter((f) => /^01-.*\.rnnb$/.test(f)).sort()[0];
    assert.ok(first, `a sample 01-*.rnnb in ${e2eEnv.workspace}`);
    await openNotebook(page, first);

    // The second code cell's editor: click into it, go to its end, start a new line and type.
    const cellEditor = page.locator(".notebook-editor .code-cell-row .monaco-editor").nth(1);
    await cellEditor.scrollIntoViewIfNeeded();
    await cellEditor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("simple.", { delay: 60 });
    step("typed `simple.`");

    const widget = page.locator(".editor-widget.suggest-widget.visible").first();
    await widget.waitFor({ state: "visible", timeout: 60_000 });
    const row = widget.locator(".monaco-list-row", { hasText: "summary" }).first();
    await row.waitFor({ state: "visible", timeout: 60_000 }).catch(async () => {
      // A large list may need the word typed to scroll "summary" into view.
      await page.keyboard.type("su", { delay: 60 });
      await row.waitFor({ state: "visible", timeout: 30_000 });
    });
    const labels = await widget.locator(".monaco-list-row .label-name").allTextContents();
    step(`completion list: ${labels.join(", ")}`);
    assert.ok(labels.some((l) => l.startsWith("summary")), `summary in ${labels.join(", ")}`);
    await page.waitForTimeout(800); // let the details pane (signature + doc comment) render
    await screenshot(page, "completion-list", { readme: true });
    await page.keyboard.press("Escape");
  });
});
