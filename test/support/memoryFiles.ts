// A real HostFiles (src/engine/host.ts) over a Map, for engine tests that save and load files.
import type { HostFiles } from "../../src/engine/host";

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
