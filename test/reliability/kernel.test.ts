// Kernel faults, through the extension's own KernelClient against the real kernel process
// (dist/kernel.js, built by `npm run test:reliability` / `npm test`), in plain Node:
// - interrupt/restart cycles leave exactly one live kernel process and no memory growth beyond a
//   stated bound (5 cycles in the fast part, 50 with RNN_STRESS=1);
// - a cell that exhausts the kernel's heap limit kills only the kernel, and says so;
// - process.exit() / throw / a rejected promise in a timer after the cell ended is reported, not lost;
// - the kernel is a process of its own (pid ≠ this process's pid).
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { KernelClient } from "../../src/client/kernelClient";
import { recorder } from "../support/kernelSink";
import { alive } from "../support/process";

const kernelPath = path.resolve(__dirname, "../../../dist/kernel.js");
const STRESS = process.env.RNN_STRESS === "1";
/** "50 interrupt/restart cycles in a row"; the fast part runs a short version. */
const CYCLES = STRESS ? 50 : 5;
/** Stated bound: this process's heap after a full GC may grow by at most this much over all cycles
 * (a leaked ChildProcess with its pipes and listeners per cycle would exceed it within a few cycles). */
const CLIENT_HEAP_GROWTH_BOUND_MB = 8;
/** Stated bound: the kernel's own heap after a full GC, over repeated interrupts in one process. */
const KERNEL_HEAP_GROWTH_BOUND_MB = 16;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live (non-zombie) kernel processes whose parent is this one — the kernels this test forked and left. */
function liveKernels(): number[] {
  if (os.platform() !== "linux") return [];
  const mine: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, "utf8");
      if (new RegExp(`^PPid:\\s+${process.pid}$`, "m").test(status) && !/^State:\s+Z/m.test(status) &&
        readFileSync(`/proc/${name}/cmdline`, "utf8").includes("kernel.js")) mine.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return mine;
}

