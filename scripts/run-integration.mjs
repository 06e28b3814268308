#!/usr/bin/env node
// Integration tests inside the real VS Code extension host (code-server), driven by headless Chromium.
//
// Suites, in order, each in a fresh code-server with a fresh copy of test/workspace/:
//   integration  test/integration/**/*.test.ts except untrusted/   Workspace Trust disabled
//   untrusted    test/integration/untrusted/**/*.test.ts           Workspace Trust on, folder NOT trusted
// The workbench is opened with the URL payload extensionDevelopmentPath=<repo> and
// extensionTestsPath=out/test/integration/index.js (honoured with --vscode-option enable-smoke-test-driver);
// VS Code reports the end through window.codeAutomationExit and forwards the extension host's console
// (Mocha's spec reporter) through window.codeAutomationLog.
//
//   node scripts/run-integration.mjs [--suite integration|untrusted] [--grep TEXT] [--no-build]
// env: RNN_TEST_TIMEOUT_MS (hang guard per suite, default 600000), VERBOSE=1 (browser + VS Code logs),
//      RNN_TEST_GREP (same as --grep; reaches it through `npm test` too)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";
import { launchBrowser } from "./lib/browser.mjs";
import { build } from "./lib/build.mjs";
import { startCodeServer } from "./lib/code-server.mjs";
import { repoRoot, say } from "./lib/env.mjs";
import { stopAll } from "./lib/proc.mjs";
import { closingLine, total, writeSummary } from "./lib/report.mjs";
import { ensureVSCode } from "./lib/vscode-install.mjs";

const argv = process.argv.slice(2);
const argOf = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = argOf("--suite");
const grep = argOf("--grep") ?? process.env.RNN_TEST_GREP;
const verbose = !!process.env.VERBOSE;
const timeoutMs = Number(process.env.RNN_TEST_TIMEOUT_MS || 10 * 60 * 1000);
const outDir = join(repoRoot, "out", "test", "integration");
const resultsDir = join(repoRoot, "test-results");
const runDir = mkdtempSync(join(tmpdir(), "rnn-notebook-integration-"));
process.on("exit", () => rmSync(runDir, { recursive: true, force: true }));

const SUITES = [
  { name: "integration", suite: "main", trust: false },
  { name: "untrusted", suite: "untrusted", trust: true },
];

/** Lines VS Code logs on every start that say nothing about our tests. */
const NOISE = new RegExp([
  "^\\[(AgentHost|ChatModelSelection|AccountPolicyGate|Default Account|McpGallery|reconnection-grace-time|Service Worker)\\b",
  "^(Resolving|Resolved) connection token", "^Creating a socket", "^Updating additional builtin extensions cache",
  "^Started local extension host", "^Started initializing default profile extensions",
].join("|"));

function hasTests(suite) {
  const walk = (d) => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".test.js") ? [join(d, e.name)] : []) : []);
  const files = walk(outDir);
  const inUntrusted = (f) => f.startsWith(join(outDir, "untrusted") + "/");
  return files.some((f) => (suite === "untrusted" ? inUntrusted(f) : !inUntrusted(f)));
}

/** @returns {Promise<import("./lib/report.mjs").SuiteCount>} */
async function runSuite(install, s) {
  const t0 = Date.now();
  // per run, not in the shared test-results/: two runs in one working tree must not read each other's
  const resultFile = join(runDir, `integration-${s.name}.json`);
  const server = await startCodeServer(install, {
    trust: s.trust, payload: true, logToConsole: verbose,
    // A closed test notebook's kernel ends at once (dozens of kernels waiting 10 minutes each would crowd the
    // machine); the tests of the waiting itself set a longer time.
    settings: { "rnnNotebook.kernel.closedTimeoutMinutes": 0 },
    env: { RNN_TEST_SUITE: s.suite, RNN_TEST_RESULT_FILE: resultFile, ...(grep ? { RNN_TEST_GREP: grep } : {}) },
  });
  const workspace = join(server.dataDir, "workspace");
  cpSync(join(repoRoot, "test", "workspace"), workspace, { recursive: true });
  const browser = await launchBrowser();
  const { page } = browser;
  let exitCode;
  try {
    page.on("pageerror", (e) => say(`[page error] ${e.message}`));
    if (verbose) page.on("console", (m) => console.log(`[browser ${m.type()}]`, m.text().slice(0, 2000)));
    const exited = new Promise((resolve) => {
      void page.exposeFunction("codeAutomationLog", (type, args) => {
        const line = format(...(Array.isArray(args) ? args : [args]));
        if (verbose || !NOISE.test(line)) console.log(line);
      });
      void page.exposeFunction("codeAutomationExit", (code) => resolve(code));
    });
    const payload = [
      ["extensionDevelopmentPath", server.remote(repoRoot)],
      ["extensionTestsPath", server.remote(join(outDir, "index.js"))],
    ];
    say(`suite ${s.name}: opening VS Code on ${workspace}${s.trust ? " (untrusted)" : ""}`);
    await page.goto(server.url(workspace, payload));
    let timer;
    exitCode = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)))]);
    clearTimeout(timer);
    if (exitCode !== 0) {
      mkdirSync(resultsDir, { recursive: true });
      const shot = join(resultsDir, `integration-${s.name}-${exitCode === "timeout" ? "timeout" : "failure"}.png`);
      await page.screenshot({ path: shot }).catch(() => {});
      const logs = join(resultsDir, `integration-${s.name}-logs`);
      rmSync(logs, { recursive: true, force: true });
      try {
        cpSync(join(server.dataDir, "user", "logs"), logs, { recursive: true, force: true });
        cpSync(server.logFile, join(logs, "code-server.log"));
      } catch {
        // no logs written yet
      }
      say(`screenshot of the workbench: ${shot}; VS Code logs (extension host, code-server): ${logs}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  let result;
  try {
    result = JSON.parse(readFileSync(resultFile, "utf8"));
  } catch {
    result = undefined;
  }
  const count = { name: s.name, passed: result?.passed.length ?? 0, failed: result?.failed.length ?? 0, seconds: (Date.now() - t0) / 1000 };
  if (exitCode === "timeout") {
    say(`suite ${s.name}: TIME-OUT after ${timeoutMs / 1000} s (hang guard)`);
    count.failed += 1;
    count.note = "time-out";
  } else if (exitCode !== 0 && count.failed === 0) {
    say(`suite ${s.name}: VS Code reported failure (exit ${exitCode}) but no failed test: counting the suite as failed`);
    count.failed += 1;
  }
  for (const f of result?.failed ?? []) say(`FAILED ${f.title}`);
  say(`suite ${s.name} took ${count.seconds.toFixed(1)} s`);
  console.log(closingLine(count));
  return count;
}

async function main() {
  mkdirSync(resultsDir, { recursive: true });
  if (!argv.includes("--no-build")) await build([], { clean: ["out/test/integration"] });
  const install = await ensureVSCode();
  const counts = [];
  for (const s of SUITES) {
    if (only && only !== s.name) continue;
    if (!hasTests(s.suite)) {
      say(`suite ${s.name}: no test files (${s.suite === "untrusted" ? "test/integration/untrusted/" : "test/integration/"}*.test.ts), skipped`);
      continue;
    }
    counts.push(await runSuite(install, s));
  }
  writeSummary(counts);
  const t = total(counts);
  console.log(`${t.passed} passed, ${t.failed} failed`);
  return t.failed === 0 && counts.length > 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (e) => {
    console.error(`[harness] ${e instanceof Error ? e.stack : String(e)}`);
    await stopAll();
    process.exit(1);
  });
