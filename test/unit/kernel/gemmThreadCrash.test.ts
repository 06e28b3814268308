// A GEMM helper thread that dies in the middle of a product — after claiming its share, before
// answering — must not hang the calling thread in Atomics.wait: it waits out the time-out
// (src/engine/gemm.ts HELPER_TIMEOUT_MS = 2000 ms + 50 × its own share's time), computes the share
// itself, says why on stderr (the host's `stop(reason)`) and runs every later product on one thread.
// The dying helper is a real worker thread running a few lines that follow the control block's
// protocol (src/engine/gemmThread.ts) up to the claim and then end the thread (process.exit in a
// worker ends that thread only). Its own file: the engine drops a dead helper for the whole bundle.
import * as assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { gemmInfo, gemmNN, setGemmBackend } from "../../../src/engine/gemm";
import { CLAIM, READY, SEQ } from "../../../src/engine/gemmThread";
import { setHost } from "../../../src/engine/host";
import { values } from "../engine/gemmValues";

const DIES_AFTER_CLAIM = `
const { workerData: { start: { control }, slots: { SEQ, READY, CLAIM } } } = require("node:worker_threads");
Atomics.store(control, READY, 1);
Atomics.notify(control, READY);
const seen = Atomics.load(control, SEQ);
Atomics.wait(control, SEQ, seen);
const seq = Atomics.load(control, SEQ);
Atomics.compareExchange(control, CLAIM, (seq - 1) | 0, seq);
process.exit(3);
`;

describe("a GEMM helper thread that dies mid-product", function () {
  this.timeout(30_000);
  const said: string[] = [];
  let worker: Worker | undefined;

  before(() => {
    setHost({
      gemmThread: (start) => {
        worker = new Worker(DIES_AFTER_CLAIM, { eval: true, workerData: { start, slots: { SEQ, READY, CLAIM } } });
        worker.unref();
        return { stop: (reason) => { if (reason) said.push(reason); void worker?.terminate(); } };
      },
    });
  });
  after(() => setHost(undefined));

  it("the calling thread times out, computes the share itself (same bytes as one thread), says why, goes on alone", () => {
    const m = 32, n = 512, k = 128;
    const a = values(m * k, 1), b = values(k * n, 2);
    const one = new Float32Array(m * n), two = new Float32Array(m * n);
    setGemmBackend("wasm");
    gemmNN(m, n, k, a, 0, k, b, 0, n, one, 0, n, false);
    setGemmBackend("threaded");
    gemmNN(m, n, k, a, 0, k, b, 0, n, two, 0, n, false);
    assert.ok(worker, "no helper was started");
    assert.ok(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), "the product differs from one thread's");
    assert.equal(said.length, 1, said.join("\n"));
    const waited = /^the GEMM helper thread did not answer within (\d+) ms: it crashed or stalls\. Products run on one thread from now on\.$/.exec(said[0]);
    // 2000 ms + 50 × this thread's own share's time.
    assert.ok(waited && Number(waited[1]) >= 2000, said[0]);
    assert.equal(gemmInfo().threads, 1);
    const three = new Float32Array(m * n);
    gemmNN(m, n, k, a, 0, k, b, 0, n, three, 0, n, false);
    setGemmBackend("auto");
    assert.equal(gemmInfo().splitProducts, 0);
    assert.ok(Buffer.from(three.buffer).equals(Buffer.from(one.buffer)), "a later product differs");
  });
});
