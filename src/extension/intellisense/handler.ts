/**
 * The IntelliSense worker's work, whatever runs it (a Node worker thread: worker.ts; a Web Worker in
 * VS Code's web host: webWorker.ts): one NotebookLanguageService per open notebook, answering the
 * requests of protocol.ts one at a time. No vscode import, no Node built-in.
 */
import { NotebookLanguageService } from "./languageService";
import type { Op, Ops, WorkerRequest, WorkerResponse } from "./protocol";
import type { TypeFiles } from "./typeFiles";

/** Answers requests; `loadTypes` is called once, on the first request that needs the declarations. */
export function requestHandler(loadTypes: () => TypeFiles): (request: WorkerRequest) => WorkerResponse {
  let types: TypeFiles | undefined;
  const services = new Map<string, NotebookLanguageService>();

  function serviceFor(notebook: string, request: WorkerRequest): NotebookLanguageService {
    types ??= loadTypes();
    let service = services.get(notebook);
    if (!service) {
      service = new NotebookLanguageService(types);
      services.set(notebook, service);
    }
    if (request.cells) service.update(request.cells);
    return service;
  }

  function handle(request: WorkerRequest): unknown {
    const a = request.args as Ops[Op]["args"] & Record<string, never>;
    if (request.op === "typesFileText") {
      types ??= loadTypes();
      return types.files.get((request.args as Ops["typesFileText"]["args"]).path);
    }
    if (request.op === "close") {
      services.get(request.notebook)?.dispose();
      services.delete(request.notebook);
      return undefined;
    }
    const service = serviceFor(request.notebook, request);
    switch (request.op) {
      case "completions": {
        const { id, offset, trigger, omitBuiltinDuplicates } = a as Ops["completions"]["args"];
        return service.completions(id, offset, trigger, omitBuiltinDuplicates);
      }
      case "completionDetails": {
        const { id, offset, entry } = a as Ops["completionDetails"]["args"];
        return service.completionDetails(id, offset, entry);
      }
      case "quickInfo": {
        const { id, offset } = a as Ops["quickInfo"]["args"];
        return service.quickInfo(id, offset);
      }
      case "signatureHelp": {
        const { id, offset } = a as Ops["signatureHelp"]["args"];
        return service.signatureHelp(id, offset);
      }
      case "definition": {
        const { id, offset } = a as Ops["definition"]["args"];
        return service.definition(id, offset);
      }
      case "diagnostics":
        return (a as Ops["diagnostics"]["args"]).ids.map((id) => service.diagnostics(id));
      default:
        throw new Error(`unknown IntelliSense request ${String(request.op)}`);
    }
  }

  return (request) => {
    try {
      return { seq: request.seq, result: handle(request) };
    } catch (err) {
      return { seq: request.seq, error: err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err) };
    }
  };
}
