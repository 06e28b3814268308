#!/usr/bin/env node
// The same integration suites through @vscode/test-electron, for machines that can download VS Code
// desktop (these offline machines cannot: use `npm run test:integration`, which runs them in code-server).
// Not part of `npm test`. On a Linux box without a display, run it under xvfb-run.
//   node scripts/run-electron.mjs [--suite integration|untrusted] [--vscode-version 1.139.1]
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTests } from "@vscode/test-electron";
import { build } from "./lib/build.mjs";
import { VSCODE_VERSION, repoRoot, say } from "./lib/env.mjs";
import { closingLine, total, writeSummary } from "./lib/report.mjs";

const argv = process.argv.slice(2);
const argOf = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = argOf("--suite");
const version = argOf("--vscode-version") ?? VSCODE_VERSION;
const resultsDir = join(repoRoot, "test-results");

const SUITES = [
  { name: "integration", suite: "main", trust: false },
  { name: "untrusted", suite: "untrusted", trust: true },
];

async function main() {
  mkdirSync(resultsDir, { recursive: true });
  await build([], { clean: ["out/test/integration"] });
  const counts = [];
  for (const s of SUITES) {
    if (only && only !== s.name) continue;
    const work = mkdtempSync(join(tmpdir(), "rnn-notebook-electron-"));
    const workspace = join(work, "workspace");
    cpSync(join(repoRoot, "test", "workspace"), workspace, { recursive: true });
    // an untrusted folder stays untrusted without a modal prompt
    mkdirSync(join(work, "user", "User"), { recursive: true });
    writeFileSync(join(work, "user", "User", "settings.json"), JSON.stringify({ "security.workspace.trust.startupPrompt": "never" }));
    const resultFile = join(resultsDir, `electron-${s.name}.json`);
    rmSync(resultFile, { force: true });
    say(`suite ${s.name}: VS Code ${version} desktop via @vscode/test-electron`);
    let code = 0;
    try {
      code = await runTests({
        version,
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: join(repoRoot, "out", "test", "integration", "index.js"),
        extensionTestsEnv: { RNN_TEST_SUITE: s.suite, RNN_TEST_RESULT_FILE: resultFile },
        launchArgs: [workspace, "--disable-extensions", "--user-data-dir", join(work, "user"), ...(s.trust ? [] : ["--disable-workspace-trust"])],
      });
    } catch (e) {
      say(`suite ${s.name} did not run: ${e instanceof Error ? e.message : String(e)}`);
      code = 1;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    let r;
    try {
      r = JSON.parse(readFileSync(resultFile, "utf8"));
    } catch {
      r = undefined;
    }
    const count = { name: s.name, passed: r?.passed.length ?? 0, failed: r?.failed.length ?? 0 };
    if (code !== 0 && count.failed === 0) count.failed = 1;
    console.log(closingLine(count));
    counts.push(count);
  }
  writeSummary(counts);
  const t = total(counts);
  console.log(`${t.passed} passed, ${t.failed} failed`);
  return t.failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
