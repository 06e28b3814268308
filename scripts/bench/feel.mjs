// What users feel in the real VS Code: runs the E2E tests "what users feel" (test/e2e/feel.e2e.test.ts)
// through scripts/run-e2e.mjs --grep — the packaged .vsix in code-server, driven by headless Chromium — and
// prints their timings (test-results/e2e/feel-timings.json, written by the tests) as a Markdown table.
// The tests assert what the user sees (the output, the drawn heatmap, the completion items), never a time.
//
//   node scripts/bench/feel.mjs [--dev] [--table]      (also: npm run bench -- --feel [--dev])
//     --dev    the working tree via URL payload instead of packaging the .vsix (quicker, not what users install)
//     --table  only print the table of the last run's report
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../lib/env.mjs";

const REPORT = join(repoRoot, "test-results", "e2e", "feel-timings.json");
const GREP = "what users feel";

const fmt = (v) => (typeof v === "number" ? v.toLocaleString("en-US") : "—");
const load = (l) => (Array.isArray(l) ? l.map((x) => x.toFixed(2)).join(" / ") : "—");

/** The Markdown table of one report (rows whose test failed show "—"). */
export function feelTable(r) {
  const first = r.firstResult ?? {};
  const all = r.runAllSample02 ?? {};
  const c = r.completion30Cells ?? {};
  const med = (xs) => (Array.isArray(xs) && xs.length ? [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1] : undefined);
  const meta = r.meta ?? {};
  const out = [
    `Measured ${meta.date ?? "?"} in code-server + headless Chromium (${meta.extension ?? "?"}), ${meta.cpus ?? "?"} cores, ` +
      `load average (1/5/15 min) ${load(meta.loadavgStart)} at the start, ${load(r.loadavgEnd)} at the end.`,
    "",
    "| what the user does | until | cold ms | warm ms |",
    "|---|---|---:|---:|",
    `| run a first cell \`1 + 1\` (no kernel yet; warm: next cell) | \`2\` shown | ${fmt(first.coldMs)} | ${fmt(first.warmMs)} |`,
    `| headless runner \`node dist/cli.js run\` on that cell (median of ${first.headlessMs?.length ?? 0}) | process exit | ${fmt(med(first.headlessMs))} | — |`,
    `| Run All of sample 02 (no kernel yet; warm: again) | first gate heatmap drawn | ${fmt(all.coldMs)} | ${fmt(all.warmMs)} |`,
    "",
    "| completion in the last of 30 cells | first ms | median ms | max ms | runs |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const key of ["m7.", "rnn."]) {
    const s = c[key] ?? {};
    out.push(`| \`${key}\` until the expected members are listed | ${fmt(s.firstMs)} | ${fmt(s.medianMs)} | ${fmt(s.maxMs)} | ${s.allMs?.length ?? 0} |`);
  }
  return out.join("\n");
}

function main(args) {
  if (!args.includes("--table")) {
    console.log(`feel: ${cpus().length} cores, load average ${load(loadavg())} before the run`);
    const r = spawnSync(process.execPath, [join(repoRoot, "scripts", "run-e2e.mjs"), "--grep", GREP, ...(args.includes("--dev") ? ["--dev"] : [])],
      { cwd: repoRoot, stdio: "inherit" });
    if (r.status !== 0) console.log(`feel: the E2E run failed (exit ${r.status}); the table shows what was measured`);
  }
  if (!existsSync(REPORT)) {
    console.error(`feel: no report at ${REPORT}`);
    return 1;
  }
  console.log(`\n${feelTable(JSON.parse(readFileSync(REPORT, "utf8")))}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
