// Test harness for the kernel process: builds src/kernel/main.ts and src/client/runner.ts exactly as
// esbuild.config.mjs does (into out/test/kernel-dist, so the tests never run a stale dist/), starts
// the kernel through the client's KernelProcess, runs cells and collects every message, at the
// protocol's level (several cells may be sent at once). Every process started here is killed in after().
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KernelProcess, type KernelExit } from "../../../src/client/kernelProcess";
import type { FromKernel, InspectFailure, InspectQuery, InspectResult } from "../../../src/shared/protocol";

export const REPO = path.resolve(__dirname, "../../../..");
export const KERNEL_DIST = path.join(REPO, "out/test/kernel-dist");

// One build per mocha process, shared by every test file (each file is its own bundle).
const BUILD_KEY = Symbol.for("rnn-notebook.test.kernelBuild");

export function buildKernel(): Promise<void> {
  const g = globalThis as unknown as Record<symbol, Promise<void> | undefined>;
  g[BUILD_KEY] ??= (async () => {
    const esbuild = await import("esbuild");
    await esbuild.build({
      entryPoints: {
        kernel: path.join(REPO, "src/kernel/main.ts"), cli: path.join(REPO, "src/client/runner.ts"),
        gemmWorker: path.join(REPO, "src/kernel/gemmThread.ts"),
      },
      outdir: KERNEL_DIST, bundle: true, platform: "node", format: "cjs", target: "node20",
      sourcemap: "linked", sourcesContent: false, logLevel: "error", legalComments: "none",
    });
  })();
  return g[BUILD_KEY]!;
}

export interface CellOutcome {
  status: "ok" | "error" | "interrupted" | "stopped";
  messages: FromKernel[];
  stdout: string;
  stderr: string;
  /** text/plain of the result, if any. */
  result?: string;
  error?: { name: string; message: string; stack: string };
  displays: Extract<FromKernel, { type: "display" }>[];
}

export class TestKernel {
  readonly process: KernelProcess;
  readonly messages: FromKernel[] = [];
  rawStderr = "";
  private nextId = 1;
  private readonly listeners = new Set<(m: FromKernel) => void>();
  readonly exited: Promise<KernelExit>;
  readonly ready: Promise<void>;

  constructor(cwd: string, execArgv: string[] = []) {
    this.process = new KernelProcess({ kernelPath: path.join(KERNEL_DIST, "kernel.js"), cwd, execArgv: ["--enable-source-maps", ...execArgv] }, {
      message: (m) => {
        this.messages.push(m);
        for (const l of this.listeners) l(m);
      },
      output: (name, text) => {
        if (name === "stderr") this.rawStderr += text;
      },
      exit: () => undefined,
    });
    this.exited = this.process.exited;
    this.ready = this.process.ready;
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
    this.process.send({ type: "execute", id, code, cell, filename: `cell${cell}.ts` });
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
    this.process.send({ type: "interrupt" });
  }

  async inspect<Q extends InspectQuery>(query: Q): Promise<InspectResult<Q["kind"]> | InspectFailure> {
    const id = 10_000 + this.nextId++;
    this.process.send({ type: "inspect", id, query });
    const m = (await this.waitFor((x) => x.type === "inspectResult" && x.id === id)) as Extract<FromKernel, { type: "inspectResult" }>;
    // The kernel answers a query of kind K with InspectKinds[K]["result"] (src/kernel/inspect.ts).
    return m.result as InspectResult<Q["kind"]> | InspectFailure;
  }

  async kill(): Promise<void> {
    this.process.kill();
    await this.exited;
  }
}

/** A fresh temporary folder (a notebook folder); removed by the caller's after(). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rnn-kernel-${prefix}-`));
}
