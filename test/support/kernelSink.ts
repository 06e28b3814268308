// A CellSink that records what a kernel cell reported, for tests that drive KernelClient directly.
import type { CellSink } from "../../src/client/kernelClient";

export function recorder(): CellSink & { log: string[]; text(): string } {
  const log: string[] = [];
  return {
    log,
    text: () => log.join("\n"),
    stream: (name, text) => log.push(`${name}:${text}`),
    display: (bundle) => log.push(`display:${Object.keys(bundle).join(",")}`),
    result: (bundle) => log.push(`result:${String(bundle["text/plain"])}`),
    error: (name, message) => log.push(`error:${name}:${message}`),
  };
}
