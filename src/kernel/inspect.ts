/**
 * Inspection requests (protocol "inspect"), answered from the live bindings without running a cell:
 * the models among the top-level variables, one variable's summary payload, a PyTorch export, an
 * editable view recomputed on an edited input (src/kernel/whatIf.ts). Runs
 * whenever the kernel's event loop is free — when idle and between the batches of a running fit.
 */
import type { InspectQuery, InspectResult, LiveModel } from "../shared/protocol";
import { MIME } from "../shared/mime";
import type { SummaryPayload } from "../shared/payloads";
import { exportLiveModel, exportLiveTraining } from "./interop";
import { richBundle } from "./rich";
import type { Sandbox } from "./sandbox";
import { whatIfViews } from "./whatIf";

type Obj = Record<string, unknown>;

/** A model as the engine makes them: something with countParams() and summary(). */
type Model = Obj & { countParams(): number; summary(): unknown; className?: unknown; type?: unknown };

function isModel(v: unknown): v is Model {
  return typeof v === "object" && v !== null && typeof (v as Obj).countParams === "function" && typeof (v as Obj).summary === "function";
}

/**
 * The class a models list shows: a PyTorch-family module by the name the user made it with
 * (`type` "nn.LSTM", as its summary shows it), anything else by the engine's `className`
 * ("Sequential", "LSTM", "Dense"). constructor.name would not do for those: the production bundle
 * is minified. A user's `class Seq2Seq extends rnn.nn.Module` is cell code, never minified: its own
 * class name is the one to show.
 */
export function typeName(v: Pick<Model, "className" | "type">): string {
  if (typeof v.type === "string" && v.type.startsWith("nn.")) return v.type;
  if (typeof v.className === "string") return v.className;
  const own = (v.constructor as { name?: unknown } | undefined)?.name;
  return typeof own === "string" && own !== "" ? own : "Model";
}

function liveModels(sandbox: Sandbox): InspectResult<"models"> {
  const g = globalThis as Obj;
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

function summaryOf(query: InspectQuery<"summary">, sandbox: Sandbox): InspectResult<"summary"> {
  const v = (globalThis as Obj)[query.name];
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

/** Answers one query; each kind's answer has the type InspectKinds names for it. */
export function inspectQuery(query: InspectQuery, sandbox: Sandbox): InspectResult {
  switch (query.kind) {
    case "models": return liveModels(sandbox);
    case "summary": return summaryOf(query, sandbox);
    case "exportPyTorch": return exportLiveModel(query.name, query.dir, sandbox.bindings);
    case "whatIf": return whatIfViews.run(query.view, query.handle, query.input);
    case "exportTraining": return exportLiveTraining(query, sandbox.bindings);
  }
}