/** A full GC of this process (the flag can be turned on at run time; `gc` then exists in new contexts). */
function fullGc(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

const MB = 1024 * 1024;

/** A cell that trains for a long time, yielding once per batch, so an interrupt stops it. */
const LONG_FIT = `
const model = rnn.sequential({ inputShape: [8, 1] }, [rnn.lstm({ units: 8 }), rnn.dense({ units: 1 })]);
const { x, y } = rnn.datasets.sine({ samples: 64, timesteps: 8, seed: 1 });
const history = await model.fit(x, y, { epochs: 100000, batchSize: 8, loss: "mse", optimizer: rnn.adam({ lr: 1e-3 }), seed: 1 });
history.interrupted`;

describe(`kernel faults (KernelClient + real kernel; ${CYCLES} interrupt/restart cycles${STRESS ? ", stress" : ""})`, function () {
  this.timeout(STRESS ? 900_000 : 180_000);
  let client: KernelClient | undefined;
  afterEach(() => {
    client?.dispose();
    client = undefined;
  });

  function newClient(maxOldSpaceSizeMb = 512): KernelClient {
    client = new KernelClient({ kernelPath, cwd: os.tmpdir(), maxOldSpaceSizeMb, graceMs: 3000 });
    return client;
  }

  it("runs the kernel in a process of its own", async () => {
    const c = newClient();
    const sink = recorder();
    assert.equal(await c.execute("process.pid", 1, "cell1.ts", sink), "ok");
    const pid = c.pid!;
    assert.ok(pid > 0 && pid !== process.pid, `kernel pid ${pid} ≠ this process ${process.pid}`);
    assert.deepEqual(sink.log, [`result:${pid}`], "the cell itself sees the kernel's pid");
  });

  it(`${CYCLES} interrupt/restart cycles leave exactly one live kernel and no memory growth beyond the stated bounds`, async () => {
    const c = newClient();
    const seen: number[] = [];
    let heap0 = 0;
    const t0 = Date.now();
    for (let i = 1; i <= CYCLES; i++) {
      const sink = recorder();
      await c.start(); // (an interrupt while the process starts means "do not run": tested below)
      const running = c.execute(LONG_FIT, 1, "cell1.ts", sink);
      // Interrupt once the fit is under way: its first batch has run when the cell is past 150 ms.
      await sleep(150);
      c.interrupt();
      const status = await running;
      assert.equal(status, "stopped", `cycle ${i}: ${sink.text()}`);
      assert.match(sink.text(), /result:true/, `cycle ${i}: fit resolved with history.interrupted = true`);
      // State survives the interrupt …
      const after = recorder();
      assert.equal(await c.execute("model.countParams()", 2, "cell2.ts", after), "ok");
      assert.match(after.text(), /result:\d+/);
      const pid = c.pid!;
      seen.push(pid);
      // … and a restart replaces the process.
      await c.restart();
      assert.notEqual(c.pid, pid, `cycle ${i}: restart starts a new process`);
      const deadline = Date.now() + 5000;
      while (alive(pid) && Date.now() < deadline) await sleep(20);
      assert.ok(!alive(pid), `cycle ${i}: the old kernel ${pid} ended`);
      if (i === 1) {
        fullGc();
        heap0 = process.memoryUsage().heapUsed;
      }
    }
    // Exactly one live kernel: every earlier pid is gone, the current one is alive, and this process
    // has no other live kernel child (an earlier test's disposed kernel gets a moment to be reaped).
    assert.deepEqual(seen.filter(alive), []);
    assert.ok(c.pid && alive(c.pid));
    if (os.platform() === "linux") {
      const deadline = Date.now() + 5000;
      while (liveKernels().join() !== String(c.pid) && Date.now() < deadline) await sleep(50);
      assert.deepEqual(liveKernels(), [c.pid], "live kernel processes of this test process");
    }
    fullGc();
    const growthMb = (process.memoryUsage().heapUsed - heap0) / MB;
    console.log(`      ${CYCLES} cycles in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${seen.length} kernels ended, 1 live; ` +
      `client heap growth ${growthMb.toFixed(2)} MB (bound ${CLIENT_HEAP_GROWTH_BOUND_MB} MB)`);
    assert.ok(growthMb < CLIENT_HEAP_GROWTH_BOUND_MB, `client heap grew ${growthMb.toFixed(2)} MB`);
    assert.equal(c.events.listenerCount("background"), 0, "no listener piles up");
  });

  it(`${CYCLES * 2} interrupts in one kernel keep its heap within the stated bound`, async () => {
    const c = newClient();
    // The kernel's heap after a full GC (the cell turns --expose-gc on for itself, like fullGc above).
    const heapCell = `const v8 = await import("node:v8"); const vm = await import("node:vm");
      v8.setFlagsFromString("--expose-gc"); vm.runInNewContext("gc")(); process.memoryUsage().heapUsed`;
    const heap = async () => {
      const sink = recorder();
      assert.equal(await c.execute(heapCell, 9, "heap.ts", sink), "ok", sink.text());
      return Number(/result:(\d+)/.exec(sink.text())?.[1]);
    };
    const pid = (await c.start(), c.pid);
    let h0 = 0;
    for (let i = 1; i <= CYCLES * 2; i++) {
      const running = c.execute(LONG_FIT, 1, "cell1.ts", recorder());
      await sleep(150);
      c.interrupt();
      assert.equal(await running, "stopped", `interrupt ${i}`);
      if (i === 2) h0 = await heap(); // after the first runs warmed up code and caches
    }
    const growthMb = (await heap() - h0) / MB;
    assert.equal(c.pid, pid, "interrupts never replaced the process");
    console.log(`      ${CYCLES * 2} interrupts in one kernel: its heap grew ${growthMb.toFixed(2)} MB (bound ${KERNEL_HEAP_GROWTH_BOUND_MB} MB)`);
    assert.ok(growthMb < KERNEL_HEAP_GROWTH_BOUND_MB, `kernel heap grew ${growthMb.toFixed(2)} MB`);
  });

  it("Stop pressed while the kernel process is still starting is not lost: the cell does not run (regression)", async () => {
    // Bug found by this suite: interrupt() was ignored until the process said "ready", so Stop on the
    // first cell of a session (or the first after a restart or crash) let a long fit run to its end.
    const c = newClient();
    const sink = recorder();
    const running = c.execute("globalThis.ran = true; await new Promise((r) => setTimeout(r, 60_000));", 1, "cell1.ts", sink);
    c.interrupt();
    assert.equal(await running, "interrupted");
    const next = recorder();
    assert.equal(await c.execute("typeof ran", 2, "cell2.ts", next), "ok");
    assert.deepEqual(next.log, ["result:'undefined'"], "the interrupted cell never ran");
  });

  it("a cell that exhausts the kernel's heap limit kills only the kernel, says so, and the next cell runs in a fresh one", async () => {
    // 64 MB: a small --max-old-space-size ("the test uses a small one"); plain arrays of
    // objects live on the V8 heap (typed arrays would not: their bytes are outside it).
    const c = newClient(64);
    await c.execute("const keep = 1;", 1, "cell1.ts", recorder());
    const pid = c.pid!;
    const sink = recorder();
    const t0 = Date.now();
    const status = await c.execute("const hog: object[][] = []; for (;;) hog.push(Array.from({ length: 1e5 }, (_, i) => ({ i })));", 2, "cell2.ts", sink);
    assert.equal(status, "crashed");
    assert.match(sink.text(), /error:KernelDied:The kernel ran out of memory \(heap limit 64 MB/);
    assert.ok(!alive(pid), "the kernel process ended");
    const next = recorder();
    assert.equal(await c.execute("typeof keep", 3, "cell3.ts", next), "ok");
    assert.match(next.text(), /result:'undefined'/, "a fresh kernel: state was lost, as the message says");
    assert.notEqual(c.pid, pid);
    console.log(`      out of memory at 64 MB: reported after ${((Date.now() - t0) / 1000).toFixed(1)} s; this process lives on (pid ${process.pid})`);
  });

  it("an error thrown and a promise rejected in timers after the cell ended are reported as background stderr; the kernel lives on", async () => {
    const c = newClient();
    const background: string[] = [];
    c.events.on("background", (name: string, text: string) => background.push(`${name}:${text}`));
    const sink = recorder();
    assert.equal(await c.execute(`setTimeout(() => { throw new Error("late boom"); }, 100);
      setTimeout(() => { void Promise.reject(new RangeError("late reject")); }, 150); "started"`, 1, "cell1.ts", sink), "ok");
    const pid = c.pid;
    const deadline = Date.now() + 10_000;
    while (background.join().split("late").length < 3 && Date.now() < deadline) await sleep(20);
    const text = background.join("\n");
    assert.match(text, /stderr:Uncaught exception in a callback: Error: late boom/);
    assert.match(text, /stderr:Unhandled promise rejection: RangeError: late reject/);
    const next = recorder();
    assert.equal(await c.execute("1 + 1", 2, "cell2.ts", next), "ok");
    assert.deepEqual(next.log, ["result:2"]);
    assert.equal(c.pid, pid, "same kernel process");
  });

  it("background output of a timer that prints forever after its cell ended is capped (regression)", async () => {
    // Bug found by this suite: the per-cell output cap (outputMaxBytes(), 2,000,000 characters by
    // default) did not apply to background text, so a leftover setInterval flooded the extension host
    // (and, on stderr, VS Code's notifications) without bound. 10,000 characters every millisecond for
    // 3 s would be ~30,000,000 characters.
    const c = newClient();
    let chars = 0;
    let notes = 0;
    c.events.on("background", (_name: string, text: string) => {
      chars += text.length;
      if (/background output truncated/.test(text)) notes++;
    });
    assert.equal(await c.execute(`const flood = setInterval(() => console.error("x".repeat(10_000)), 1); "started"`, 1, "cell1.ts", recorder()), "ok");
    await sleep(3000);
    const CAP = 2_000_000; // src/kernel/output.ts outputMaxBytes() default
    console.log(`      background flood: ${chars.toLocaleString("en-US")} characters reached the client in 3 s (cap ${CAP.toLocaleString("en-US")})`);
    assert.ok(chars <= CAP + 1000, `${chars} characters`);
    assert.equal(notes, 1, "one note says the rest was dropped");
    // The next cell ends the budget period: its own output arrives, and the kernel is responsive.
    const next = recorder();
    assert.equal(await c.execute("clearInterval(flood); console.log('after'); 1", 2, "cell2.ts", next), "ok");
    assert.match(next.text(), /stdout:after/);
  });

  it("a thrown value whose getters throw ends the cell with an error, and a cell that breaks a built-in the kernel uses cannot hang the next (regression)", async () => {
    // Bugs found by this suite: the error report read .name/.message/.stack of the thrown value, and a
    // throwing getter made the kernel skip the cell's "done" — the cell ran forever (until Stop and the
    // grace kill). Same for any failure in the kernel's own handling (e.g. after JSON.stringify was
    // replaced by a cell): the next cell never ended.
    const c = newClient();
    const hostile = recorder();
    const status = await c.execute(`throw { get message() { throw 1; }, get stack() { throw 2; }, get name() { throw 3; } }`, 1, "cell1.ts", hostile);
    assert.equal(status, "error", hostile.text());
    assert.match(hostile.text(), /error:Uncaught:/);
    const pid = c.pid;
    assert.equal(await c.execute(`JSON.stringify = () => { throw new Error("replaced"); }; 1`, 2, "cell2.ts", recorder()), "ok");
    const after = recorder();
    const next = await Promise.race([c.execute("2 + 2", 3, "cell3.ts", after), sleep(20_000).then(() => "still running after 20 s")]);
    assert.ok(next === "ok" || next === "error", `the next cell ended: ${next} ${after.text()}`);
    if (next === "error") assert.match(after.text(), /error:KernelError:the kernel could not finish handling this cell: replaced/);
    assert.equal(c.pid, pid, "the kernel process lives on (Restart gives a clean one)");
  });

  it("process.exit() in a timer after the cell ended is reported (background stderr + exit event), and the next cell gets a fresh kernel", async () => {
    const c = newClient();
    const background: string[] = [];
    const exits: [number | null, string | null, boolean][] = [];
    c.events.on("background", (name: string, text: string) => background.push(`${name}:${text}`));
    c.events.on("exit", (code: number | null, signal: string | null, onPurpose: boolean) => exits.push([code, signal, onPurpose]));
    assert.equal(await c.execute("const lost = 1; setTimeout(() => process.exit(5), 100); 'scheduled'", 1, "cell1.ts", recorder()), "ok");
    const pid = c.pid!;
    const deadline = Date.now() + 10_000;
    while (exits.length === 0 && Date.now() < deadline) await sleep(20);
    assert.deepEqual(exits, [[5, null, false]], "the exit is reported with its code, not as a deliberate kill");
    assert.match(background.join("\n"), /stderr:A callback of an earlier cell called process\.exit\(5\): the kernel process ends here and every variable is lost/);
    assert.ok(!alive(pid));
    const next = recorder();
    assert.equal(await c.execute("typeof lost", 2, "cell2.ts", next), "ok");
    assert.notEqual(c.pid, pid);
  });
});
