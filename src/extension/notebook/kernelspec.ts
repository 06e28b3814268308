/**
 * Which kernel an `.ipynb` notebook says it belongs to. VS Code's built-in ipynb serializer keeps the
 * file's top-level `metadata` (kernelspec, language_info) in the NotebookDocument's metadata — at the
 * top level in current versions, under a `metadata` key in older ones; both are read. Pure (no vscode
 * import), so it is unit-tested in plain Node.
 */
import { TYPESCRIPT_METADATA } from "../../shared/ipynb";

/** The kernelspec name our exported notebooks carry (src/shared/ipynb.ts). */
export const OUR_KERNELSPEC = (TYPESCRIPT_METADATA.kernelspec as { name: string }).name;

/** The `kernelspec.name` recorded in a notebook's metadata, if any. */
export function ipynbKernelName(metadata: unknown): string | undefined {
  const read = (m: unknown): string | undefined => {
    if (typeof m !== "object" || m === null) return undefined;
    const ks = (m as { kernelspec?: unknown }).kernelspec;
    const name = typeof ks === "object" && ks !== null ? (ks as { name?: unknown }).name : undefined;
    return typeof name === "string" && name !== "" ? name : undefined;
  };
  return read(metadata) ?? read((metadata as { metadata?: unknown } | null | undefined)?.metadata);
}

/**
 * Whether our language features belong in an `.ipynb` notebook's TypeScript cells while the user has
 * not chosen a kernel for it in this window: yes when the file names no kernel or ours; no when it
 * names another (a Deno or tslab notebook keeps its own kernel's globals, not our `rnn`).
 */
export function ipynbIsOursByDefault(metadata: unknown): boolean {
  const name = ipynbKernelName(metadata);
  return name === undefined || name === OUR_KERNELSPEC;
}
