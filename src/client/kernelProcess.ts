/**
 * The one place a kernel process starts. Forks dist/kernel.js (src/kernel/main.ts) with an IPC
 * channel (structured clone, src/shared/protocol.ts), hands every message and every byte the
 * process writes outside the protocol to its owner, and keeps the tail of its stderr so a death can
 * be explained. Its owners: KernelClient (the extension and the headless runner) and the kernel
 * tests' harness, which speak the protocol at this level to see every message.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { FromKernel, ToKernel } from "../shared/protocol";
import { STDERR_TAIL_CHARS } from "./kernelClientBase";

export interface KernelProcessOptions {
  /** Absolute path of dist/kernel.js. */
  kernelPath: string;
  /** Working directory of the kernel: the notebook's folder. */
  cwd: string;
  /** Node flags of the kernel process (--max-old-space-size, --enable-source-maps), after kernelNodeFlags(). */
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

/**
 * A WASM module whose one function uses f32x4.relaxed_madd (relaxed SIMD, opcode 0xfd 0x105): it
 * validates only where the engine's GEMM can use fused multiply-adds.
 */
export const RELAXED_SIMD_PROBE = (() => {
  const zeros = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zeros, ...zeros, ...zeros, 0xfd, 0x85, 0x02, 0x0b]; // no locals; madd(0, 0, 0); end
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () → v128
    0x03, 0x02, 0x01, 0x00, // functions: one of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body]); // code
})();

/**
 * Node flags every kernel process gets before its owner's. The kernel runs on this process's own
 * binary (fork), so what validates here validates there. VS Code's Electron and Node ≥ 22 have WASM
 * relaxed SIMD on; Node 20 (the headless runner, the tests) only behind a V8 flag, and without it
 * the engine's GEMM falls back to separate multiplies and adds: an rnn.nn.LSTM computeGradients
 * measured 62 ms instead of 40 ms on the medium workload. A V8 that has relaxed SIMD on gets no flag
 * (a later one may no longer know it).
 */
export function kernelNodeFlags(): string[] {
  return typeof WebAssembly === "object" && !WebAssembly.validate(RELAXED_SIMD_PROBE) ? ["--experimental-wasm-relaxed-simd"] : [];
}


/** A kernel process as its client drives it: this forked child, or a detached kernel (detachedKernel.ts). */
export interface KernelConnection {
  /** Resolves on the kernel's "ready"; rejects when the process ends before it. */
  readonly ready: Promise<void>;
  /** Resolves when the process ended, however. */
  readonly exited: Promise<KernelExit>;
  readonly pid: number | undefined;
  readonly hasExited: boolean;
  /** The last characters the process wrote to stderr, for explaining its death. */
  readonly stderrTail: string;
  send(m: ToKernel): void;
  /** Ends the process at once (SIGKILL); a no-op once it ended. */
  kill(): void;
}

export class KernelProcess implements KernelConnection {
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
      execArgv: [...kernelNodeFlags(), ...(options.execArgv ?? [])],
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
