// Debian's Chromium, headless, through playwright-core (no browser download: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM } from "./env.mjs";

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];

/**
 * A fresh headless Chromium with its own profile; close() removes the profile.
 * @param {{ viewport?: { width: number, height: number } }} [opts]
 */
export async function launchBrowser(opts = {}) {
  const profile = mkdtempSync(join(tmpdir(), "rnn-notebook-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
