// The web extension's kernel side of `npm run bench`: our engine inside a dedicated Web Worker of headless
// Chromium (the browser the E2E tests drive), as the web kernel (src/kernel/web/worker.ts) runs it — one
// thread, WASM SIMD (and relaxed SIMD where Chromium has it). One workload × one cell per child, like ours.mjs.
// Usage: node scripts/bench/web.mjs '{"cell":"lstm","B":32,"T":20,"I":6,"H":16,"layers":2,"warmup":300,"reps":41}'
// Reports wall-clock ms only: a Worker cannot read its CPU time.
/* global Worker */ // page.evaluate runs its function in the page, where Worker is a global
import * as esbuild from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../lib/env.mjs";

const cfg = JSON.parse(process.argv[2]);
const here = dirname(fileURLToPath(import.meta.url));

const bundle = await esbuild.build({
  entryPoints: [join(here, "webWorker.mjs")], bundle: true, write: false, platform: "browser", format: "iife", target: "es2022",
  minify: true, logLevel: "warning",
});
const script = bundle.outputFiles[0].text;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
try {
  const page = await browser.newPage();
  await page.setContent("<!doctype html><title>bench</title>");
  const result = await page.evaluate(([text, c]) => new Promise((resolve) => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
    const worker = new Worker(url);
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => resolve({ error: e.message });
    worker.postMessage(c);
  }), [script, cfg]);
  if (result.error) throw new Error(result.error);
  process.stdout.write("\n" + JSON.stringify({ system: "web", forwardMs: result.forwardMs, trainMs: result.trainMs, gemm: result.gemm, browser: result.userAgent }) + "\n");
} finally {
  await browser.close();
}
