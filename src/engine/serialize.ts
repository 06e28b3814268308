/**
 * The model file: a whole Keras-family model (architecture + weights) in bytes — `model.toBytes()` /
 * `rnn.modelFromBytes(bytes)`, and through the host's files `model.save(path)` / `rnn.load(path)`.
 * This file knows the format, not the model class: it writes from and reads into plain parts
 * (ModelFileSource, ModelFileContents) and model.ts builds the Sequential, so neither imports the other.
 *
 * Layout (version 1, all integers little-endian):
 *   bytes 0–7    magic "RNNMODEL"
 *   bytes 8–11   u32 format version (1)
 *   bytes 12–15  u32 n = byte length of the header
 *   bytes 16…    header: UTF-8 JSON, padded with spaces so the body starts at a multiple of 4
 *   body         float32 weights, one after another, in the header's `weights` order
 * Header: { format: "rnn-notebook-model", version: 1, name, inputShape, dtype (the model's compute
 * dtype; the body is always float32), layers: [layer config …], weights: [{ key, shape, offset,
 * length }] (offset/length in float32 elements), vocab?: string[] (model.vocab's characters) }.
 * Layer configs are the layers' own `config` objects (type + options), so a file is readable by eye.
 * Readers reject a newer version with a clear message instead of guessing.
 *
 * Optimizer state (a checkpoint, `model.save(path, { optimizer })`): an optional header key
 * `optimizer: { name, config, lr, steps, state: [{ key, slot, offset, length }] }` whose buffers
 * (Adam's m and v, momentum, …, per weight key) follow the weights in the body, float32 like them.
 * It needs no new version: readers that do not know the key ignore it and the bytes after the weights.
 * Porting note: the body is float32, so a float64 model resumes from float32-rounded weights and state.
 */
import type { Layer, LayerConfigData, Param } from "./layer";
import { charVocab, type CharVocab } from "./text";
import { Tensor, type DType } from "./tensor";
import { adam, rmsprop, sgd, type Optimizer } from "./optim";
import { hostFiles } from "./host";
import { bidirectional } from "./layers/bidirectional";
import { dense, type DenseOptions } from "./layers/dense";
import { dropout } from "./layers/dropout";
import { embedding, type Embedding } from "./layers/embedding";
import { flatten } from "./layers/flatten";
import { gru } from "./layers/gru";
import type { KerasRecurrentOptions } from "./layers/kerasRecurrent";
import { lstm } from "./layers/lstm";
import { simpleRNN } from "./layers/simpleRnn";
import { timeDistributed } from "./layers/timeDistributed";
import { repeatVector } from "./layers/repeatVector";
import { masking } from "./layers/masking";
import { add, concatenate } from "./layers/merge";
import { additiveAttention, attention } from "./layers/attention";

const MAGIC = "RNNMODEL";

/** Whether bytes start like a whole-model file (`model.toBytes()`), e.g. to tell it from a weights-only safetensors file. */
export function isModelFile(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.split("").every((ch, i) => bytes[i] === ch.charCodeAt(0));
}
/**
 * Newest model-file format version this engine reads (`model.toBytes()`, `model.save(path)`); loading a
 * newer one fails with a clear message. rnn.sequential models are written as version 1 (so older engines
 * still read them), functional models (rnn.model, with a `graph`) as version 2.
 */
export const MODEL_FILE_VERSION = 2;

/** A tensor of a functional model's graph: [−1, i] is model input i, [n, k] output k of node n. */
export type TensorRef = [number, number];

/** A functional model's graph in a model file: its inputs, the layer calls in topological order, its outputs. */
export interface GraphSpec {
  inputs: { name: string; shape: (number | null)[]; dtype: string }[];
  /** `layer` indexes the header's `layers`; `inputs` are the call's tensors (main, initial states, mask). */
  nodes: { layer: number; inputs: TensorRef[]; main: number; states: number; mask: boolean; training?: boolean; returnAttentionScores?: boolean; useCausalMask?: boolean }[];
  outputs: TensorRef[];
}

interface Header {
  format: "rnn-notebook-model";
  version: number;
  name: string;
  inputShape: (number | null)[];
  dtype: DType;
  layers: LayerConfigData[];
  weights: { key: string; shape: number[]; offset: number; length: number }[];
  vocab?: string[];
  graph?: GraphSpec;
  optimizer?: OptimizerHeader;
}

/** The optimizer section of a checkpoint's header (see the file header). */
interface OptimizerHeader {
  name: string;
  config: Record<string, number | boolean>;
  lr: number;
  steps: number;
  /** Buffer `slot` of the state of weight `key`, at `offset` float32 elements after the body start. */
  state: { key: string; slot: number; offset: number; length: number }[];
}

/** What a model file is written from: a Sequential model, seen through the parts the format stores. */
export interface ModelFileSource {
  readonly name: string;
  readonly inputShape: readonly (number | null)[];
  readonly dtype: DType;
  readonly layers: readonly Layer[];
  /** Every weight once, with its `layer/weight` key, in Keras `get_weights()` order. */
  weightEntries(): { key: string; param: Param }[];
  /** A character vocabulary (rnn.text.charVocab) whose characters are stored with the model. */
  readonly vocab: unknown;
  /** A functional model's graph (absent for rnn.sequential). */
  readonly graph?: GraphSpec;
}

