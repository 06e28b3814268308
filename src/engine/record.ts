/**
 * `Sequential.record` (the recording contract of recording.ts for the Keras family): one forward, and
 * with y one backward, in inference mode with the layers' instrumentation on; then each recurrent
 * layer's recordings (`Layer.recordings`) become contract entries. Parameter gradients are left zeroed,
 * so recording between fits changes nothing.
 */
import type { Sequential } from "./model";
import { zeroGrads } from "./layer";
import { checkKeys } from "./options";
import { Rng } from "./random";
import { asTensor, Tensor, type TensorLike } from "./tensor";
import { noGrad } from "./autograd/graph";
import type { GateName, LayerRecording } from "./layer";
import { computeLoss } from "./loss";
import { checkBatchIndex, newRecordingSession, RECORDING_OPTIONS, resolveRecordingOptions, sequenceRecording, seriesRecording, withRecording,
  type Recording, type RecordingOptions } from "./recording";

export function recordSequential(model: Sequential, x: TensorLike, y: TensorLike | undefined, options: RecordingOptions): Recording {
  const where = `model "${model.name}" record`;
  checkKeys(options, RECORDING_OPTIONS, where);
  const o = resolveRecordingOptions(options ?? {}, y !== undefined, where);
  if (o.layer !== undefined) checkRecurrentLayer(model, o.layer, where);
  const xs = model.input(x);
  checkBatchIndex(o.batchIndex, xs.shape[0], where);
  const ctx = { training: false, rng: new Rng(0), record: { gates: o.gates, gradNorms: o.gradNorms }, tbptt: o.tbptt };
  const result: Recording = { batchIndex: o.batchIndex, layers: [] };
  if (y !== undefined) {
    result.loss = model.lossAndBackward(xs, y, o.loss, ctx);
    zeroGrads(model.params());
  } else {
    model.forwardPass(xs, ctx);
  }
  model.layers.forEach((layer, index) => {
    if (o.layer !== undefined && index !== o.layer) return;
    for (const r of layer.recordings?.() ?? []) result.layers.push(sequenceRecording(r, index, r.layer, o.batchIndex));
  });
  return result;
}

/** Throws unless model.layers[i] exists and has a recurrence, naming it and the recurrent layers there are. */
function checkRecurrentLayer(model: Sequential, i: number, where: string): void {
  const recurrent = model.layers.map((l, k) => ({ l, k })).filter(({ l }) => typeof l.recordings === "function");
  const list = recurrent.length ? `its recurrent layers: ${recurrent.map(({ l, k }) => `${k} "${l.name}" (${l.className})`).join(", ")}` : "it has no recurrent layer";
  const layer = model.layers[i];
  if (!layer) throw new Error(`${where}: layer ${i} does not exist (the model has ${model.layers.length} layers, 0–${model.layers.length - 1}); ${list}`);
  if (typeof layer.recordings !== "function") throw new Error(`${where}: layer ${i} "${layer.name}" (${layer.className}) is not a recurrent layer; ${list}`);
}

/** Options of `module.record(x, y?, options)`: the recording options, plus a loss written as a function. */
export interface ModuleRecordingOptions extends RecordingOptions {
  /**
   * The loss of the forward's output against y as a scalar tensor, e.g. `(out, y) => F.mseLoss(out, y)`
   * — used instead of the named `loss`; a module may also define a `lossFn(output, y)` method.
   */
  lossFn?: (output: Tensor, y: Tensor) => Tensor;
}

/** What recordModule needs of a Module (nn/baseModule.ts; a type, so this file does not load it). */
interface RecordedModule {
  training: boolean;
  forward(...args: unknown[]): unknown;
  train(mode?: boolean): unknown;
  parameters(): Tensor[];
  namedModules(): [string, object][];
  lossFn?: (output: Tensor, y: Tensor) => Tensor;
}

/**
 * `Module.record` (the recording contract of recording.ts for PyTorch-style Modules): one forward in
 * evaluation mode with a recording running, so every cell that records (`this.record("f", f)` in a
 * user's forward, the built-in nn cells) and every fused nn.RNN/LSTM/GRU inside keeps its gates; with
 * y, the loss and one backward, the recorded states keeping their gradients for ‖∂L/∂h_t‖.
 *
 * The loss: `options.lossFn(output, y)`, else the module's own `lossFn(output, y)` method, else the
 * named `options.loss` ("mse" by default) on the output tensor. The output is what forward returns
 * when it is a tensor, else its first element (an array such as [output, state]) or, of an object,
 * its `output` field or else its first tensor field ({ logits, weights } → logits). x may be an
 * array of tensors: they become forward's arguments (forward(src, tgtIn)).
 * Training mode and every parameter's gradient are restored afterwards, so recording between
 * training steps changes nothing.
 *
 * One recording entry per module that recorded (per stacked layer and direction of a fused layer),
 * in the order they first ran, `index` counting them; a module called several times (a cell over T
 * steps, a decoder called step by step) has its calls joined along time.
 */
