/**
 * The engine's files (src/engine/host.ts) in the browser Worker kernel. The engine reads and writes
 * synchronously; the editor's workspace files (vscode.workspace.fs, on the client's side of
 * postMessage) answer asynchronously. So:
 *
 * - Before a cell runs, the worker fetches what the cell names: every string literal that looks like
 *   a path (pathLiterals.ts) is `stat`ed; a file is `read`; a folder's files are read too, one level
 *   down, up to FOLDER_BYTES per cell. `read` and `isFolder` answer from that cache; a path the cell
 *   computed at run time was never fetched, and reading it throws an error that says so and what to do.
 * - Writes go through: the cache takes the new content at once (a later read in the same cell sees
 *   it) and the `write` request is posted at once, in order. The cell's "done" waits until every write
 *   of the cell is acknowledged; a failed write becomes the cell's error (settleWrites).
 *
 * Paths: relative ones start at the notebook's folder (a URI string from the init message);
 * `resolve` gives URI strings with the folder's scheme and authority, segments percent-encoded.
 */
import type { HostFiles } from "../../engine/host";
import type { WebFileRequest } from "../../shared/protocol";

/** Most bytes of folder contents fetched for one cell (a folder of big files is read only as far as this). */
const FOLDER_BYTES = 64 * 1024 * 1024;
/** Most files of one folder fetched. */
const FOLDER_FILES = 256;

type Entry =
  | { kind: "file"; content: Uint8Array }
  | { kind: "folder"; entries: string[] }
  | { kind: "none" }
  | { kind: "error"; message: string };

/** What a successful `fileReply` carries. */
export interface FileAnswer {
  kind?: "file" | "folder" | "none";
  content?: Uint8Array;
  entries?: string[];
}

/** Posts a file request and resolves with its reply (rejects with the client's error). */
export type FileRequester = (request: Pick<WebFileRequest, "op" | "uri" | "content">) => Promise<FileAnswer>;

export class WebFiles implements HostFiles {
  private readonly cache = new Map<string, Entry>();
  private writes: Promise<string | undefined>[] = [];
  /** "scheme://authority" and the folder's path segments (as encoded in the folder URI). */
  private readonly origin: string;
  private readonly folderSegments: string[];

  constructor(folder: string, private readonly request: FileRequester) {
    const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)/i.exec(folder);
    if (!m) throw new Error(`the notebook folder must be a URI like file:///home/me/project (got ${JSON.stringify(folder)})`);
    this.origin = m[1];
    this.folderSegments = m[2].split("/").filter((s) => s !== "");
  }

  resolve(p: string): string {
    if (typeof p !== "string" || p === "") throw new TypeError("expected a file path (a string, relative to the notebook's folder)");
    const posix = p.replace(/\\/g, "/");
    // A URI already (two letters or more before the colon: "C:/x" is a Windows drive).
    if (/^[a-z][a-z0-9+.-]+:/i.test(posix)) return posix;
    const segments = posix.startsWith("/") || /^[A-Za-z]:\//.test(posix) ? [] : [...this.folderSegments];
    for (const s of posix.split("/")) {
      if (s === "" || s === ".") continue;
      if (s === "..") segments.pop();
      else segments.push(encodeURIComponent(s));
    }
    return `${this.origin}/${segments.join("/")}`;
  }

  join(dir: string, name: string): string {
    return `${dir.replace(/\/+$/, "")}/${name.split("/").map(encodeURIComponent).join("/")}`;
  }

  read(file: string): Uint8Array | undefined {
    const e = this.entry(file);
    switch (e.kind) {
      case "file": return e.content;
      case "none": return undefined;
      case "folder": throw new Error(`${shown(file)} is a folder, not a file`);
      default: throw new Error(e.message);
    }
  }

  isFolder(file: string): boolean {
    const e = this.entry(file);
    if (e.kind === "error") throw new Error(e.message);
    return e.kind === "folder";
  }

  write(file: string, content: Uint8Array | string): void {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content.slice();
    this.cache.set(file, { kind: "file", content: bytes });
    const slash = file.lastIndexOf("/");
    const parent = this.cache.get(file.slice(0, slash));
    const name = decodeURIComponent(file.slice(slash + 1));
    if (parent?.kind === "folder") {
      if (!parent.entries.includes(name)) parent.entries.push(name);
    } else {
      this.cache.set(file.slice(0, slash), { kind: "folder", entries: [name] });
    }
    this.writes.push(this.request({ op: "write", uri: file, content: bytes }).then(() => undefined, (e: Error) => {
      this.cache.delete(file);
      return `${shown(file)} could not be written: ${e.message}`;
    }));
  }

  /** Waits for every write made since the last call; the first failure's message, if any failed. */
  async settleWrites(): Promise<string | undefined> {
    const pending = this.writes;
    this.writes = [];
    return (await Promise.all(pending)).find((m) => m !== undefined);
  }

  /**
   * Fetches what `paths` (a cell's path literals) name, and only that: what earlier cells fetched is
   * dropped, since the files may have changed since (a stale answer would be silently wrong data).
   */
  async prefetch(paths: readonly string[]): Promise<void> {
    this.cache.clear();
    const budget = { bytes: FOLDER_BYTES };
    await Promise.all(paths.map(async (p) => {
      let uri: string;
      try {
        uri = this.resolve(p);
      } catch {
        return;
      }
      const e = await this.fetch(uri, "stat");
      if (e.kind !== "folder") return;
      await Promise.all(e.entries.slice(0, FOLDER_FILES).map(async (name) => {
        if (budget.bytes <= 0) return;
        const f = await this.fetch(this.join(uri, name), "read");
        if (f.kind === "file") budget.bytes -= f.content.length;
      }));
    }));
  }

  /** stat (then read, for a file) or read `uri` into the cache; a failure is cached as that entry's error. */
  private async fetch(uri: string, op: "stat" | "read"): Promise<Entry> {
    let e: Entry;
    try {
      let kind: FileAnswer["kind"] = "file";
      let entries: string[] | undefined;
      if (op === "stat") ({ kind, entries } = await this.request({ op: "stat", uri }));
      if (kind === "file") {
        const { content } = await this.request({ op: "read", uri });
        e = { kind: "file", content: content ?? new Uint8Array(0) };
      } else {
        e = kind === "folder" ? { kind, entries: entries ?? [] } : { kind: "none" };
      }
    } catch (err) {
      e = { kind: "error", message: `${shown(uri)} could not be read: ${(err as Error).message}` };
    }
    this.cache.set(uri, e);
    return e;
  }

  private entry(file: string): Entry {
    const e = this.cache.get(file);
    if (e) return e;
    throw new Error(`${shown(file)} was not fetched before the cell ran. In the browser the kernel can read only the workspace files a cell ` +
      `names in a string, like rnn.load("models/m.rnnmodel") (a folder named so brings its files too); a path computed while the cell ` +
      "runs cannot be read. Write the path out in the cell, or open the notebook in the desktop VS Code.");
  }
}

/** A URI as people read it (percent-escapes decoded). */
function shown(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}
