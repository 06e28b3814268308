// Detached kernels (the extension's) against the real kernel process (dist/kernel.js), in plain Node:
// a client that lets go and a new client with the same key find the same process with its variables;
// a cell running meanwhile continues, and the new client gets its outputs so far and the rest; a
// kernel with no client ends after its idle time and leaves no file; nobody without the secret — and
// no other user — gets a word out of it. The reload test in the real VS Code is in test/e2e.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { KernelClient } from "../../../src/client/kernelClient";
import { kernelDir, processAlive, readRecord } from "../../../src/client/detachedKernel";
import { frame } from "../../../src/kernel/channel";
import { recorder } from "../../support/kernelSink";

const kernelPath = path.resolve(__dirname, "../../../../dist/kernel.js");

function waitFor(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (ok()) return resolve();
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe("detached kernels", function () {
  this.timeout(60_000);
  let root: string;
  let dir: string;
  const clients: KernelClient[] = [];
  let n = 0;
  const client = (key: string, idleMs = 60_000) => {
    const c = new KernelClient({ kernelPath, cwd: os.tmpdir(), maxOldSpaceSizeMb: 256, graceMs: 500, detached: { key, idleMs, dir } });
    clients.push(c);
    return c;
  };

  before(() => {
    // A short root: a Unix socket path has at most 107 bytes.
    root = mkdtempSync(path.join(os.tmpdir(), "rk-"));
    dir = kernelDir(root);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.dispose();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("keeps its files private: folder 0700, socket and record 0600", async () => {
    const key = `file:///nb${++n}.rnnb`;
    const c = client(key);
    await c.execute("1", 1, "cell1.ts", recorder());
    const record = readRecord(dir, key)!;
    assert.ok(record, "a record for the key");
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(record.socket).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(dir, readdirSync(dir).find((f) => f.endsWith(".json"))!)).mode & 0o777, 0o600);
  });

  it("a second client with the same key attaches to the same process, variables intact", async () => {
    const key = `file:///nb${++n}.rnnb`;
    const first = client(key);
    assert.equal(await first.execute("const kept = 6 * 7;", 1, "cell1.ts", recorder()), "ok");
    const pid = first.pid!;
    first.release();
    assert.ok(processAlive(pid), "releasing does not end the kernel");
    const second = client(key);
    assert.equal(await second.attach(), true);
    assert.equal(second.pid, pid, "the same process");
    const sink = recorder();
    assert.equal(await second.execute("kept", 2, "cell2.ts", sink), "ok");
    assert.deepEqual(sink.log, ["result:42"]); // 6 · 7, set by the first client
  });

  it("a cell running while the client goes on, and its outputs so far, reach the next client", async () => {
    const key = `file:///nb${++n}.rnnb`;
    const first = client(key);
    const sink1 = recorder();
    const running = first.execute(
      "console.log('before'); await new Promise((r) => setTimeout(r, 1500)); console.log('after'); const done = 'yes'; done",
      3, "cell3.ts", sink1);
    await waitFor("the first line", () => sink1.text().includes("before"));
    first.release();
    assert.equal(await running, "released", "the released client stops waiting (the cell runs on in the kernel)");
    const second = client(key);
    assert.equal(await second.attach(), true);
    assert.equal(second.orphanCell, 3, "the kernel says cell 3 is running");
    const sink2 = recorder();
    assert.equal(await second.adopt(sink2), "ok");
    assert.deepEqual(sink2.log, ["stdout:before\n", "stdout:after\n", "result:'yes'"]);
  });

  it("a cell that ended while no client was attached is handed to the next one, with its end", async () => {
    const key = `file:///nb${++n}.rnnb`;
    const first = client(key);
    const sink1 = recorder();
    const running = first.execute("console.log('start'); await new Promise((r) => setTimeout(r, 300)); 'finished alone'", 2, "cell2.ts", sink1);
    await waitFor("the cell to start", () => sink1.text().includes("start"));
    first.release();
    await running;
    await new Promise((r) => setTimeout(r, 1000)); // the cell ends (after 300 ms) with nobody attached
    const second = client(key);
    assert.equal(await second.attach(), true);
    assert.equal(second.orphanCell, 2);
    const sink2 = recorder();
    assert.equal(await second.adopt(sink2), "ok");
    assert.deepEqual(sink2.log, ["stdout:start\n", "result:'finished alone'"]);
    const third = recorder();
    assert.equal(await second.execute("1 + 1", 3, "cell3.ts", third), "ok", "the kernel takes cells after that");
  });

  it("ends after its idle time with no client, and removes its files", async () => {
    const key = `file:///nb${++n}.rnnb`;
    const c = client(key, 500);
    await c.execute("1", 1, "cell1.ts", recorder());
    const pid = c.pid!;
    const record = readRecord(dir, key)!;
    c.release();
    await waitFor(`kernel ${pid} to end`, () => !processAlive(pid));
    await waitFor("its files to go", () => !readRecord(dir, key));
    for (const f of [record.socket, record.log]) assert.throws(() => statSync(f), /ENOENT/, f);
    const later = client(key, 500);
    assert.equal(await later.attach(), false, "nothing to attach to");
  });

  it("Stop works after attaching, and restart ends the old process", async () => {
    const key = `file:///nb${++n}.rnnb`;
    const first = client(key);
    const sink1 = recorder();
    void first.execute("const w = [1]; console.log('looping'); while (!rnn.signal.aborted) await new Promise((r) => setTimeout(r, 10)); 'stopped'", 1, "cell1.ts", sink1);
    await waitFor("the cell to run", () => sink1.text().includes("looping"));
    const pid = first.pid!;
    first.release();
    const second = client(key);
    await second.attach();
    const sink2 = recorder();
    const adopted = second.adopt(sink2)!;
    second.interrupt();
    assert.equal(await adopted, "stopped");
    const s = recorder();
    await second.execute("w.length", 2, "cell2.ts", s);
    assert.deepEqual(s.log, ["result:1"], "the variable of the interrupted cell is kept");
    await second.restart();
    assert.notEqual(second.pid, pid, "a fresh process");
    await waitFor(`old kernel ${pid} to end`, () => !processAlive(pid));
  });

  it("a connection without the secret gets nothing and is dropped; the kernel lives on", async () => {
    const key = `file:///nb${++n}.rnnb`;
    const c = client(key);
    await c.execute("1", 1, "cell1.ts", recorder());
    const { socket } = readRecord(dir, key)!;
    const received = await new Promise<{ bytes: number; closed: boolean }>((resolve) => {
      const s = connect(socket);
      let bytes = 0;
      s.on("connect", () => s.write(frame({ type: "hello", secret: "0".repeat(64) })));
      s.on("data", (d: Buffer) => (bytes += d.length));
      s.on("close", () => resolve({ bytes, closed: true }));
      s.on("error", () => undefined);
    });
    assert.deepEqual(received, { bytes: 0, closed: true });
    const sink = recorder();
    assert.equal(await c.execute("2 + 2", 2, "cell2.ts", sink), "ok");
    assert.deepEqual(sink.log, ["result:4"]);
  });

  it("another user cannot even connect to the socket", async function () {
    if (process.getuid?.() !== 0) {
      // Switching to another uid needs root; the folder's 0700 mode is checked in the first test.
      this.skip();
    }
    const key = `file:///nb${++n}.rnnb`;
    const c = client(key);
    await c.execute("1", 1, "cell1.ts", recorder());
    const { socket } = readRecord(dir, key)!;
    // uid 65534 is "nobody" on Debian; it tries to connect as another local user would.
    const r = spawnSync(process.execPath, ["-e", `
      const s = require("node:net").connect(${JSON.stringify(socket)});
      s.on("connect", () => { console.log("connected"); process.exit(0); });
      s.on("error", (e) => { console.log(e.code); process.exit(0); });`], { uid: 65534, gid: 65534, encoding: "utf8" });
    assert.match(r.stdout.trim(), /^(EACCES|ENOENT)$/, `as uid 65534: ${r.stdout} ${r.stderr}`);
  });
});