/** What a model file holds, ready for the Sequential constructor; model.ts assembles the model. */
export interface ModelFileContents {
  name: string;
  inputShape: (number | null)[];
  dtype: DType;
  /** Fresh, unbuilt layers from the stored configs. */
  layers: Layer[];
  /** The stored weight `key` as a float32 tensor of its stored shape; throws when it is missing, has another size or is cut off. */
  weight(key: string, length: number): Tensor;
  vocab?: CharVocab;
  /** A functional model's graph over `layers` (absent for rnn.sequential). */
  graph?: GraphSpec;
  /** The optimizer saved with the weights (a checkpoint), or undefined. */
  optimizer?: OptimizerHeader;
  /** Buffer `slot` of the saved optimizer state of weight `key` (optimizer.state lists them). */
  optimizerSlot?(key: string, slot: number): Float32Array;
}

/** What `model.save(path, options)` / `model.toBytes(options)` add to the model. */
export interface SaveOptions {
  /** Also store this optimizer's state (step count, Adam moments, momentum, …) so `rnn.loadOptimizer` can resume training. */
  optimizer?: Optimizer;
}

/** Serializes architecture and weights, and with `optimizer` its state (see the file header for the layout). */
export function modelToBytes(model: ModelFileSource, options: SaveOptions = {}): Uint8Array {
  const entries = model.weightEntries();
  let offset = 0;
  const weights = entries.map((e) => {
    const w = { key: e.key, shape: e.param.shape.slice(), offset, length: e.param.value.length };
    offset += w.length;
    return w;
  });
  let optimizer: OptimizerHeader | undefined;
  const buffers: ArrayLike<number>[] = entries.map((e) => e.param.value);
  if (options.optimizer !== undefined) {
    const o = options.optimizer;
    if (typeof o.exportState !== "function") throw new Error("model.save: optimizer must be rnn.sgd(…), rnn.rmsprop(…) or rnn.adam(…)");
    const saved = o.exportState(entries.map((e) => e.param));
    optimizer = { name: o.name, config: { ...o.config }, lr: o.lr, steps: o.steps, state: [] };
    saved.forEach((slots, i) => slots.forEach((buf, slot) => {
      optimizer!.state.push({ key: entries[i].key, slot, offset, length: buf.length });
      offset += buf.length;
      buffers.push(buf);
    }));
  }
  const vocab = model.vocab as CharVocab | undefined;
  const version = model.graph ? 2 : 1;
  const header: Header = {
    format: "rnn-notebook-model", version, name: model.name, inputShape: model.inputShape.slice(),
    dtype: model.dtype, layers: model.layers.map((l) => l.config), weights,
    ...(vocab && Array.isArray(vocab.chars) ? { vocab: vocab.chars.slice() } : {}),
    ...(model.graph ? { graph: model.graph } : {}),
    ...(optimizer ? { optimizer } : {}),
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((16 + json.length) % 4)) % 4;
  if (pad) json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(pad));
  const bodyStart = 16 + json.length;
  const bytes = new Uint8Array(bodyStart + offset * 4);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, version, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, 16);
  let p = bodyStart;
  for (const b of buffers) {
    for (let i = 0; i < b.length; i++, p += 4) view.setFloat32(p, b[i], true);
  }
  return bytes;
}

