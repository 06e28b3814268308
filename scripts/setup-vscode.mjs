#!/usr/bin/env node
// Installs the real VS Code used by `npm start` and the tests (code-server + Node 24 + Chromium) into the
// per-user cache, or says it is already there. Safe to run twice at once (lock) and again later (cached).
//   node scripts/setup-vscode.mjs            # install if missing
//   node scripts/setup-vscode.mjs --print    # also print the install's paths as JSON
import { ensureVSCode } from "./lib/vscode-install.mjs";

try {
  const p = await ensureVSCode({ browser: !process.argv.includes("--no-browser") });
  if (process.argv.includes("--print")) console.log(JSON.stringify(p, null, 2));
} catch (e) {
  console.error(`[harness] setup failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
