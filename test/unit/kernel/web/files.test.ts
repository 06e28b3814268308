// The browser Worker kernel's files (src/kernel/web/files.ts) in plain Node, with an in-memory map of
// URI → bytes standing in for the client's vscode.workspace.fs (the real one is the web extension E2E's).
// Expected URIs follow RFC 3986 §5.2 (relative resolution, dot segments removed) with each segment
// percent-encoded as encodeURIComponent does.
import * as assert from "node:assert/strict";
import { WebFiles, type FileAnswer, type FileRequester } from "../../../../src/kernel/web/files";

const FOLDER = "file:///home/me/proj";

/** A file service over `files`; records each request's op and URI. */
function service(files: Map<string, Uint8Array>, log: string[], failing = new Set<string>()): FileRequester {
  return async ({ op, uri, content }): Promise<FileAnswer> => {
    log.push(`${op} ${uri}`);
    if (op === "write") {
      if (failing.has(uri)) throw new Error("read-only file system");
      files.set(uri, content!);
      return {};
    }
    if (op === "read") {
      const c = files.get(uri);
      if (!c) throw new Error("no such file");
      return { content: c };
    }
    if (files.has(uri)) return { kind: "file" };
    const below = [...files.keys()].filter((k) => k.startsWith(uri + "/")).map((k) => k.slice(uri.length + 1));
    return below.length ? { kind: "folder", entries: below.filter((k) => !k.includes("/")) } : { kind: "none" };
  };
}

describe("browser Worker files (src/kernel/web/files.ts)", () => {
  it("resolves cells' paths against the notebook's folder URI", () => {
    const f = new WebFiles(FOLDER, service(new Map(), []));
    assert.equal(f.resolve("m.rnnmodel"), `${FOLDER}/m.rnnmodel`);
    assert.equal(f.resolve("./a/../b/./c.csv"), `${FOLDER}/b/c.csv`);
    assert.equal(f.resolve("../shared/x.npy"), "file:///home/me/shared/x.npy");
    assert.equal(f.resolve("/etc/data.csv"), "file:///etc/data.csv");
    assert.equal(f.resolve("data\\my file.csv"), `${FOLDER}/data/my%20file.csv`);
    assert.equal(f.resolve("vscode-remote://host/x.csv"), "vscode-remote://host/x.csv");
    assert.equal(f.join(`${FOLDER}/export`, "model.py"), `${FOLDER}/export/model.py`);
    assert.throws(() => f.resolve(""), /expected a file path/);
    assert.throws(() => new WebFiles("/not/a/uri", service(new Map(), [])), /must be a URI/);
  });

  it("answers reads from what was fetched for the cell: files, a folder's files, missing files", async () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const files = new Map([[`${FOLDER}/a.bin`, bytes], [`${FOLDER}/dir/x.bin`, Uint8Array.of(4)], [`${FOLDER}/dir/sub/y.bin`, Uint8Array.of(5)]]);
    const log: string[] = [];
    const f = new WebFiles(FOLDER, service(files, log));
    await f.prefetch(["a.bin", "dir", "gone.bin"]);
    assert.deepEqual([...f.read(`${FOLDER}/a.bin`)!], [1, 2, 3]);
    assert.equal(f.isFolder(`${FOLDER}/dir`), true);
    assert.deepEqual([...f.read(`${FOLDER}/dir/x.bin`)!], [4], "a folder's files come one level down");
    assert.equal(f.read(`${FOLDER}/gone.bin`), undefined);
    assert.equal(f.isFolder(`${FOLDER}/gone.bin`), false);
    assert.throws(() => f.read(`${FOLDER}/dir/sub/y.bin`), /was not fetched before the cell ran/, "two levels down is not fetched");
    assert.throws(() => f.read(`${FOLDER}/dir`), /is a folder, not a file/);
    // The next cell's fetch starts afresh: what only the earlier cell named is no longer answered.
    await f.prefetch([]);
    assert.throws(() => f.read(`${FOLDER}/a.bin`), /a\.bin was not fetched before the cell ran/);
    assert.equal(log.filter((l) => l.startsWith("stat")).length, 3);
  });

  it("writes go through at once, read back before they are acknowledged, and a failed one is reported", async () => {
    const files = new Map<string, Uint8Array>();
    const log: string[] = [];
    const f = new WebFiles(FOLDER, service(files, log, new Set([`${FOLDER}/ro/x.txt`])));
    f.write(`${FOLDER}/out/m.rnnmodel`, Uint8Array.of(9, 8));
    f.write(`${FOLDER}/out/note.txt`, "hé");
    assert.deepEqual([...f.read(`${FOLDER}/out/note.txt`)!], [0x68, 0xc3, 0xa9], "UTF-8 of the string, before the answer");
    assert.equal(f.isFolder(`${FOLDER}/out`), true);
    assert.deepEqual(log, [`write ${FOLDER}/out/m.rnnmodel`, `write ${FOLDER}/out/note.txt`], "sent at once, in order");
    assert.equal(await f.settleWrites(), undefined);
    assert.deepEqual([...files.get(`${FOLDER}/out/m.rnnmodel`)!], [9, 8]);
    f.write(`${FOLDER}/ro/x.txt`, "x");
    assert.equal(await f.settleWrites(), `${FOLDER}/ro/x.txt could not be written: read-only file system`);
    assert.throws(() => f.read(`${FOLDER}/ro/x.txt`), /was not fetched/, "a failed write leaves no content behind");
  });
});
