/**
 * The model under analysis, seen the same way for both families: its sequences one at a time, the
 * states of one recurrent layer per sequence (through the recording contract, recording.ts), and the
 * vector–Jacobian products of its per-timestep output (through the layers' own backward passes).
 *
 * Dimension letters: N sequences, T timesteps, F input features at the differentiated point, O outputs
 * per timestep, K units of the analysed layer (D·H: both directions of a bidirectional layer side by
 * side, forward first, as the layer's output), R rows of a batched backward.
 *
 * Layouts: `rnn.sequential` models take batch-major [N, …inputShape]; `rnn.nn` modules take their own
 * layout ([T, N, I], or [N, T, I] with batchFirst) or one unbatched sequence [T, I].
 * Porting note: an `rnn.nn` module in training mode (PyTorch's default) applies inter-layer dropout;
 * analyses run it in eval mode and restore its mode afterwards, as `torch.no_grad()` + `model.eval()`
 * would in a PyTorch notebook.
 */
import { noGrad } from "../autograd/graph";
import { Sequential } from "../model";
import { TorchRecurrent } from "../nn/recurrent";
import { copySequence } from "../ops";
import { Rng } from "../random";
import type { Recording, RecurrentRecording } from "../recording";
import { allocFloats, asTensor, Tensor, type FloatArray, type TensorLike } from "../tensor";

/** A model the analyses accept: an `rnn.sequential` model or an `rnn.nn` recurrent module (RNN, LSTM, GRU). */
export type AnalysedModel = Sequential | TorchRecurrent;

/** Throws unless `model` is one of the two families, naming what was given. */
export function checkModel(model: unknown, where: string): AnalysedModel {
  if (model instanceof Sequential || model instanceof TorchRecurrent) return model;
  const what = model === null || typeof model !== "object" ? String(model) : (model as { className?: unknown }).className ?? "an object";
  throw new Error(`${where}: expected an rnn.sequential model or an rnn.nn.RNN/LSTM/GRU module, got ${String(what)}`);
}

/** Runs fn with an `rnn.nn` module in eval mode (no inter-layer dropout), restoring its mode after. */
export function inEvalMode<R>(model: AnalysedModel, fn: () => R): R {
  if (!(model instanceof TorchRecurrent)) return fn();
  const was = model.training;
  model.eval();
  try {
    return fn();
  } finally {
    model.train(was);
  }
}

/**
 * The sequences of a batch, each as a batch of one in the model's layout (an `rnn.nn` module gets the
 * unbatched [T, I]). One sequence per recording keeps the cost at one forward over the data instead
 * of one forward of the whole batch per sequence.
 */
export function splitSequences(model: AnalysedModel, x: TensorLike, where: string): Tensor[] {
  if (model instanceof Sequential) {
    const per = model.inputShape.length;
    let t = asTensor(x, model.dtype);
    if (t.rank === per) t = t.reshape([1, ...t.shape]); // one sequence without the batch axis
    const xs = model.input(t);
    const N = xs.shape[0];
    return Array.from({ length: N }, (_, n) => xs.slice(n, n + 1));
  }
  const t = asTensor(x, model.dtype);
  const I = model.inputSize;
  if (t.rank === 2 && t.shape[1] === I) return [t];
  if (t.rank !== 3 || t.shape[2] !== I) {
    const layout = model.batchFirst ? `[sequences, timesteps, ${I}]` : `[timesteps, sequences, ${I}]`;
    throw new Error(`${where}: ${model.name} expects ${layout} (or one sequence [timesteps, ${I}]) but got [${t.shape.join(", ")}]`);
  }
  const [T, N] = model.batchFirst ? [t.shape[1], t.shape[0]] : [t.shape[0], t.shape[1]];
  const all = allocFloats(N * T * I, model.dtype);
  copySequence(T, N, I, { data: t.data, batchMajor: model.batchFirst }, { data: all, batchMajor: true });
  return Array.from({ length: N }, (_, n) => new Tensor(all.slice(n * T * I, (n + 1) * T * I), [T, I]));
}

/** Which state of a recurrent layer: the hidden state h, or an LSTM's cell state c. */
export type StateName = "h" | "c";

/** States of the analysed layer for one sequence: [T, K] row-major, plus what the layer is. */
export interface LayerStates {
  /** [T, K] values, float64. */
  values: Float64Array;
  T: number;
  K: number;
  /** The recording entries joined (one per direction). */
  entries: RecurrentRecording[];
}

/**
 * The state `state` of recurrent layer `layer` (default: the model's last recurrent layer) for one
 * sequence `x` (a batch of one from splitSequences), via `record(x, undefined, { gates: true })`.
 */