/** Reads `modelToBytes` output into its parts (same layers, names, shapes and weights once assembled). */
export function readModelBytes(bytes: Uint8Array): ModelFileContents {
  if (!(bytes instanceof Uint8Array) || bytes.length < 16) throw new Error("model file: expected the bytes written by model.toBytes()");
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MAGIC) throw new Error(`model file: not an RNN Notebooks model (magic ${JSON.stringify(magic)}, expected "${MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version > MODEL_FILE_VERSION) throw new Error(`model file: version ${version} is newer than this engine reads (${MODEL_FILE_VERSION}); update the extension`);
  const n = view.getUint32(12, true);
  if (16 + n > bytes.length) throw new Error("model file: truncated header");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + n))) as Header;
  if (header.format !== "rnn-notebook-model") throw new Error(`model file: unknown format ${JSON.stringify(header.format)}`);
  const layers: Layer[] = [];
  for (const c of header.layers) layers.push(layerFromConfig(c, layers));
  const bodyStart = 16 + n;
  const byKey = new Map(header.weights.map((w) => [w.key, w]));
  const floats = (offset: number, length: number): Float32Array => {
    if (bodyStart + (offset + length) * 4 > bytes.length) throw new Error("model file: truncated body");
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = view.getFloat32(bodyStart + (offset + i) * 4, true);
    return out;
  };
  const weight = (key: string, length: number): Tensor => {
    const w = byKey.get(key);
    if (!w || w.length !== length) throw new Error(`model file: weight "${key}" is missing or has the wrong size`);
    return new Tensor(floats(w.offset, w.length), w.shape);
  };
  const opt = header.optimizer;
  const optimizerSlot = (key: string, slot: number): Float32Array => {
    const s = opt?.state.find((e) => e.key === key && e.slot === slot);
    if (!s) throw new Error(`model file: no optimizer state ${slot} for weight "${key}"`);
    return floats(s.offset, s.length);
  };
  return { name: header.name, inputShape: header.inputShape, dtype: header.dtype, layers, weight,
    ...(header.vocab ? { vocab: charVocab(header.vocab.join("")) } : {}), ...(header.graph ? { graph: header.graph } : {}),
    ...(opt ? { optimizer: opt, optimizerSlot } : {}) };
}

/**
 * The optimizer stored in a checkpoint (`model.save(path, { optimizer })`), rebuilt with its settings,
 * learning rate, step count and state, for `model`'s weights (the same keys as the saved model's):
 * `fit(x, y, { optimizer: rnn.optimizerFromBytes(bytes, model), initialEpoch })` resumes the run.
 */
export function optimizerFromBytes(bytes: Uint8Array, model: { weightEntries(): { key: string; param: Param }[] }): Optimizer {
  const file = readModelBytes(bytes);
  const o = file.optimizer;
  if (!o || !file.optimizerSlot) throw new Error(`model file: "${file.name}" holds no optimizer state; save it with model.save(path, { optimizer })`);
  const make = o.name === "adam" ? adam : o.name === "sgd" ? sgd : o.name === "rmsprop" ? rmsprop : undefined;
  if (!make) throw new Error(`model file: unknown optimizer ${JSON.stringify(o.name)}`);
  const optimizer = make(o.config as never);
  optimizer.lr = o.lr;
  const entries = model.weightEntries();
  const state = entries.map((e) => o.state.filter((s) => s.key === e.key).sort((a, b) => a.slot - b.slot).map((s) => file.optimizerSlot!(e.key, s.slot)));
  optimizer.importState(entries.map((e) => e.param), state, o.steps);
  return optimizer;
}

/** A layer from its config; `earlier` resolves a dense's tieWeights (an embedding's name). */
export function layerFromConfig(config: LayerConfigData, earlier: readonly Layer[]): Layer {
  const { type, ...rest } = config;
  const opts = rest as Record<string, unknown>;
  switch (type) {
    case "simpleRNN":
      return simpleRNN(opts as unknown as KerasRecurrentOptions);
    case "lstm":
      return lstm(opts as unknown as KerasRecurrentOptions);
    case "gru":
      return gru(opts as unknown as KerasRecurrentOptions);
    case "dense": {
      const { tieWeights, ...d } = opts;
      const tied = tieWeights === undefined ? undefined : findEmbedding(String(tieWeights), earlier);
      return dense({ ...(d as unknown as DenseOptions), ...(tied ? { tieWeights: tied } : {}) });
    }
    case "embedding":
      return embedding(opts as never);
    case "dropout":
      return dropout(opts as never);
    case "flatten":
      return flatten(opts as never);
    case "timeDistributed":
      return timeDistributed(layerFromConfig(opts.layer as LayerConfigData, earlier), { name: opts.name as string });
    case "masking":
      return masking(opts as never);
    case "repeatVector":
      return repeatVector(opts.n as number, { name: opts.name as string });
    case "concatenate":
      return concatenate(opts as never);
    case "add":
      return add(opts as never);
    case "attention":
      return attention(opts as never);
    case "additiveAttention":
      return additiveAttention(opts as never);
    case "bidirectional":
      return bidirectional(layerFromConfig(opts.layer as LayerConfigData, earlier), { name: opts.name as string });
    default:
      throw new Error(`model file: unknown layer type ${JSON.stringify(type)}`);
  }
}

function findEmbedding(name: string, earlier: readonly Layer[]): Embedding {
  // By the Layer contract's type tag rather than the class, like every other layer question the engine asks.
  for (const l of earlier) if (l.type === "embedding" && l.name === name) return l as Embedding;
  throw new Error(`model file: dense ties its weights to "${name}", which is not an earlier embedding layer`);
}

/**
 * `rnn.loadOptimizer(path, model)`: the optimizer saved in a checkpoint file (`model.save(path, { optimizer })`
 * or rnn.callbacks.modelCheckpoint), for `model` — usually the model loaded from the same file. Relative paths
 * start at the notebook's folder.
 */
export function loadOptimizer(path: string, model: { weightEntries(): { key: string; param: Param }[] }): Optimizer {
  const files = hostFiles("rnn.loadOptimizer(path, model)", "rnn.optimizerFromBytes(bytes, model)");
  if (typeof path !== "string" || path === "") throw new TypeError("expected a file path (a string, relative to the notebook's folder)");
  const file = files.resolve(path);
  const bytes = files.read(file);
  if (!bytes) throw new Error(`cannot read ${path}: no such file (${file})`);
  return optimizerFromBytes(bytes, model);
}
