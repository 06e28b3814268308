// A real HostFiles (src/engine/host.ts) over a Map, for engine tests that save and load files.
import { afterEach, beforeEach } from "mocha";
import { setHost, type HostFiles } from "../../src/engine/host";

/** Files in a Map: absolute paths are "/" + the cell's path; a folder exists when a file lies under it. */
export class MemoryFiles implements HostFiles {
  readonly files = new Map<string, Uint8Array>();
  resolve(path: string): string {
    return path.startsWith("/") ? path : `/${path}`;
  }
  join(dir: string, name: string): string {
    return `${dir}/${name}`;
  }
  read(file: string): Uint8Array | undefined {
    return this.files.get(file);
  }
  write(file: string, content: Uint8Array | string): void {
    this.files.set(file, typeof content === "string" ? new TextEncoder().encode(content) : content.slice());
  }
  isFolder(file: string): boolean {
    return [...this.files.keys()].some((k) => k.startsWith(`${file}/`));
  }
}

/**
 * Gives every test of the enclosing describe a fresh MemoryFiles as the engine host's files (removed
 * after each test); call it in describe() and read the current files through the returned getter.
 */
export function useMemoryFiles(): () => MemoryFiles {
  let files = new MemoryFiles();
  beforeEach(() => {
    files = new MemoryFiles();
    setHost({ files });
  });
  afterEach(() => setHost(undefined));
  return () => files;
}

/** Every weight tensor's values as plain arrays, for comparing two models' weights exactly. */
export const weightsOf = (m: { getWeights(): { data: ArrayLike<number> }[] }): number[][] => m.getWeights().map((t) => Array.from(t.data));
