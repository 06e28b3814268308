/**
 * Inspection requests (protocol "inspect"), answered from the live bindings without running a cell:
 * the models among the top-level variables, and one variable's summary payload. Runs whenever the
 * kernel's event loop is free — when idle and between the batches of a running fit.
 */
import type { ExportPyTorchResult, InspectQuery, LiveModel } from "../shared/protocol";
import { MIME } from "../shared/mime";
import type { SummaryPayload } from "../shared/payloads";
import { exportLiveModel } from "./interop";
import { richBundle } from "./rich";
import type { Sandbox } from "./sandbox";

type Obj = Record<string, unknown>;

/** A model as the engine makes them: something with countParams() and summary(). */
function isModel(v: unknown): v is Obj & { countParams(): number; summary(): unknown } {
  return typeof v === "object" && v !== null && typeof (v as Obj).countParams === "function" && typeof (v as Obj).summary === "function";
}

/** "Sequential", or for PyTorch-family modules the name of their repr (`LSTM(28, 256)` → "nn.LSTM"). */
function typeName(v: object): string {
  const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
  if (ctor !== "Sequential" && typeof v.toString === "function" && v.toString !== Object.prototype.toString) {
    const repr = /^([A-Za-z]\w*)\(/.exec(String(v));
    if (repr) return ctor?.startsWith("Torch") ? `nn.${repr[1]}` : repr[1];
  }
  return ctor && ctor !== "Object" ? ctor : "Model";
}

export function inspectQuery(query: InspectQuery, sandbox: Sandbox, _rnn: unknown):
  LiveModel[] | SummaryPayload | ExportPyTorchResult | { error: string } | null {
  const g = globalThis as Obj;
  if (query.kind === "models") {
    const out: LiveModel[] = [];
    for (const name of sandbox.bindings) {
      const v = g[name];
      if (!isModel(v)) continue;
      let totalParams = NaN;
      try {
        totalParams = v.countParams();
      } catch {
        // a model in a broken state is still listed
      }
      out.push({ name, type: typeName(v), totalParams });
    }
    return out;
  }
  if (query.kind === "summary") {
    const v = g[query.name];
    if (!sandbox.bindings.has(query.name) || !isModel(v)) return null;
    if (query.convention) {
      // the engine's summary({ convention }) returns the payload (plain data; toJSON drops its methods)
      const s = (v.summary as (o: { convention: string }) => { toJSON?(): unknown })({ convention: query.convention });
      const payload = JSON.parse(JSON.stringify(s)) as SummaryPayload;
      if (payload?.convention === query.convention) return payload;
    }
    const bundle = richBundle(v);
    return (bundle?.[MIME.summary] as SummaryPayload | undefined) ?? null;
  }
  if (query.kind === "exportPyTorch") return exportLiveModel(query.name, query.dir, sandbox.bindings);
  return null;
}
