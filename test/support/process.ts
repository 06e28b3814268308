// Process liveness for tests that watch the kernel process end (integration and reliability suites).
import { readFileSync } from "node:fs";

/** Whether process `pid` is still running: kill(pid, 0) succeeds and it is not a zombie (Linux /proc). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it has ended all the same.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}
