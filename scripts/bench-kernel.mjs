// Kernel overhead benchmark: round-trip time of an EMPTY cell — execute sent
// → done received over the real IPC channel — after warm-up, with the kernel forked exactly as the
// extension forks it (src/client/kernelProcess.ts). Needs `npm run build` first (dist/kernel.js).
//   node scripts/bench-kernel.mjs [--cells 200] [--warmup 20]
// Prints min / median / p95 / max / mean in ms and exits 1 when the median is not under 50 ms.
import { fork } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const kernelPath = join(root, "dist", "kernel.js");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const CELLS = arg("--cells", 200);
const WARMUP = arg("--warmup", 20);
const LIMIT_MS = 50; // "running an empty cell takes < 50 ms after warm-up"

if (!existsSync(kernelPath)) {
  console.error(`bench-kernel: ${kernelPath} is missing; run \`npm run build\` first.`);
  process.exit(2);
}

const cwd = mkdtempSync(join(tmpdir(), "rnn-bench-"));
const t0 = performance.now();
const child = fork(kernelPath, [], {
  cwd, stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced",
  execArgv: ["--max-old-space-size=4096", "--enable-source-maps"],
});
let waiting;
child.on("message", (m) => {
  if (waiting && (m.type === "ready" || m.type === "done")) {
    const w = waiting;
    waiting = undefined;
    w(m);
  }
});
const next = () => new Promise((resolve) => (waiting = resolve));

try {
  await next(); // ready
  const startupMs = performance.now() - t0;
  let id = 0;
  const run = async (code) => {
    const t = performance.now();
    const done = next();
    child.send({ type: "execute", id: ++id, code, cell: 1, filename: "cell1.ts" });
    const m = await done;
    if (m.status !== "ok") throw new Error(`cell ${JSON.stringify(code)} ended ${m.status}`);
    return performance.now() - t;
  };
  for (let i = 0; i < WARMUP; i++) await run("");
  const times = [];
  for (let i = 0; i < CELLS; i++) times.push(await run(""));
  const trivial = [];
  for (let i = 0; i < 50; i++) trivial.push(await run("const v = 1 + 1;\nv"));
  const stats = (a) => {
    const s = [...a].sort((x, y) => x - y);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { min: s[0], median: q(0.5), p95: q(0.95), max: s[s.length - 1], mean: s.reduce((x, y) => x + y, 0) / s.length };
  };
  const fmt = (o) => Object.entries(o).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(" · ");
  const empty = stats(times);
  console.log(`kernel startup (fork → ready): ${startupMs.toFixed(0)} ms`);
  console.log(`empty cell round trip, ${CELLS} cells after ${WARMUP} warm-up (ms): ${fmt(empty)}`);
  console.log(`"const v = 1 + 1; v" round trip, 50 cells (ms): ${fmt(stats(trivial))}`);
  const ok = empty.median < LIMIT_MS;
  console.log(`${ok ? "PASS" : "FAIL"}: median ${empty.median.toFixed(2)} ms ${ok ? "<" : "≥"} ${LIMIT_MS} ms`);
  process.exitCode = ok ? 0 : 1;
} finally {
  child.kill("SIGKILL");
  rmSync(cwd, { recursive: true, force: true });
}
