// writeAtomic (src/kernel/files.ts): the target is replaced whole or not at all.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeAtomic } from "../../../src/kernel/files";

describe("writeAtomic", () => {
  let dir = "";
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-files-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("replaces the file, creating missing folders, and leaves no temporary file", () => {
    const file = path.join(dir, "a", "b", "model.bin");
    writeAtomic(file, new Uint8Array([1, 2, 3]));
    writeAtomic(file, "second");
    assert.equal(fs.readFileSync(file, "utf8"), "second");
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["model.bin"]);
  });

  it("keeps the old file intact when the write fails, and cleans up", () => {
    const file = path.join(dir, "keep.txt");
    writeAtomic(file, "precious");
    // A folder where the file should go makes the final rename fail (EISDIR / ENOTEMPTY).
    const blocked = path.join(dir, "blocked");
    fs.mkdirSync(path.join(blocked, "inside"), { recursive: true });
    assert.throws(() => writeAtomic(blocked, "new"));
    assert.equal(fs.readFileSync(file, "utf8"), "precious");
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
  });
});
