/**
 * The IntelliSense worker of VS Code's web worker extension host (bundled as
 * dist/web/intellisenseWorker.js and started as a Web Worker by web/platform.ts): handler.ts's answers
 * over postMessage. A Web Worker reads no files, so its first message brings the declarations bundle
 * (dist/types/typings.json, read by the extension through vscode.workspace.fs).
 */
import { requestHandler } from "./handler";
import type { WorkerRequest, WorkerResponse } from "./protocol";
import { typeFilesFromBundle, type TypingsBundle } from "./typeFiles";

/** The first message: the text of typings.json. */
export interface WebWorkerInit {
  type: "init";
  typings: string;
}

interface WorkerScope {
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(m: WorkerResponse): void;
}

const scope = globalThis as unknown as WorkerScope;
let handle: ((request: WorkerRequest) => WorkerResponse) | undefined;

scope.onmessage = (e) => {
  if (!handle) {
    const { typings } = e.data as WebWorkerInit;
    handle = requestHandler(() => typeFilesFromBundle(JSON.parse(typings) as TypingsBundle));
    return;
  }
  scope.postMessage(handle(e.data as WorkerRequest));
};
