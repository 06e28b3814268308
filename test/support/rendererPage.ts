// The renderer in headless Chromium (playwright-core) without VS Code, for the renderer's browser tests
// and its fuzz: render() (and whatever else `entry` imports) bundled with esbuild and loaded into one page.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

/** The system Chromium, if installed (the tests that need it skip without one). */
export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));

export type Page = {
  evaluate<T>(fn: (arg: any) => T | Promise<T>, arg?: unknown): Promise<T>;
  addScriptTag(o: { content: string }): Promise<unknown>;
  setContent(html: string): Promise<void>;
  mouse: { move(x: number, y: number): Promise<void> };
  keyboard: { press(key: string): Promise<void> };
  on(ev: string, cb: (e: unknown) => void): void;
};

export interface RendererPage {
  page: Page;
  /** Uncaught errors of the page, in order. */
  pageErrors: string[];
  close(): Promise<void>;
}

// Loaded at run time, not bundled into the test file (playwright-core reads its own package files).
const load = createRequire(__filename);

/**
 * Opens a 900×700 page at device scale 2 whose body carries `bodyAttributes`, with `entry` (TypeScript
 * resolved from the repository root, e.g. one that puts render() on window) bundled and added as a script.
 */
export async function openRendererPage(entry: string, bodyAttributes: string): Promise<RendererPage> {
  if (!CHROMIUM) throw new Error("no Chromium installed");
  const esbuild = load("esbuild") as typeof import("esbuild");
  type Browser = { newPage(o: unknown): Promise<Page>; close(): Promise<void> };
  const { chromium } = load("playwright-core") as { chromium: { launch(o: unknown): Promise<Browser> } };
  const js = esbuild.buildSync({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "ts" },
    bundle: true, format: "iife", write: false, target: "es2022", logLevel: "silent",
  }).outputFiles[0].text;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 2 });
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"></head><body ${bodyAttributes}></body></html>`);
  await page.addScriptTag({ content: js });
  return { page, pageErrors, close: () => browser.close() };
}

/**
 * Draws `value` with the page's `window.rnnRender` (render() put there by the page's entry) into a fresh
 * `width`-px box, the page's only content, and keeps the root as `window.root`. Returns the root's
 * data-rnn-rendered kind.
 */
export function renderFresh(page: Page, mime: string, value: unknown, width = 800): Promise<string> {
  return page.evaluate(({ mime, value, width }) => {
    document.body.replaceChildren();
    const box = document.createElement("div");
    box.style.width = `${width}px`;
    document.body.appendChild(box);
    const root = (window as any).rnnRender({ container: box, mime, value }) as HTMLElement;
    (window as any).root = root;
    return root.dataset.rnnRendered ?? "";
  }, { mime, value, width });
}
