/**
 * IntelliSense in cells in the browser: in the first sample notebook, typing
 * `simple.` in a later cell — `simple` is the model declared in the first code cell — opens the
 * completion list with the model's members, from the engine's generated types. Screenshots:
 * test-results/e2e/completion-list.png (the list) and completion-list-summary.png (narrowed to `summary`).
 * Then, on a layer call, both hovers at once: the type info with the engine's
 * doc comment and the parameter count — hover-type-info-and-params.png.
 */
import * as assert from "node:assert/strict";
import { completionAfter, firstSampleName, hoverOnLstm } from "./lib/intellisense";
import { openNotebook, screenshot, useWorkbench } from "./lib/workbench";

describe("completion in a notebook cell", function () {
  this.timeout(300_000);
  const wb = useWorkbench();

  it("lists an earlier cell's model members after typing `simple.`", async () => {
    const { page } = wb();
    await openNotebook(page, firstSampleName());
    // The list is alphabetical; the model's first members (countParams, evaluate, fit, …) show at once.
    const labels = await completionAfter(page, "simple.", "fit");
    for (const member of ["countParams", "fit"]) assert.ok(labels.some((l) => l.startsWith(member)), `${member} in ${labels.join(", ")}`);
    await page.waitForTimeout(800); // let the details (signature + doc comment) render
    await screenshot(page, "completion-list", { readme: true });
    // Narrowed to `summary`, with its signature: the member the notebook's first cell calls.
    const widget = page.locator(".editor-widget.suggest-widget.visible").first();
    await page.keyboard.type("summ", { delay: 60 });
    await widget.locator(".monaco-list-row", { hasText: "summary" }).first().waitFor({ state: "visible", timeout: 30_000 });
    await page.waitForTimeout(500);
    await screenshot(page, "completion-list-summary");
    await page.keyboard.press("Escape");
  });

  it("shows the type-info hover and the parameter-count hover together on a layer call", async () => {
    const { page } = wb();
    const text = await hoverOnLstm(page, "hover-type-info-and-params");
    assert.match(text, /1,152/, "the parameter count of LSTM(16) on 1 feature: 4·(16·(1+16)+16) = 1,152");
  });
});