export function recordModule(model: RecordedModule, x: TensorLike | readonly Tensor[], y: TensorLike | undefined,
                             options: ModuleRecordingOptions = {}): Recording {
  const where = `${model.constructor.name}.record`;
  checkKeys(options, [...RECORDING_OPTIONS, "lossFn"], where);
  const o = resolveRecordingOptions(options, y !== undefined, where);
  if (o.tbptt !== undefined) throw new Error(`${where}: tbptt applies to the built-in layers' fit and record, not to a Module's forward`);
  const lossFn = options.lossFn ?? (typeof model.lossFn === "function" ? model.lossFn.bind(model) : undefined);
  if (lossFn !== undefined && typeof lossFn !== "function") throw new Error(`${where}: lossFn must be a function (output, y) => scalar tensor`);
  const args: unknown[] = Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof Tensor) ? [...x] : [x];
  const session = newRecordingSession(o.gates, o.gradNorms);
  const params = model.parameters();
  const savedGrads = params.map((p) => p.grad?.data.slice() ?? null);
  const wasTraining = model.training;
  const result: Recording = { batchIndex: o.batchIndex, layers: [] };
  model.train(false);
  try {
    withRecording(session, () => {
      if (y === undefined) {
        noGrad(() => model.forward(...args));
        return;
      }
      const out = outputOf(model.forward(...args), where);
      const target = asTensor(y, out.dtype);
      if (lossFn) {
        const loss = lossFn(out, target);
        if (!(loss instanceof Tensor) || loss.size !== 1) throw new Error(`${where}: lossFn must return a one-element tensor (the loss), got ${loss instanceof Tensor ? `shape [${loss.shape.join(", ")}]` : typeof loss}`);
        result.loss = loss.item();
        loss.backward();
      } else {
        const { value, grad } = computeLoss(o.loss, out.data, out.shape, target.data);
        result.loss = value;
        out.backward(new Tensor(grad, out.shape));
      }
    });
  } finally {
    model.train(wasTraining);
    params.forEach((p, i) => {
      const g = savedGrads[i];
      if (g && p.grad) p.grad.data.set(g);
      else if (!g) p.grad = null;
    });
  }
  const names = new Map<object, string>(model.namedModules().map(([n, m]) => [m, n || model.constructor.name]));
  let index = 0;
  for (const owner of session.owners) {
    const name = names.get(owner) ?? (owner as { name?: string }).name ?? owner.constructor.name;
    const series = session.steps.get(owner);
    if (series) {
      if (o.layer === undefined || o.layer === index) result.layers.push(seriesRecording(series, index, name, o.batchIndex, o.gradNorms, o.gates));
      index++;
    }
    const calls = session.fused.get(owner);
    if (calls) {
      const joined = joinCalls(calls, name);
      for (const r of joined) {
        const i = index + r.index;
        if (o.layer !== undefined && o.layer !== i) continue;
        const B = r.gates ? Object.values(r.gates)[0]?.shape[0] : undefined;
        if (B !== undefined) checkBatchIndex(o.batchIndex, B, where);
        result.layers.push(sequenceRecording(r, i, r.layer, o.batchIndex));
      }
      index += Math.max(0, ...joined.map((r) => r.index + 1));
    }
  }
  return result;
}

/**
 * The tensor a loss is taken of: forward's result, its first element (`[output, state]`), or of an
 * object its `output` field, else its first tensor field (`{ logits, weights }` → logits).
 */
function outputOf(v: unknown, where: string): Tensor {
  let out: unknown = v instanceof Tensor ? v : Array.isArray(v) ? v[0] : undefined;
  if (out === undefined && v !== null && typeof v === "object") {
    const fields = v as Record<string, unknown>;
    out = fields.output instanceof Tensor ? fields.output : Object.values(fields).find((f) => f instanceof Tensor);
  }
  if (!(out instanceof Tensor)) {
    throw new Error(`${where}: forward must return a tensor (or [tensor, …], or an object with a tensor field such as { output } or { logits }) to take a loss of`);
  }
  return out;
}

/** Per stacked layer and direction, the calls of one fused layer joined along time (gates [B, ΣT, H], norms ΣT). */
function joinCalls(calls: LayerRecording[][], name: string): LayerRecording[] {
  if (calls.length === 1) return calls[0].map((r) => ({ ...r, layer: `${name} layer ${r.index}` }));
  const out: LayerRecording[] = [];
  for (const first of calls[0]) {
    const parts = calls.map((c) => c.find((r) => r.index === first.index && r.direction === first.direction)).filter((r): r is LayerRecording => !!r);
    const joined: LayerRecording = { ...first, layer: `${name} layer ${first.index}` };
    if (first.gates) {
      const gates: LayerRecording["gates"] = {};
      for (const g of Object.keys(first.gates) as GateName[]) gates[g] = catTime(parts.map((p) => p.gates![g]!));
      joined.gates = gates;
    }
    if (first.gradNorms) {
      const cat = (k: "h" | "c"): Float64Array => Float64Array.from(parts.flatMap((p) => Array.from(p.gradNorms?.[k] ?? [])));
      joined.gradNorms = first.gradNorms.c ? { h: cat("h"), c: cat("c") } : { h: cat("h") };
    }
    out.push(joined);
  }
  return out;
}

/** [B, T_k, H] tensors joined along T. */
function catTime(ts: Tensor[]): Tensor {
  const [B, , H] = ts[0].shape;
  const T = ts.reduce((n, t) => n + t.shape[1], 0);
  const out = new Float64Array(B * T * H);
  for (let b = 0; b < B; b++) {
    let t0 = 0;
    for (const t of ts) {
      const Tk = t.shape[1];
      out.set(t.data.subarray(b * Tk * H, (b + 1) * Tk * H), (b * T + t0) * H);
      t0 += Tk;
    }
  }
  return new Tensor(ts[0].dtype === "float64" ? out : Float32Array.from(out), [B, T, H]);
}
