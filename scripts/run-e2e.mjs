#!/usr/bin/env node
// Browser E2E tests against the PACKAGED extension in a real VS Code:
//   1. npm run package -> rnn-notebook.vsix (checked: < 20 MB, no platform-specific binary)
//   2. code-server --install-extension rnn-notebook.vsix into a fresh extensions dir
//   3. code-server WITHOUT the test payload (what a user runs), a copy of media/samples as the folder
//   4. Mocha runs out/test/e2e/**/*.test.js (bundled from test/e2e/**/*.test.ts); the tests drive
//      headless Debian Chromium through playwright-core (helpers in test/e2e/lib/workbench.ts)
//
//   node scripts/run-e2e.mjs [--grep TEXT] [--dev] [--web]
//     --dev  skip packaging: load the extension from the working tree (URL payload), for quick iteration
//     --web  the web-only package (npm run package:web: "browser" entry, no "main"), which code-server can run only
//            in its web worker extension host, against test/e2e/web/**/*.test.ts (suite "e2e-web"); the other
//            tests exclude that folder
// env: UPDATE_SCREENSHOTS=1 also refreshes media/screenshots/*.png; RNN_TEST_TIMEOUT_MS hang guard (default 25 min; --web 30 min)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { build } from "./lib/build.mjs";
import { startCodeServer } from "./lib/code-server.mjs";
import { CHROMIUM, repoRoot, say } from "./lib/env.mjs";
import { run, stopAll } from "./lib/proc.mjs";
import { closingLine, writeSummary } from "./lib/report.mjs";
import { checkVsix } from "./lib/vsix.mjs";
import { cleanEnv, ensureVSCode } from "./lib/vscode-install.mjs";

const argv = process.argv.slice(2);
const grepAt = argv.indexOf("--grep");
const grep = grepAt >= 0 ? argv[grepAt + 1] : undefined;
const dev = argv.includes("--dev");
const web = argv.includes("--web");
const suite = web ? "e2e-web" : "e2e";
const timeoutMs = Number(process.env.RNN_TEST_TIMEOUT_MS || (argv.includes("--web") ? 30 : 25) * 60 * 1000);
const resultsDir = join(repoRoot, "test-results", suite);
const outDir = join(repoRoot, "out", "test", suite);
const VSIX = join(repoRoot, web ? "rnn-notebook-web.vsix" : "rnn-notebook.vsix");

function walk(dir, re) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), re) : re.test(e.name) ? [join(dir, e.name)] : []);
}

async function bundleTests() {
  rmSync(outDir, { recursive: true, force: true });
  const webDir = join(repoRoot, "test", "e2e", "web");
  const entryPoints = web ? walk(webDir, /\.test\.ts$/) : walk(join(repoRoot, "test", "e2e"), /\.test\.ts$/).filter((f) => !f.startsWith(webDir));
  if (entryPoints.length === 0) throw new Error("no E2E tests in test/e2e/*.test.ts");
  await esbuild.build({
    entryPoints, outdir: outDir, outbase: join(repoRoot, "test", "e2e"), bundle: true, platform: "node", format: "cjs",
    target: "node20", sourcemap: "inline", external: ["playwright-core", "mocha"], logLevel: "warning",
  });
  return walk(outDir, /\.test\.js$/);
}

async function packageAndInstall(install, extensionsDir) {
  const script = web ? "package:web" : "package";
  say(`packaging: npm run ${script}`);
  const pkg = await run("npm", ["run", script, "--silent"], { cwd: repoRoot, timeoutMs: 10 * 60 * 1000 });
  if (pkg.code !== 0) throw new Error(`npm run ${script} failed (exit ${pkg.code})`);
  const { bytes, entries, problems } = checkVsix(VSIX);
  say(`${VSIX.slice(repoRoot.length + 1)}: ${(bytes / 1048576).toFixed(2)} MB (${bytes} bytes), ${entries.length} files, no native binaries: ${problems.length === 0 ? "yes" : "NO"}`);
  if (problems.length) throw new Error(`the .vsix is not shippable:\n  ${problems.join("\n  ")}`);
  say("installing the .vsix into a fresh extensions dir (code-server --install-extension)");
  const userDir = mkdtempSync(join(tmpdir(), "rnn-notebook-install-"));
  const r = await run(install.codeServerExe, ["--install-extension", VSIX, "--extensions-dir", extensionsDir, "--user-data-dir", userDir, "--force"], {
    env: cleanEnv({ PATH: `${install.node24Bin}:${process.env.PATH}`, EXTENSIONS_GALLERY: "{}" }), timeoutMs: 5 * 60 * 1000,
  });
  rmSync(userDir, { recursive: true, force: true });
  if (r.code !== 0) throw new Error(`code-server --install-extension failed (exit ${r.code})`);
}

