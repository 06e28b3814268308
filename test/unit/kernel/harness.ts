// Test harness for the kernel process: builds src/kernel/main.ts and cli.ts exactly as
// esbuild.config.mjs does (into out/test/kernel-dist, so the tests never run a stale dist/), forks
// the kernel, runs cells and collects its messages. Every process forked here is killed in after().
import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FromKernel, InspectQuery } from "../../../src/shared/protocol";

export const REPO = path.resolve(__dirname, "../../../..");
export const KERNEL_DIST = path.join(REPO, "out/test/kernel-dist");

// One build per mocha process, shared by every test file (each file is its own bundle).
const BUILD_KEY = Symbol.for("rnn-notebook.test.kernelBuild");

export function buildKernel(): Promise<void> {
  const g = globalThis as unknown as Record<symbol, Promise<void> | undefined>;
  g[BUILD_KEY] ??= (async () => {
    const esbuild = await import("esbuild");
    await esbuild.build({
      entryPoints: { kernel: path.join(REPO, "src/kernel/main.ts"), cli: path.join(REPO, "src/kernel/cli.ts") },
      outdir: KERNEL_DIST, bundle: true, platform: "node", format: "cjs", target: "node20",
      sourcemap: "linked", sourcesContent: false, logLevel: "error", legalComments: "none",
    });
  })();
  return g[BUILD_KEY]!;
}

export interface CellOutcome {
  status: "ok" | "error" | "interrupted";
  messages: FromKernel[];
  stdout: string;
  stderr: string;
  /** text/plain of the result, if any. */
  result?: string;
  error?: { name: string; message: string; stack: string };
  displays: Extract<FromKernel, { type: "display" }>[];
}

export class TestKernel {
  readonly child: ChildProcess;
  readonly messages: FromKernel[] = [];
  rawStderr = "";
  private nextId = 1;
  private readonly listeners = new Set<(m: FromKernel) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly ready: Promise<void>;

  constructor(cwd: string, execArgv: string[] = []) {
    this.child = fork(path.join(KERNEL_DIST, "kernel.js"), [], {
      cwd, stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "advanced", execArgv: ["--enable-source-maps", ...execArgv],
    });
    this.child.stderr!.setEncoding("utf8").on("data", (t: string) => (this.rawStderr += t));
    this.child.stdout!.resume();
    this.child.on("message", (m: FromKernel) => {
      this.messages.push(m);
      for (const l of this.listeners) l(m);
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
    this.ready = this.waitFor((m) => m.type === "ready").then(() => undefined);
  }

  waitFor(pred: (m: FromKernel) => boolean, ms = 20_000): Promise<FromKernel> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(l);
        reject(new Error(`no matching kernel message within ${ms} ms; got ${JSON.stringify(this.messages.slice(-5))}`));
      }, ms);
      const l = (m: FromKernel) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        this.listeners.delete(l);
        resolve(m);
      };
      this.listeners.add(l);
    });
  }

  /** Starts a cell; returns its id. */
  start(code: string, cell = this.nextId): number {
    const id = this.nextId++;
    this.child.send({ type: "execute", id, code, cell, filename: `cell${cell}.ts` });
    return id;
  }

  async outcome(id: number): Promise<CellOutcome> {
    const done = (await this.waitFor((m) => m.type === "done" && m.id === id)) as Extract<FromKernel, { type: "done" }>;
    const messages = this.messages.filter((m) => "id" in m && m.id === id);
    const text = (name: string) => messages.map((m) => (m.type === "stream" && m.name === name ? m.text : "")).join("");
    const result = messages.find((m): m is Extract<FromKernel, { type: "result" }> => m.type === "result");
    const error = messages.find((m): m is Extract<FromKernel, { type: "error" }> => m.type === "error");
    return {
      status: done.status,
      messages,
      stdout: text("stdout"),
      stderr: text("stderr"),
      result: result ? String(result.bundle["text/plain"]) : undefined,
      error: error && { name: error.name, message: error.message, stack: error.stack },
      displays: messages.filter((m): m is Extract<FromKernel, { type: "display" }> => m.type === "display"),
    };
  }

  /** Runs a cell to its end. `cell` defaults to the next id (cell numbers in stacks). */
  async run(code: string, cell?: number): Promise<CellOutcome> {
    return this.outcome(this.start(code, cell));
  }

  interrupt(): void {
    this.child.send({ type: "interrupt" });
  }

  async inspect(query: InspectQuery): Promise<unknown> {
    const id = 10_000 + this.nextId++;
    this.child.send({ type: "inspect", id, query });
    const m = (await this.waitFor((x) => x.type === "inspectResult" && x.id === id)) as Extract<FromKernel, { type: "inspectResult" }>;
    return m.result;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** A fresh temporary folder (a notebook folder); removed by the caller's after(). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rnn-kernel-${prefix}-`));
}
