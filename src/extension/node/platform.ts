/**
 * The desktop (Node) extension host: kernels are detached processes (src/client/detachedKernel.ts),
 * IntelliSense is a worker thread, kernel paths are file paths.
 */
import { existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { hasKernelRecord } from "../../client/detachedKernel";
import { KernelClient } from "../../client/kernelClient";
import { nodeWorkerPort } from "../intellisense/nodeWorkerPort";
import type { KernelPaths, Platform } from "../platform";

const paths: KernelPaths = {
  folderOf(notebook) {
    if (notebook.uri.scheme === "file") return path.dirname(notebook.uri.fsPath);
    const ws = vscode.workspace.workspaceFolders?.[0];
    return ws?.uri.scheme === "file" ? ws.uri.fsPath : os.homedir();
  },
  join: (dir, name) => path.join(dir, name),
  resolve: (folder, input) => path.resolve(folder, input),
  uri: (p) => vscode.Uri.file(p),
};

export function nodePlatform(context: vscode.ExtensionContext): Platform {
  const typesDir = context.asAbsolutePath("dist/types");
  const workerScript = context.asAbsolutePath("dist/intellisenseWorker.js");
  const missing = [`${typesDir}/typings.json`, workerScript].filter((f) => !existsSync(f));
  if (missing.length > 0) console.error(`[rnn-notebook] IntelliSense disabled: ${missing.join(", ")} missing (run the build)`);
  return {
    kind: "node",
    kernel: (notebook, options, closedTimeoutMs) => new KernelClient({
      ...options,
      kernelPath: context.asAbsolutePath(path.join("dist", "kernel.js")),
      cwd: paths.folderOf(notebook),
      detached: { key: notebook.uri.toString(), idleMs: closedTimeoutMs },
    }),
    mayHaveLeftKernel: (notebook) => hasKernelRecord(notebook.uri.toString()),
    intellisenseWorker: missing.length > 0 ? undefined : () => nodeWorkerPort(workerScript, { typesDir }),
    paths,
  };
}
