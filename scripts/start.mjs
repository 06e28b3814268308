#!/usr/bin/env node
// `npm start`: build, make sure the real VS Code is installed, start it on 127.0.0.1 with THIS extension
// loaded from the working tree and a copy of media/samples open (lib/samples.mjs: auto-save must never
// write outputs into the tracked samples), print the URL. Ctrl-C stops it and everything it started
// (code-server, its extension hosts, kernel processes, the watcher).
//   node scripts/start.mjs [--watch] [--smoke] [--fresh-samples]
//     --watch          also rebuild on change (esbuild watch); reload the browser tab to pick changes up
//     --smoke          open the URL in headless Chromium, check that the first sample opens as a notebook
//                      with the RNN Notebook kernel selected, save test-results/start-smoke.png, then stop
//     --fresh-samples  replace the copy of the samples (kept between starts) with the tracked ones
// env: RNN_NOTEBOOK_PORT (default: first free port in 8765–8779)
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "./lib/build.mjs";
import { startCodeServer } from "./lib/code-server.mjs";
import { repoRoot, say } from "./lib/env.mjs";
import { isStopping, spawnGroup, stopAll } from "./lib/proc.mjs";
import { copySamples, trackedSamples } from "./lib/samples.mjs";
import { ensureVSCode } from "./lib/vscode-install.mjs";

const watch = process.argv.includes("--watch");
const smoke = process.argv.includes("--smoke");
const freshSamples = process.argv.includes("--fresh-samples");

/** Headless check of what a user sees at the URL (acceptance: samples open as notebooks, our kernel selected). */
async function smokeCheck(url) {
  const { launchBrowser } = await import("./lib/browser.mjs");
  const { page, close } = await launchBrowser();
  try {
    await page.goto(url);
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    const first = readdirSync(trackedSamples).filter((f) => f.endsWith(".rnnb")).sort()[0];
    // the notebook type is known once the extension host has scanned us; until then the file opens as JSON
    const deadline = Date.now() + 90000;
    for (;;) {
      await page.keyboard.press("Control+P");
      await page.waitForSelector(".quick-input-widget input", { state: "visible" });
      await page.keyboard.type(first);
      await page.locator(".quick-input-list .monaco-list-row", { hasText: first }).first().waitFor({ state: "visible", timeout: 30000 });
      await page.keyboard.press("Enter");
      const isNotebook = await page.locator(".notebook-editor").first().waitFor({ state: "visible", timeout: 5000 }).then(() => true, () => false);
      if (isNotebook) break;
      if (Date.now() > deadline) throw new Error(`${first} never opened as a notebook`);
      await page.keyboard.press("Control+W");
      await page.waitForTimeout(1000);
    }
    await page.waitForFunction('document.querySelector(".notebook-editor .kernel-action-view-item")?.textContent?.includes("RNN Notebook")',
      undefined, { timeout: 30000 });
    const kernel = (await page.locator(".notebook-editor .kernel-action-view-item").first().textContent())?.trim();
    mkdirSync(join(repoRoot, "test-results"), { recursive: true });
    await page.screenshot({ path: join(repoRoot, "test-results", "start-smoke.png") });
    say(`smoke check passed: ${first} opened as a notebook, kernel "${kernel}" selected (test-results/start-smoke.png)`);
    return true;
  } catch (e) {
    await page.screenshot({ path: join(repoRoot, "test-results", "start-smoke-failure.png") }).catch(() => {});
    say(`smoke check FAILED: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  } finally {
    await close();
  }
}

async function main() {
  await build();
  const install = await ensureVSCode({ browser: smoke });
  if (watch) spawnGroup(process.execPath, ["esbuild.config.mjs", "--watch"], { cwd: repoRoot });
  // Workspace Trust off: this is your own clone. The payload loads the extension from the working tree
  // (honoured by the built workbench only with enable-smoke-test-driver).
  const server = await startCodeServer(install, { payload: true, sharedKernels: true });
  process.on("exit", () => rmSync(server.dataDir, { recursive: true, force: true }));
  const samples = copySamples({ fresh: freshSamples });
  const url = server.url(samples, [["extensionDevelopmentPath", server.remote(repoRoot)]]);
  if (smoke) {
    const ok = await smokeCheck(url);
    await server.stop();
    return ok ? 0 : 1;
  }
  console.log(`\n  RNN Notebooks is running in VS Code ${install.dir.replace(/.*vscode-/, "")} (code-server):\n\n    ${url}\n`);
  console.log(`  Open that URL in a browser (it loads this extension from ${repoRoot}).`);
  console.log(`  Samples: a copy in ${samples} (media/samples is never written; --fresh-samples recopies it).`);
  console.log(`  Logs: ${server.logFile}${watch ? "\n  Rebuilding on change: reload the tab to pick changes up." : ""}`);
  console.log("  Press Ctrl-C to stop.\n");
  // stay up until Ctrl-C (handled in lib/proc.mjs) or until code-server itself ends
  const code = await server.exited;
  if (isStopping()) return new Promise(() => {}); // Ctrl-C: lib/proc.mjs finishes the exit
  say(`code-server ended (exit ${code}); see ${server.logFile}`);
  return 1;
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (e) => {
    console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
    await stopAll();
    process.exit(1);
  });
