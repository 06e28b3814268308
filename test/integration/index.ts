/**
 * Mocha runner loaded by the VS Code extension host (`extensionTestsPath`). VS Code calls `run()`;
 * resolving means success, rejecting failure (the harness receives it as codeAutomationExit 0/1).
 *
 * Which tests: RNN_TEST_SUITE=main (default) loads every `*.test.js` here except under `untrusted/`;
 * RNN_TEST_SUITE=untrusted loads `untrusted/**\/*.test.js` (run by the harness with Workspace Trust on and
 * the folder not trusted). RNN_TEST_GREP filters by title. The result (passed/failed titles, errors) is
 * written as JSON to RNN_TEST_RESULT_FILE when set — the extension host inherits code-server's
 * environment, so scripts/run-integration.mjs and scripts/run-electron.mjs pass it that way.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

export interface SuiteResult {
  suite: string;
  passed: string[];
  failed: { title: string; error: string }[];
  pending: string[];
  durationMs: number;
  vscodeVersion?: string;
}

function testFiles(dir: string, suite: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.name.endsWith(".test.js")) out.push(r);
    }
  };
  walk(dir, "");
  const inUntrusted = (r: string): boolean => r.startsWith("untrusted/");
  return out.filter((r) => (suite === "untrusted" ? inUntrusted(r) : !inUntrusted(r))).sort().map((r) => path.join(dir, r));
}

export function run(): Promise<void> {
  const suite = process.env.RNN_TEST_SUITE || "main";
  const resultFile = process.env.RNN_TEST_RESULT_FILE;
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 60_000, reporter: "spec", grep: process.env.RNN_TEST_GREP || undefined });
  const files = testFiles(__dirname, suite);
  for (const f of files) mocha.addFile(f);
  const result: SuiteResult = { suite, passed: [], failed: [], pending: [], durationMs: 0 };
  const t0 = Date.now();
  const write = (): void => {
    result.durationMs = Date.now() - t0;
    if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  };
  console.log(`[integration] suite "${suite}": ${files.length} test file(s) in ${__dirname}`);
  return new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        write();
        console.log(`${result.passed.length} passed, ${result.failed.length} failed`);
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
      runner.on("pass", (t) => result.passed.push(t.fullTitle()));
      runner.on("fail", (t, err: unknown) => result.failed.push({ title: t.fullTitle(), error: String((err as Error)?.stack ?? err) }));
      runner.on("pending", (t) => result.pending.push(t.fullTitle()));
    } catch (e) {
      // a test file that does not load is a failure, not a hang
      result.failed.push({ title: "loading test files", error: String((e as Error)?.stack ?? e) });
      write();
      reject(e);
    }
  });
}
