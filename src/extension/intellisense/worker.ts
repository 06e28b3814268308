/**
 * The IntelliSense worker thread of the Node extension host (bundled as dist/intellisenseWorker.js):
 * handler.ts's answers over worker_threads, the declarations read from dist/types. No vscode import —
 * the extension side (workerClient.ts) turns answers into editor objects.
 */
import { parentPort, workerData } from "node:worker_threads";
import { requestHandler } from "./handler";
import type { WorkerData, WorkerRequest } from "./protocol";
import { loadTypeFiles } from "./loadTypes";

const { typesDir } = workerData as WorkerData;
const handle = requestHandler(() => loadTypeFiles(typesDir));

parentPort?.on("message", (request: WorkerRequest) => parentPort?.postMessage(handle(request)));
