/**
 * Reusable steps for browser E2E tests against a real VS Code (code-server) in headless Chromium:
 * open the workbench, wait for our extension, open a notebook, Run All, pick our kernel, find the
 * renderer's canvas in the output webview, check it drew, take screenshots.
 *
 * Lessons baked in (see the harness notes in README "Development"):
 * - opening a .rnnb before the extension host has registered our contributions opens it as JSON text,
 *   so wait until the command palette lists one of our commands first;
 * - outputs live in a webview iframe (page.frames()), not in the page's DOM;
 * - clicks into the notebook body are intercepted by the output iframe: use toolbar buttons and commands.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type Frame, type Locator, type Page } from "playwright-core";
import { e2eEnv } from "./env";

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];

/** The palette label of one of our commands: proof that the extension host has our contributions. */
export const READY_COMMAND = "RNN Notebook: Show Model Summary";
/** The controller's label in the kernel picker. */
export const KERNEL_LABEL = "RNN Notebook";

export interface Workbench {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far (for failure messages). */
  errors: string[];
  close(): Promise<void>;
}

const t0 = Date.now();
/** A timestamped progress line, so a slow step is visible in the log. */
export function step(message: string): void {
  console.log(`      [${((Date.now() - t0) / 1000).toFixed(1)} s] ${message}`);
}

/** Launch headless Chromium and open VS Code on a folder (default: the E2E workspace). */
export async function openWorkbench(folder = e2eEnv.workspace): Promise<Workbench> {
  const profile = mkdtempSync(path.join(tmpdir(), "rnn-notebook-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: e2eEnv.chromium, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  // Our extension's own console lines (the web worker extension host logs into the page's console).
  page.on("console", (m) => {
    if (m.text().includes("rnn-notebook")) errors.push(`console.${m.type()}: ${m.text().slice(0, 500)}`);
  });
  const close = async (): Promise<void> => {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  };
  let url = `${e2eEnv.origin}/?folder=${encodeURIComponent(folder)}`;
  if (e2eEnv.payload) url += `&payload=${encodeURIComponent(e2eEnv.payload)}`;
  try {
    await page.goto(url);
    await page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
  } catch (e) {
    await close(); // never leave a browser behind
    throw e;
  }
  step("workbench visible");
  return { page, context, errors, close };
}

/** Open the command palette, type text, and report whether an entry with that label shows. */
async function paletteHas(page: Page, label: string): Promise<boolean> {
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { state: "visible", timeout: 10_000 });
  await page.keyboard.type(label.replace(/^.*?: /, ""));
  const found = await page.locator(".quick-input-list .monaco-list-row", { hasText: label }).first()
    .isVisible({ timeout: 1500 }).catch(() => false);
  await page.keyboard.press("Escape");
  return found;
}

/** Wait until the extension host has registered our contributions (a command shows in the palette). */
export async function waitForExtension(page: Page, label = READY_COMMAND, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await paletteHas(page, label))) {
    if (Date.now() > deadline) throw new Error(`the command "${label}" never appeared in the palette: is the extension installed?`);
    await page.waitForTimeout(500);
  }
  step("extension contributions registered");
}

/** Run a command by its palette label (e.g. "Notebook: Run All"). */
export async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { state: "visible", timeout: 10_000 });
  await page.keyboard.type(label);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: label }).first();
  await row.waitFor({ state: "visible", timeout: 10_000 });
  await page.keyboard.press("Enter");
}

/** Open a file of the workspace by name with Quick Open (works however long the Explorer is). */
export async function openFile(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press("Control+P");
  await page.waitForSelector(".quick-input-widget input", { state: "visible", timeout: 10_000 });
  await page.keyboard.type(fileName);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: fileName }).first().waitFor({ state: "visible", timeout: 30_000 });
  await page.keyboard.press("Enter");
}

/** Open a .rnnb as a notebook editor and wait for it to show its cells. */
export async function openNotebook(page: Page, fileName: string): Promise<Locator> {
  await openFile(page, fileName);
  const editor = page.locator(".notebook-editor").first();
  await editor.waitFor({ state: "visible", timeout: 60_000 });
  // cell rows are virtualized (Playwright may call them hidden): wait until the list has any
  await page.waitForFunction(() => document.querySelectorAll(".notebook-editor .cell-list-container .monaco-list-row").length > 0, undefined, { timeout: 60_000 });
  step(`notebook ${fileName} open`);
  await page.waitForTimeout(500);
  return editor;
}

/** Pick our kernel if VS Code asks which one to use. */
export async function pickKernelIfAsked(page: Page, label = KERNEL_LABEL): Promise<boolean> {
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: label }).first();
  if (await row.isVisible({ timeout: 3000 }).catch(() => false)) {
    await row.click();
    step(`picked kernel "${label}"`);
    return true;
  }
  return false;
}

