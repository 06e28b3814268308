/**
 * The kernel process (DESIGN §2): started by a kernel client (src/client/kernelProcess.ts) — the
 * extension's or the headless runner's — with cwd = the notebook's folder. Speaks
 * src/shared/protocol.ts over the IPC channel (or a detached kernel's socket, src/kernel/detached.ts): runs `execute` requests one at a time, streams their outputs, aborts the running
 * cell's signal on `interrupt`, answers `inspect` whenever the event loop is free (between fit
 * batches too), and never dies of a cell's error.
 *
 * How it ends: `shutdown` or a closed IPC channel → exit 0 (a detached kernel: `shutdown`, or no client for
 * its idle time); `process.exit(n)` in a cell → exit n,
 * after saying so on stderr; out of heap → V8's fatal error (SIGABRT, "heap out of memory" on
 * stderr), which the client tells apart from the rest.
 */
import type * as mathjs from "mathjs";
import type { FromKernel, ToKernel } from "../shared/protocol";
import { Outbox, setOutputMaxBytes } from "./output";
import { ModuleLoader } from "./loader";
import { nodeFiles } from "./files";
import { startGemmThread } from "./gemmThread";
import { nodePlatform, nodeSandbox } from "./nodePlatform";
import { setPlatform } from "./platform";
import { KernelSession } from "./session";
import { DetachedChannel, readSecret } from "./detached";

const kernelProcess = process;
setOutputMaxBytes(Number(kernelProcess.env.RNN_NOTEBOOK_MAX_OUTPUT_BYTES));

// Node's --enable-source-maps (the kernel tests' harness passes it) would parse the kernel bundle's multi-megabyte
// source map the first time any error's stack is formatted — a 1–2 s pause on a notebook's first
// error — only to remap kernel frames that errors.ts removes anyway; cell and helper frames are
// mapped by the kernel itself. RNN_KERNEL_SOURCE_MAPS=1 keeps Node's mapping for kernel debugging.
if (process.env.RNN_KERNEL_SOURCE_MAPS !== "1") process.setSourceMapsEnabled?.(false);
const realStderrWrite = kernelProcess.stderr.write.bind(kernelProcess.stderr);
const realExit = kernelProcess.exit.bind(kernelProcess);

// Messages handed to the channel and not yet written (process.send and socket writes are asynchronous):
// shutdown waits for them, so the run records of open runs it ends still reach the client.
let unsent = 0;
let onAllSent: (() => void) | undefined;
const sent = (): void => {
  if (--unsent === 0) onAllSent?.();
};

// Two ways to reach the client: fork's IPC channel (the runner, the tests), or — a detached kernel, the
// extension's — a socket named in RNN_KERNEL_SOCKET whose secret arrives on stdin (src/kernel/detached.ts).
const ipcSend = kernelProcess.send?.bind(kernelProcess);
const socketPath = kernelProcess.env.RNN_KERNEL_SOCKET;
let detached: DetachedChannel | undefined;
if (!ipcSend && !socketPath) {
  kernelProcess.stderr.write("dist/kernel.js is the RNN Notebook kernel process: start it with child_process.fork (IPC channel) or as a detached kernel (RNN_KERNEL_SOCKET).\n");
  kernelProcess.exit(2);
}

const outbox = new Outbox((m: FromKernel) => {
  if (detached) {
    unsent++;
    detached.send(m, sent);
    return;
  }
  if (!ipcSend) return; // a detached kernel before its socket is up: "ready" is said on attaching
  try {
    unsent++;
    ipcSend(m, undefined, undefined, sent);
  } catch {
    // The channel is gone (the client died): nothing left to talk to.
    realExit(0);
  }
});
setPlatform(nodePlatform);
// A require inside a function is bundled lazily by esbuild: mathjs loads on the `math` global's first use.
let mathModule: typeof mathjs | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadMath = (): typeof mathjs => (mathModule ??= require("mathjs") as typeof mathjs);
const session = new KernelSession({
  outbox,
  sandbox: { importer: (registry) => new ModuleLoader(kernelProcess.cwd(), registry), ...nodeSandbox },
  loadMath,
  files: nodeFiles,
  // Both cores: large GEMM products share the work with a worker thread of this process.
  gemmThread: (start, lost, say) => startGemmThread(start, lost, undefined, say),
  liveIdPrefix: `rnn-fit-${kernelProcess.pid}`,
  cellStarted: (m) => detached?.cellStarted(m.id, m.cell),
});
const { sandbox, runs } = session;

// process.exit() in a cell cannot be survived, but it can be explained: say it on stderr (the client
// shows the tail of stderr with the exit code) before the process ends.
kernelProcess.exit = ((code?: number | string | null) => {
  const run = sandbox.running;
  const where = run ? `Cell ${run.cell}` : "A callback of an earlier cell";
  outbox.flush();
  realStderrWrite(`${where} called process.exit(${code ?? ""}): the kernel process ends here and every variable is lost.\n`);
  realExit(code ?? undefined);
}) as typeof process.exit;

// Errors nobody catches: shown with the cell that started the callback (session.ts). The kernel stays alive.
kernelProcess.on("uncaughtException", (err) => session.uncaught("Uncaught exception in a callback", err));
kernelProcess.on("unhandledRejection", (reason) => session.uncaught("Unhandled promise rejection", reason));

function onMessage(m: ToKernel): void {
  if (m.type !== "shutdown") {
    session.handle(m);
    return;
  }
  runs.stopAll();
  outbox.flush();
  if (unsent === 0) realExit(0);
  else onAllSent = () => realExit(0);
}

if (ipcSend) {
  kernelProcess.on("message", onMessage);
  kernelProcess.on("disconnect", () => realExit(0));
  outbox.send({ type: "ready", pid: kernelProcess.pid });
} else if (socketPath) {
  readSecret().then((secret) => {
    detached = new DetachedChannel({
      socketPath,
      secret,
      idleMs: Number(kernelProcess.env.RNN_KERNEL_IDLE_MS) >= 0 ? Number(kernelProcess.env.RNN_KERNEL_IDLE_MS) : 10 * 60_000,
      ownFiles: (kernelProcess.env.RNN_KERNEL_OWN_FILES ?? "").split("\n").filter(Boolean),
      onMessage,
      exit: (code) => {
        outbox.flush();
        realExit(code);
      },
    });
  }, (e: Error) => {
    realStderrWrite(`RNN Notebook kernel: ${e.message}\n`);
    realExit(2);
  });
}