export function layerStates(model: AnalysedModel, x: Tensor, layer: number | undefined, state: StateName, where: string): LayerStates {
  let rec: Recording;
  try {
    rec = inEvalMode(model, () => model.record(x, undefined, layer === undefined ? { gates: true } : { gates: true, layer }));
  } catch (e) {
    if (e instanceof Error) e.message = `${where}: ${e.message}`;
    throw e;
  }
  if (rec.layers.length === 0) throw new Error(`${where}: model "${model.name}" has no recurrent layer`);
  const index = layer ?? Math.max(...rec.layers.map((r) => r.index));
  const entries = rec.layers.filter((r) => r.index === index);
  const parts = entries.map((r) => {
    const g = r.gates[state];
    if (!g) throw new Error(`${where}: layer ${index} "${r.name}" is a ${r.type} layer, which has no state "${state}" (only LSTM layers have a cell state c; use state: "h")`);
    return g;
  });
  const [T] = parts[0].shape;
  const K = parts.reduce((a, p) => a + p.shape[1], 0);
  const values = new Float64Array(T * K);
  let col = 0;
  for (const p of parts) {
    const H = p.shape[1];
    for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) values[t * K + col + j] = p.data[t * H + j];
    col += H;
  }
  return { values, T, K, entries };
}

/**
 * One sequence as a differentiable function of its per-timestep inputs: y [T, O] and vector–Jacobian
 * products dy ↦ dx for R copies of the sequence at once (batch rows are independent in inference, so
 * row r of dx is ∂(Σ dy[r]·y)/∂x).
 */
export interface SequenceFunction {
  T: number;
  /** Features of x_s: the model's input features, or the embedded vector when the first layer is an embedding. */
  F: number;
  O: number;
  /** y of the sequence, [T, O] row-major. */
  y: FloatArray;
  /** dy [R, T, O] batch-major → dx [R, T, F] batch-major (one forward and one backward over R rows). */
  vjp(R: number, dy: FloatArray): FloatArray;
}

/**
 * The differentiable view of one sequence x (a batch of one from splitSequences). For a Sequential
 * whose first layer is an embedding, x_s is the embedded vector of step s (indices have no gradient).
 * Throws unless the output has one row per input timestep.
 */
export function sequenceFunction(model: AnalysedModel, x: Tensor, where: string): SequenceFunction {
  if (model instanceof Sequential) return sequentialFunction(model, x, where);
  const m = model;
  const [T, I] = x.shape;
  const O = (m.bidirectional ? 2 : 1) * m.hiddenSize;
  const run = (R: number, xs: FloatArray): Tensor => {
    // The module's own layout: batch-major with batchFirst, else time-major.
    const input = allocFloats(R * T * I, m.dtype);
    copySequence(T, R, I, { data: xs, batchMajor: true }, { data: input, batchMajor: m.batchFirst });
    // No graph: nothing backpropagates through an analysis run.
    return noGrad(() => m.forward(new Tensor(input, m.batchFirst ? [R, T, I] : [T, R, I]))).output;
  };
  const y = inEvalMode(m, () => run(1, x.data)).data;
  return {
    T, F: I, O, y,
    vjp(R, dy) {
      const xs = allocFloats(R * T * I, m.dtype);
      for (let r = 0; r < R; r++) xs.set(x.data, r * T * I);
      return inEvalMode(m, () => {
        run(R, xs);
        const d = allocFloats(R * T * O, m.dtype);
        copySequence(T, R, O, { data: dy, batchMajor: true }, { data: d, batchMajor: m.batchFirst });
        const dx = m.backward(new Tensor(d, m.batchFirst ? [R, T, O] : [T, R, O])).dx;
        const out = allocFloats(R * T * I, m.dtype);
        copySequence(T, R, I, { data: dx.data, batchMajor: m.batchFirst }, { data: out, batchMajor: true });
        return out;
      });
    },
  };
}

function sequentialFunction(model: Sequential, x: Tensor, where: string): SequenceFunction {
  const ctx = { training: false, rng: new Rng(0) };
  const layers = model.layers;
  // Indices have no gradient: differentiate with respect to what the embedding makes of them.
  const start = layers[0].type === "embedding" ? 1 : 0;
  let x0 = x;
  for (let i = 0; i < start; i++) x0 = layers[i].forward(x0, ctx);
  if (start === layers.length) throw new Error(`${where}: model "${model.name}" has nothing after its embedding to differentiate`);
  const forward = (xs: Tensor): Tensor => {
    let h = xs;
    for (let i = start; i < layers.length; i++) h = layers[i].forward(h, ctx);
    return h;
  };
  const out = forward(x0);
  const T = x0.shape[1];
  if (x0.rank !== 3 || out.rank !== 3 || out.shape[1] !== T) {
    const inShape = `(None, ${x.shape.slice(1).join(", ")})`;
    throw new Error(`${where}: needs an output per timestep, (None, ${T}, outputs), but model "${model.name}" maps input ${inShape} to `
      + `(None, ${out.shape.slice(1).join(", ")}); give its recurrent layers returnSequences: true (and a dense layer after them works per step)`);
  }
  const F = x0.shape[2], O = out.shape[2];
  return {
    T, F, O, y: out.data,
    vjp(R, dy) {
      const xs = allocFloats(R * T * F, model.dtype);
      for (let r = 0; r < R; r++) xs.set(x0.data, r * T * F);
      forward(new Tensor(xs, [R, T, F]));
      let d = new Tensor(dy, [R, T, O]);
      for (let i = layers.length - 1; i >= start; i--) d = layers[i].backward(d);
      return d.data;
    },
  };
}