/** Click the notebook toolbar's "Run All" (the palette hides it unless the notebook has focus). */
export async function runAll(page: Page): Promise<void> {
  // Notebooks opened earlier in the same window keep their (hidden) toolbars in the DOM: click the visible one.
  await page.locator(".notebook-toolbar-container").getByText("Run All", { exact: true }).locator("visible=true").first().click({ timeout: 20_000 });
  step("Run All clicked");
  await pickKernelIfAsked(page);
}

/** The kernel shown in the notebook toolbar ("Select Kernel" when none is selected). */
export async function selectedKernelLabel(page: Page): Promise<string> {
  const el = page.locator(".notebook-editor .kernel-action-view-item").first();
  return ((await el.textContent({ timeout: 10_000 }).catch(() => "")) ?? "").trim();
}

/** Wait until every code cell has finished (no cell shows the running spinner, none is queued). */
export async function waitForCellsIdle(page: Page, timeoutMs = 180_000): Promise<void> {
  const busy = page.locator(".notebook-editor .cell-status-bar .codicon-notebook-state-executing, .notebook-editor .cell-status-bar .codicon-notebook-state-pending, .notebook-editor .codicon-loading");
  const deadline = Date.now() + timeoutMs;
  await page.waitForTimeout(1000);
  while ((await busy.count()) > 0) {
    if (Date.now() > deadline) throw new Error(`cells still running after ${timeoutMs / 1000} s`);
    await page.waitForTimeout(500);
  }
  step("all cells idle");
}

/**
 * The first webview frame (notebook outputs live in iframes) that contains selector. The workbench's
 * own frame is skipped: VS Code draws editor rulers and the minimap on canvases of its own.
 */
export async function findFrameWith(page: Page, selector: string, timeoutMs = 120_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      try {
        if (await f.$(selector)) return f;
      } catch {
        // frame detached while we looked
      }
    }
    if (Date.now() > deadline) throw new Error(`no frame contains ${selector} after ${timeoutMs / 1000} s`);
    await page.waitForTimeout(250);
  }
}

export interface CanvasStats {
  index: number;
  width: number;
  height: number;
  /** pixels with alpha > 0 */
  painted: number;
  /** distinct RGBA colours (a canvas filled with one colour is blank for our purposes) */
  colors: number;
}

/** Pixel statistics of every canvas matching selector in a frame. */
export async function canvasStats(frame: Frame, selector = "canvas"): Promise<CanvasStats[]> {
  return frame.$$eval(selector, (canvases) => canvases.map((c, index) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext("2d");
    if (!ctx || canvas.width === 0 || canvas.height === 0) return { index, width: canvas.width, height: canvas.height, painted: 0, colors: 0 };
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    const colors = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) painted++;
      if (colors.size < 1000) colors.add(((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0);
    }
    return { index, width: canvas.width, height: canvas.height, painted, colors: colors.size };
  }));
}

/** True when a canvas drew something: painted pixels in at least two colours. */
export function isNonBlank(s: CanvasStats): boolean {
  return s.painted > 0 && s.colors >= 2;
}

/**
 * Scroll the notebook editor by dy pixels (mouse wheel over the cell list). Outputs are rendered into
 * the output webview only when their cell comes near the viewport, so a test looking for the output of
 * a cell further down scrolls to it.
 */
export async function scrollNotebook(page: Page, dy: number): Promise<void> {
  const box = await page.locator(".notebook-editor .cell-list-container").first().boundingBox();
  if (!box) return;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, dy);
}

/**
 * Scroll the notebook until an element of an output webview is inside the notebook's viewport
 * (element coordinates are page coordinates, whatever frame it is in).
 */
export async function revealInNotebook(page: Page, target: Locator, tries = 20): Promise<void> {
  const list = await page.locator(".notebook-editor .cell-list-container").first().boundingBox();
  if (!list) return;
  for (let i = 0; i < tries; i++) {
    const box = await target.boundingBox().catch(() => null);
    if (!box) return;
    const top = list.y + 40;
    const bottom = list.y + list.height - 20;
    if (box.y >= top && box.y + Math.min(box.height, bottom - top) <= bottom) return;
    // aim for the element's top a quarter down the list
    await scrollNotebook(page, box.y - (list.y + list.height / 4));
    await page.waitForTimeout(300);
  }
}

/**
 * Wait for a webview frame holding a canvas that drew (the renderer may draw after the element appears).
 * With scroll (default), scrolls the notebook down step by step so outputs further down get rendered.
 * With reveal (default), scrolls the drawn canvas into view before returning; a caller timing the draw
 * passes reveal: false so the scrolling is not counted.
 */
