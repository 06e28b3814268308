/**
 * The one place a kernel process starts. Forks dist/kernel.js (src/kernel/main.ts) with an IPC
 * channel (structured clone, src/shared/protocol.ts), hands every message and every byte the
 * process writes outside the protocol to its owner, and keeps the tail of its stderr so a death can
 * be explained. Its owners: KernelClient (the extension and the headless runner) and the kernel
 * tests' harness, which speak the protocol at this level to see every message.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { FromKernel, ToKernel } from "../shared/protocol";

export interface KernelProcessOptions {
  /** Absolute path of dist/kernel.js. */
  kernelPath: string;
  /** Working directory of the kernel: the notebook's folder. */
  cwd: string;
  /** Node flags of the kernel process (--max-old-space-size, --enable-source-maps). */
  execArgv?: string[];
  /** Environment of the kernel process (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What the owner of a kernel process hears from it. */
export interface KernelProcessListener {
  message(m: FromKernel): void;
  /** Text the process wrote to stdout/stderr outside the protocol (native crashes, V8's OOM report). */
  output(name: "stdout" | "stderr", text: string): void;
  exit(e: KernelExit): void;
}

/** How much of the process's stderr is kept for describing its death (V8's OOM report fits). */
const STDERR_TAIL_CHARS = 4000;

export class KernelProcess {
  private readonly child: ChildProcess;
  private ended: KernelExit | undefined;
  /** The last characters the process wrote to stderr. */
  stderrTail = "";
  /** Resolves on the kernel's "ready"; rejects when the process ends before it. */
  readonly ready: Promise<void>;
  /** Resolves when the process ended, however. */
  readonly exited: Promise<KernelExit>;

  constructor(options: KernelProcessOptions, listener: KernelProcessListener) {
    const child = fork(options.kernelPath, [], {
      cwd: options.cwd,
      execArgv: options.execArgv ?? [],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
      env: options.env ?? process.env,
    });
    this.child = child;
    child.stdout?.setEncoding("utf8").on("data", (t: string) => listener.output("stdout", t));
    child.stderr?.setEncoding("utf8").on("data", (t: string) => {
      this.stderrTail = (this.stderrTail + t).slice(-STDERR_TAIL_CHARS);
      listener.output("stderr", t);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onEarlyExit = (code: number | null, signal: string | null) =>
        reject(new Error(`The kernel process exited before it was ready (code ${code}, signal ${signal}).\n${this.stderrTail}`));
      child.once("exit", onEarlyExit);
      child.on("message", (m: FromKernel) => {
        if (m.type === "ready") {
          child.off("exit", onEarlyExit);
          resolve();
        }
        listener.message(m);
      });
    });
    // Whoever waits for ready sees the rejection; nobody waiting is not an unhandled rejection.
    this.ready.catch(() => undefined);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.ended = { code, signal };
        listener.exit(this.ended);
        resolve(this.ended);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.ended !== undefined;
  }

  /** Sends a message while the process and its channel live (a dead kernel has nobody to hear it). */
  send(m: ToKernel): void {
    if (!this.ended && this.child.connected) this.child.send(m);
  }

  /** Ends the process at once (SIGKILL); a no-op once it ended. */
  kill(): void {
    if (!this.ended && this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
