/**
 * The kernel in a browser Worker (dist/web/kernelWorker.js), for the web extension where there is no
 * Node: the same cells as the Node kernel process (main.ts) — the same KernelSession, sandbox, `rnn`
 * and `math` globals and protocol (src/shared/protocol.ts, through postMessage) — with the browser's
 * side of the seams: the portable platform (web/platform.ts), workspace files fetched through the
 * client before each cell (web/files.ts), and imports that explain why they fail (web/loader.ts).
 *
 * Life: the client's first message is `webInit` (the notebook's folder, the output cap); the worker
 * answers `ready`. `shutdown` records open runs as interrupted and closes the worker. A cell that never
 * yields cannot be interrupted from here: the client terminates the worker after its grace period.
 */
import type * as mathjs from "mathjs";
import type { FromWebKernel, ToWebKernel } from "../../shared/protocol";
import { Outbox, setOutputMaxBytes } from "../output";
import { setPlatform } from "../platform";
import { KernelSession } from "../session";
import { WebFiles, type FileAnswer } from "./files";
import { browserImporter } from "./loader";
import { pathLiterals } from "./pathLiterals";
import { webPlatform, yieldToEventLoop } from "./platform";

// The worker's global scope, typed by what the kernel uses of it (the DOM lib types `self` as a window).
const scope = self as unknown as {
  postMessage(m: FromWebKernel): void;
  onmessage: ((e: MessageEvent<ToWebKernel>) => void) | null;
  addEventListener(type: "error" | "unhandledrejection", f: (e: ErrorEvent & PromiseRejectionEvent) => void): void;
  close(): void;
};
const post = (m: FromWebKernel): void => scope.postMessage(m);

setPlatform(webPlatform);

let session: KernelSession | undefined;
let outbox: Outbox | undefined;
let nextFileId = 1;
const fileReplies = new Map<number, { resolve(a: FileAnswer): void; reject(e: Error): void }>();

function start(folder: string, maxOutputBytes: number | undefined): void {
  if (maxOutputBytes !== undefined) setOutputMaxBytes(maxOutputBytes);
  const files = new WebFiles(folder, (request) => new Promise<FileAnswer>((resolve, reject) => {
    const id = nextFileId++;
    fileReplies.set(id, { resolve, reject });
    post({ type: "file", id, ...request });
  }));
  outbox = new Outbox(post);
  let mathModule: typeof mathjs | undefined;
  session = new KernelSession({
    outbox,
    sandbox: { importer: () => browserImporter },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loadMath: () => (mathModule ??= require("mathjs") as typeof mathjs),
    files,
    // Unique to this worker: a recreated worker's training outputs must not update the last one's.
    liveIdPrefix: `rnn-fit-web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    yieldToEventLoop,
    beforeCell: (m) => files.prefetch(pathLiterals(m.code)),
    afterCell: async () => {
      const failed = await files.settleWrites();
      return failed === undefined ? undefined : { name: "Error", message: failed, stack: `Error: ${failed}` };
    },
  });
  const uncaught = session.uncaught.bind(session);
  scope.addEventListener("error", (e) => {
    e.preventDefault();
    uncaught("Uncaught exception in a callback", e.error ?? e.message);
  });
  scope.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    uncaught("Unhandled promise rejection", e.reason);
  });
  post({ type: "ready" });
}

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case "webInit":
      if (!session) start(m.folder, m.maxOutputBytes);
      return;
    case "fileReply": {
      const waiting = fileReplies.get(m.id);
      fileReplies.delete(m.id);
      if (m.ok) waiting?.resolve(m);
      else waiting?.reject(new Error(m.error));
      return;
    }
    case "shutdown":
      session?.runs.stopAll();
      outbox?.flush();
      scope.close();
      return;
    default:
      session?.handle(m);
  }
};