export async function waitForDrawnCanvas(
  page: Page, selector = "canvas", timeoutMs = 120_000, opts: { scroll?: boolean; reveal?: boolean; minWidth?: number; minHeight?: number } = {},
): Promise<{ frame: Frame; stats: CanvasStats; locator: Locator }> {
  const deadline = Date.now() + timeoutMs;
  let seen = false;
  const bigEnough = (c: CanvasStats): boolean => c.width >= (opts.minWidth ?? 1) && c.height >= (opts.minHeight ?? 1);
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const stats = await canvasStats(frame, selector).catch(() => [] as CanvasStats[]);
      if (stats.length) seen = true;
      // the largest drawn canvas (a heatmap rather than its colour bar)
      const drawn = stats.filter((c) => isNonBlank(c) && bigEnough(c)).sort((a, b) => b.width * b.height - a.width * a.height)[0];
      if (drawn) {
        const locator = frame.locator(selector).nth(drawn.index);
        if (opts.reveal !== false) await revealInNotebook(page, locator);
        return { frame, stats: drawn, locator };
      }
    }
    if (Date.now() > deadline) {
      throw new Error(seen ? `a ${selector} appeared but never drew non-blank pixels` : `no webview frame contains ${selector} after ${timeoutMs / 1000} s`);
    }
    if (opts.scroll !== false) await scrollNotebook(page, 400);
    await page.waitForTimeout(500);
  }
}

/**
 * Save a screenshot (of the page or of one element) to test-results/e2e/<name>.png; with
 * UPDATE_SCREENSHOTS=1 and readme set, also to media/screenshots/<name>.png for the README.
 */
export async function screenshot(target: Page | Locator, name: string, opts: { readme?: boolean } = {}): Promise<string> {
  mkdirSync(e2eEnv.resultsDir, { recursive: true });
  const file = path.join(e2eEnv.resultsDir, `${name}.png`);
  // no hover tooltip in a page screenshot: park the mouse on the empty part of the activity bar (the
  // title bar's search box shows a tooltip of its own)
  if ("mouse" in target) await target.mouse.move(24, 600);
  await target.screenshot({ path: file });
  if (opts.readme && e2eEnv.updateScreenshots) {
    const dir = path.join(e2eEnv.repoRoot, "media", "screenshots");
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, path.join(dir, `${name}.png`));
    step(`README screenshot updated: media/screenshots/${name}.png`);
  }
  return file;
}

/**
 * Mocha hooks for a test file: one browser + workbench for the file, a failure screenshot per failed
 * test. Use inside describe(): `const wb = useWorkbench();` then `wb().page` in tests.
 */
export function useWorkbench(folder?: string): () => Workbench {
  let wb: Workbench | undefined;
  before(async function () {
    this.timeout(180_000);
    wb = await openWorkbench(folder);
    try {
      await waitForExtension(wb.page);
    } catch (e) {
      await screenshot(wb.page, "failure-extension-not-ready").catch(() => undefined);
      throw e;
    }
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && wb) {
      const name = `failure-${this.currentTest.fullTitle().replace(/[^a-z0-9]+/gi, "-").slice(0, 80)}`;
      const file = await screenshot(wb.page, name).catch(() => undefined);
      if (file) console.log(`      failure screenshot: ${file}`);
      if (wb.errors.length) console.log(`      page errors:\n        ${wb.errors.slice(-10).join("\n        ")}`);
    }
  });
  after(async () => {
    await wb?.close();
  });
  return () => {
    if (!wb) throw new Error("workbench not open (before() failed)");
    return wb;
  };
}

/** Text of the first element matching selector in any output webview frame, or undefined. */
export async function textInFrames(page: Page, selector: string): Promise<string | undefined> {
  for (const f of page.frames()) {
    const t = await f.locator(selector).first().textContent({ timeout: 200 }).catch(() => null);
    if (t) return t;
  }
  return undefined;
}

/** Waits until some frame shows text matching re (anywhere in its body). */
export async function waitForText(page: Page, re: RegExp, timeoutMs: number): Promise<{ frame: Frame; text: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const text = await frame.locator("body").innerText({ timeout: 200 }).catch(() => "");
      const m = re.exec(text);
      if (m) return { frame, text: m[0] };
    }
    if (Date.now() > deadline) throw new Error(`no output showed ${re} within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(500);
  }
}

/** Runs the notebook's code cell `index` (0-based) with its run button. */
export async function runCellAt(page: Page, index: number): Promise<void> {
  const cell = page.locator(".notebook-editor .code-cell-row").nth(index);
  await cell.hover();
  await cell.locator(".run-button-container .action-label").first().click({ force: true, timeout: 20_000 });
  step(`cell ${index + 1} started`);
}
