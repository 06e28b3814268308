// Closing lines and machine-readable summaries shared by the test scripts.
import { writeFileSync } from "node:fs";

/**
 * @typedef {{ name: string, passed: number, failed: number, skipped?: boolean, note?: string, seconds?: number }} SuiteCount
 */

/** "<name>: N passed, N failed" (the form CI reads; one word before the colon). */
export function closingLine(/** @type {SuiteCount} */ s) {
  return `${s.name}: ${s.passed} passed, ${s.failed} failed`;
}

/** Total over suites, printed as the last line "N passed, N failed". */
export function total(/** @type {SuiteCount[]} */ suites) {
  return suites.reduce((t, s) => ({ passed: t.passed + s.passed, failed: t.failed + s.failed }), { passed: 0, failed: 0 });
}

/** When RNN_SUITE_SUMMARY names a file, write the counts there (scripts/test.mjs reads it). */
export function writeSummary(/** @type {SuiteCount[]} */ suites) {
  const file = process.env.RNN_SUITE_SUMMARY;
  if (file) writeFileSync(file, JSON.stringify({ suites }, null, 2));
}
