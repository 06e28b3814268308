// scripts/lib/samples.mjs: what `npm start` opens is a copy of the samples, never media/samples itself
// (VS Code auto-saves a notebook after its cells ran).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const REPO = path.resolve(__dirname, "../../../..");

interface SamplesModule {
  trackedSamples: string;
  copySamples(options: { fresh?: boolean; dest?: string; from?: string }): string;
}

describe("npm start's sample copy (scripts/lib/samples.mjs)", () => {
  let mod: SamplesModule;
  let dir: string;
  before(async () => {
    // A plain ES module of the build scripts, loaded as `npm start` loads it (not bundled).
    mod = (await import(pathToFileURL(path.join(REPO, "scripts/lib/samples.mjs")).href)) as SamplesModule;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-start-samples-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("copies every tracked sample, Korean ones included, into the per-user cache by default", () => {
    const cache = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(dir, "cache");
    let dest: string;
    try {
      dest = mod.copySamples({});
    } finally {
      if (cache === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = cache;
    }
    assert.equal(dest, path.join(dir, "cache", "rnn-notebook", "start-samples"));
    assert.notEqual(path.resolve(dest), path.resolve(mod.trackedSamples));
    assert.ok(!path.resolve(dest).startsWith(path.resolve(REPO) + path.sep), "the copy is not in the clone");
    const list = (d: string) => fs.readdirSync(d, { recursive: true }).map(String).filter((f) => f.endsWith(".rnnb")).sort();
    assert.deepEqual(list(dest), list(mod.trackedSamples));
    assert.ok(list(dest).some((f) => f.startsWith("ko" + path.sep)));
  });

  it("keeps a copy the user changed, and replaces it only when asked for fresh samples", () => {
    const from = path.join(dir, "tracked");
    fs.mkdirSync(from);
    fs.writeFileSync(path.join(from, "a.rnnb"), "tracked");
    const dest = path.join(dir, "kept");
    mod.copySamples({ from, dest });
    fs.writeFileSync(path.join(dest, "a.rnnb"), "ran, with outputs");
    mod.copySamples({ from, dest });
    assert.equal(fs.readFileSync(path.join(dest, "a.rnnb"), "utf8"), "ran, with outputs");
    assert.equal(fs.readFileSync(path.join(from, "a.rnnb"), "utf8"), "tracked", "the tracked file is never written");
    mod.copySamples({ from, dest, fresh: true });
    assert.equal(fs.readFileSync(path.join(dest, "a.rnnb"), "utf8"), "tracked");
  });
});