async function main() {
  mkdirSync(resultsDir, { recursive: true });
  const install = await ensureVSCode();
  const extensionsDir = mkdtempSync(join(tmpdir(), "rnn-notebook-extensions-"));
  const workspace = mkdtempSync(join(tmpdir(), "rnn-notebook-e2e-workspace-"));
  let server;
  try {
    if (dev) await build();
    else await packageAndInstall(install, extensionsDir);
    const files = await bundleTests();
    cpSync(join(repoRoot, "media", "samples"), workspace, { recursive: true });
    // A kernel outlives its window for a minute — long enough for the reload test, short enough that the
    // windows of earlier tests leave none running for long (stop() ends what is left).
    server = await startCodeServer(install, {
      extensionsDir, payload: dev, logToConsole: !!process.env.VERBOSE,
      settings: { "rnnNotebook.kernel.closedTimeoutMinutes": 1 },
    });
    // beside the workspace copy, not in the shared test-results/ (two runs in one tree must not mix)
    const resultFile = `${workspace}.mocha.json`;
    const mocha = join(repoRoot, "node_modules", "mocha", "bin", "mocha.js");
    const args = [mocha, "--ui", "bdd", "--exit", "--timeout", "300000", "--reporter", join(repoRoot, "scripts", "lib", "mocha-reporter.js"),
      ...(grep ? ["--grep", grep] : []), ...files];
    say(`E2E: ${files.length} test file(s) against ${server.origin}${dev ? " (working tree via payload)" : " (installed .vsix, no payload)"}`);
    const r = await run(process.execPath, args, {
      cwd: repoRoot, timeoutMs,
      env: {
        ...process.env, E2E_ORIGIN: server.origin, E2E_WORKSPACE: workspace, E2E_RESULTS_DIR: resultsDir, E2E_REPO_ROOT: repoRoot,
        CHROMIUM_PATH: CHROMIUM, RNN_MOCHA_RESULT: resultFile,
        ...(dev ? { E2E_PAYLOAD: JSON.stringify([["extensionDevelopmentPath", server.remote(repoRoot)]]) } : {}),
      },
    });
    let counts = { passed: 0, failed: 0 };
    try {
      counts = JSON.parse(readFileSync(resultFile, "utf8"));
    } catch {
      // mocha never reached its end (crash or time-out)
    }
    const count = { name: suite, passed: counts.passed, failed: counts.failed };
    if (r.timedOut) say(`E2E: TIME-OUT after ${timeoutMs / 1000} s (hang guard)`);
    if (r.code !== 0 && count.failed === 0) count.failed = 1;
    if (count.failed > 0 || r.code !== 0) {
      const logs = join(resultsDir, "code-server-logs");
      rmSync(logs, { recursive: true, force: true });
      try {
        cpSync(join(server.dataDir, "user", "logs"), logs, { recursive: true });
        cpSync(server.logFile, join(logs, "code-server.log"));
        say(`VS Code logs: ${logs}`);
      } catch {
        // nothing logged yet
      }
    }
    say(`screenshots in ${resultsDir}`);
    console.log(closingLine(count));
    writeSummary([count]);
    return count.failed === 0 && count.passed > 0 ? 0 : 1;
  } finally {
    await server?.stop();
    rmSync(extensionsDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
    rmSync(`${workspace}.mocha.json`, { force: true });
  }
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (e) => {
    console.error(`[harness] ${e instanceof Error ? e.stack : String(e)}`);
    console.log(`${suite}: 0 passed, 1 failed`);
    await stopAll();
    process.exit(1);
  });
