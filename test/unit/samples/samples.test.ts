// Every sample notebook (English and Korean) runs clean with the headless runner — the same kernel
// the editor uses (issue 4 acceptance 3, issue 5 acceptance 4). Bounded by the notebooks' own work;
// the time-out is only a guard against hangs.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "../../../..");
const cli = path.join(root, "dist", "cli.js");
const dirs = [path.join(root, "media", "samples"), path.join(root, "media", "samples", "ko")];

function run(file: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, "run", path.basename(file), "--timeout", "240"], { cwd: path.dirname(file), maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });
}

describe("sample notebooks run clean headless", function () {
  this.timeout(600_000);
  const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".rnnb")).sort().map((f) => path.join(d, f)));

  it("has the five lessons in English and in Korean", () => {
    const names = (d: string) => readdirSync(d).filter((f) => f.endsWith(".rnnb")).sort();
    assert.equal(names(dirs[0]).length, 5);
    assert.deepEqual(names(dirs[1]), names(dirs[0]));
  });

  for (const file of files) {
    it(path.relative(path.join(root, "media", "samples"), file), async () => {
      const { code, out } = await run(file);
      assert.equal(code, 0, out.slice(-3000));
      assert.match(out, /code cells ran without error/);
    });
  }
});
