// The headless runner executes every notebook in media/samples/ (the Korean
// translations in media/samples/ko too) without error. Each sample runs once through
// `node cli.js run <sample>` (no --out: the samples are never modified) in its own folder.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildKernel, KERNEL_DIST, REPO } from "./harness";

const SAMPLES = path.join(REPO, "media/samples");
const notebooks = [SAMPLES, path.join(SAMPLES, "ko")]
  .filter((d) => fs.existsSync(d))
  .flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith(".rnnb")).sort().map((f) => path.join(d, f)));

function run(file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // --timeout 120: a hang guard per cell, far above any sample cell's time on a loaded 2-core machine.
    const child = spawn(process.execPath, [path.join(KERNEL_DIST, "cli.js"), "run", file, "--timeout", "120"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("sample notebooks run clean in the headless runner", function () {
  this.timeout(300_000);
  before(buildKernel);

  it("finds the five lessons, in English and in Korean", () => {
    // five sample lessons, each with a Korean version beside it (media/samples/ko)
    const names = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith(".rnnb")).sort();
    assert.equal(names(SAMPLES).length, 5, `samples in ${SAMPLES}`);
    assert.deepEqual(names(path.join(SAMPLES, "ko")), names(SAMPLES));
  });

  for (const file of notebooks) {
    it(path.relative(SAMPLES, file), async () => {
      const r = await run(file);
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      assert.match(r.stderr, /code cells? ran without error/);
    });
  }
});
