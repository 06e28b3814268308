// The browser Worker kernel (src/kernel/web/worker.ts) in headless Chromium, without VS Code: the worker
// bundled as esbuild.config.mjs's production build bundles dist/web/kernelWorker.js — minified, as it
// ships — into memory (so a test never runs a stale dist/), started from a blob: URL as the web extension starts it, and spoken to with the kernel
// protocol. The page answers the worker's file requests from an in-page map of URI → bytes: a test
// double of the client's vscode.workspace.fs service (the real one is the web extension's E2E's).
import { createRequire } from "node:module";
import * as path from "node:path";
import type { FromWebKernel } from "../../src/shared/protocol";
import { CHROMIUM, type Page } from "./rendererPage";

export { CHROMIUM };

const load = createRequire(__filename);
// Tests run from the repository's root (as rendererPage.ts resolves its entries).
const REPO = process.cwd();

/** The notebook folder the tests' worker starts in. */
export const WEB_FOLDER = "file:///work/notebook";

export interface WebCellOutcome {
  status: "ok" | "error" | "interrupted" | "stopped";
  /** Every message of the cell, in order (its "done" last). */
  messages: FromWebKernel[];
}

export interface WebKernel {
  page: Page;
  /** Uncaught errors of the page, in order. */
  pageErrors: string[];
  /** Terminates the worker and starts a fresh one (a new kernel, an empty file double). */
  restart(): Promise<void>;
  /** Runs a cell to its end. */
  run(code: string, cell: number): Promise<WebCellOutcome>;
  /** Starts a cell; `outcome(id)` waits for its end. */
  start(code: string, cell: number): Promise<number>;
  outcome(id: number): Promise<WebCellOutcome>;
  /** Resolves when a message of cell `id` matches the page-side predicate source `(m) => boolean`. */
  waitForMessage(id: number, predicate: string): Promise<void>;
  interrupt(): Promise<void>;
  /** The file double: the bytes at a URI, set or read. */
  setFile(uri: string, bytes: Uint8Array): Promise<void>;
  file(uri: string): Promise<Uint8Array | undefined>;
  /** Makes writes to `uri` fail, as a full disk would. */
  failWrites(uri: string): Promise<void>;
  /** The file requests the worker made, in order. */
  fileLog(): Promise<{ op: string; uri: string }[]>;
  close(): Promise<void>;
}

let bundle: string | undefined;

/** dist/web/kernelWorker.js's source, built as `node esbuild.config.mjs --production` does. */
export function workerSource(): string {
  const esbuild = load("esbuild") as typeof import("esbuild");
  bundle ??= esbuild.buildSync({
    entryPoints: [path.join(REPO, "src/kernel/web/worker.ts")],
    bundle: true, platform: "browser", format: "iife", target: "es2022", minify: true, write: false, logLevel: "silent", legalComments: "none",
  }).outputFiles[0].text;
  return bundle;
}

export async function openWebKernel(): Promise<WebKernel> {
  if (!CHROMIUM) throw new Error("no Chromium installed");
  type Browser = { newPage(): Promise<Page>; close(): Promise<void> };
  const { chromium } = load("playwright-core") as { chromium: { launch(o: unknown): Promise<Browser> } };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>`);
  await page.evaluate(({ source, folder }: { source: string; folder: string }) => {
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    // A fresh worker (a fresh kernel) with an empty file double; the previous one is terminated.
    (window as any).wkStart = () => {
      (window as any).wk?.worker.terminate();
      const worker = new Worker(url);
      const st = {
        messages: [] as any[], files: new Map<string, Uint8Array>(), failing: new Set<string>(), fileLog: [] as { op: string; uri: string }[],
        listeners: new Set<(m: any) => void>(), nextId: 1, worker,
      };
      worker.onerror = (e) => { throw new Error(`worker error: ${e.message}`); };
      worker.onmessage = (e: MessageEvent) => {
        const m = e.data;
        if (m.type !== "file") {
          st.messages.push(m);
          for (const l of st.listeners) l(m);
          return;
        }
        st.fileLog.push({ op: m.op, uri: m.uri });
        const reply = (r: object) => worker.postMessage({ type: "fileReply", id: m.id, ...r });
        if (m.op === "write") {
          if (st.failing.has(m.uri)) reply({ ok: false, error: "no space left on the device (test double)" });
          else { st.files.set(m.uri, m.content); reply({ ok: true }); }
        } else if (m.op === "read") {
          const c = st.files.get(m.uri);
          reply(c ? { ok: true, content: c } : { ok: false, error: "no such file (test double)" });
        } else if (st.files.has(m.uri)) {
          reply({ ok: true, kind: "file" });
        } else {
          const prefix = m.uri.replace(/\/$/, "") + "/";
          const below = [...st.files.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
          const entries = below.filter((k) => !k.includes("/")).map(decodeURIComponent);
          reply(below.length > 0 ? { ok: true, kind: "folder", entries } : { ok: true, kind: "none" });
        }
      };
      (window as any).wk = st;
      worker.postMessage({ type: "webInit", folder });
      return new Promise<void>((resolve) => st.listeners.add((m: any) => m.type === "ready" && resolve()));
    };
  }, { source: workerSource(), folder: WEB_FOLDER });
  const restart = () => page.evaluate(() => (window as any).wkStart() as Promise<void>);
  await restart();

  const start = (code: string, cell: number) => page.evaluate(({ code, cell }: { code: string; cell: number }) => {
    const st = (window as any).wk;
    const id = st.nextId++;
    st.worker.postMessage({ type: "execute", id, code, cell, filename: `cell${cell}.ts` });
    return id;
  }, { code, cell });
  const outcome = (id: number) => page.evaluate((id: number) => new Promise<WebCellOutcome>((resolve) => {
    const st = (window as any).wk;
    const finish = () => {
      const messages = st.messages.filter((m: any) => m.id === id);
      resolve({ status: messages.find((m: any) => m.type === "done").status, messages });
    };
    if (st.messages.some((m: any) => m.type === "done" && m.id === id)) finish();
    else st.listeners.add((m: any) => m.type === "done" && m.id === id && finish());
  }), id);
  return {
    page,
    pageErrors,
    restart,
    start,
    outcome,
    run: async (code, cell) => outcome(await start(code, cell)),
    waitForMessage: (id, predicate) => page.evaluate(({ id, predicate }: { id: number; predicate: string }) => new Promise<void>((resolve) => {
      const st = (window as any).wk;
      const test = (0, eval)(predicate) as (m: any) => boolean;
      if (st.messages.some((m: any) => m.id === id && test(m))) resolve();
      else st.listeners.add((m: any) => m.id === id && test(m) && resolve());
    }), { id, predicate }),
    interrupt: () => page.evaluate(() => (window as any).wk.worker.postMessage({ type: "interrupt" })),
    setFile: (uri, bytes) => page.evaluate(({ uri, bytes }: { uri: string; bytes: number[] }) => {
      (window as any).wk.files.set(uri, Uint8Array.from(bytes));
    }, { uri, bytes: Array.from(bytes) }),
    file: async (uri) => {
      const bytes = await page.evaluate((uri: string) => {
        const c = (window as any).wk.files.get(uri) as Uint8Array | undefined;
        return c ? Array.from(c) : undefined;
      }, uri);
      return bytes ? Uint8Array.from(bytes) : undefined;
    },
    failWrites: (uri) => page.evaluate((uri: string) => void (window as any).wk.failing.add(uri), uri),
    fileLog: () => page.evaluate(() => (window as any).wk.fileLog.slice()),
    close: () => browser.close(),
  };
}
