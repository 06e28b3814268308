/**
 * What scripts/run-e2e.mjs hands the E2E tests (environment variables), with defaults for a manual run
 * against a code-server you started yourself.
 */
import * as path from "node:path";

export const e2eEnv = {
  /** code-server's origin, e.g. http://127.0.0.1:8765 */
  origin: process.env.E2E_ORIGIN ?? "http://127.0.0.1:8765",
  /** The folder opened in VS Code: a throw-away copy of media/samples. */
  workspace: process.env.E2E_WORKSPACE ?? path.resolve("media/samples"),
  /** Screenshots and failure artefacts (git-ignored). */
  resultsDir: process.env.E2E_RESULTS_DIR ?? path.resolve("test-results/e2e"),
  /** The repository, for media/screenshots (UPDATE_SCREENSHOTS=1). */
  repoRoot: process.env.E2E_REPO_ROOT ?? path.resolve("."),
  chromium: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  /** URL payload (JSON [key, value][]), e.g. extensionDevelopmentPath for a run without a .vsix. */
  payload: process.env.E2E_PAYLOAD,
  updateScreenshots: process.env.UPDATE_SCREENSHOTS === "1",
};
