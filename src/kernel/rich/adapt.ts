/**
 * Duck-typing of engine values (the engine is a separate module that may evolve; we read only the
 * documented surface: Tensor `.shape/.data/.dtype/.toArray()`, model `.summary()/.record()`, summary
 * tables, fit histories, recordings) into plain matrices and series for the bundle builders.
 * Nothing here throws on odd input: unknown shapes give undefined and the caller says so.
 */

export interface Matrix {
  rows: number;
  cols: number;
  values: ArrayLike<number | null>;
}

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null;
}

function isNumArray(v: unknown): v is ArrayLike<number> {
  return (ArrayBuffer.isView(v) && !(v instanceof DataView)) || (Array.isArray(v) && v.every((x) => typeof x === "number" || x === null));
}

/** An engine Tensor (or anything shaped like one). */
export interface TensorLike {
  shape: number[];
  data: ArrayLike<number>;
  dtype?: string;
  toArray(): unknown;
}

export function isTensorLike(v: unknown): v is TensorLike {
  return isObject(v) && Array.isArray(v.shape) && v.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)
    && isNumArray(v.data) && typeof v.toArray === "function";
}

/** Shape of nested arrays (first element's path), or undefined if ragged/non-numeric at the leaves. */
export function nestedShape(v: unknown, depth = 0): number[] | undefined {
  if (typeof v === "number" || v === null) return [];
  if (depth > 8) return undefined;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return [(v as unknown as ArrayLike<number>).length];
  if (!Array.isArray(v)) return undefined;
  if (v.length === 0) return [0];
  const inner = nestedShape(v[0], depth + 1);
  return inner ? [v.length, ...inner] : undefined;
}

/** Flattens nested arrays of a known shape (row-major); undefined if ragged. */
export function flatten(v: unknown, shape: number[]): (number | null)[] | undefined {
  const out: (number | null)[] = [];
  const walk = (x: unknown, d: number): boolean => {
    if (d === shape.length) {
      if (typeof x === "number") { out.push(x); return true; }
      if (x === null) { out.push(null); return true; }
      return false;
    }
    const arr = x as ArrayLike<unknown>;
    if (!(Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView))) || arr.length !== shape[d]) return false;
    for (let i = 0; i < arr.length; i++) if (!walk(arr[i], d + 1)) return false;
    return true;
  };
  return walk(v, 0) ? out : undefined;
}

/** Flat data and shape of a tensor, typed array or nested array. */
export function toShaped(v: unknown): { shape: number[]; data: ArrayLike<number | null> } | undefined {
  if (isTensorLike(v)) return { shape: v.shape.slice(), data: v.data };
  if (isObject(v) && Array.isArray(v.shape) && isNumArray(v.data)) return { shape: (v.shape as number[]).slice(), data: v.data };
  const shape = nestedShape(v);
  if (!shape) return undefined;
  if (shape.length === 1 && ArrayBuffer.isView(v)) return { shape, data: v as unknown as ArrayLike<number> };
  const data = flatten(v, shape);
  return data ? { shape, data } : undefined;
}

/**
 * A time × unit matrix from a recording of one gate: [B, T, H] (take batchIndex), [T, H], or [T, B, H]
 * when timeMajor. Returns undefined for anything else.
 */
export function timeUnitMatrix(v: unknown, batchIndex: number, timeMajor = false): Matrix | undefined {
  const s = toShaped(v);
  if (!s) return undefined;
  if (s.shape.length === 2) return { rows: s.shape[0], cols: s.shape[1], values: s.data };
  if (s.shape.length !== 3) return undefined;
  const [a, b, h] = s.shape;
  if (timeMajor) {
    if (batchIndex >= b) return undefined;
    const out = new Array<number | null>(a * h);
    for (let t = 0; t < a; t++) for (let u = 0; u < h; u++) out[t * h + u] = s.data[(t * b + batchIndex) * h + u];
    return { rows: a, cols: h, values: out };
  }
  if (batchIndex >= a) return undefined;
  const off = batchIndex * b * h;
  const out = new Array<number | null>(b * h);
  for (let i = 0; i < b * h; i++) out[i] = s.data[off + i];
  return { rows: b, cols: h, values: out };
}

/** A per-timestep series: [T] as is; [B, T] → Euclidean norm over the batch at each t (the norm of the
 * stacked ∂L/∂h_t of all sequences, as ‖∂L/∂h_t‖ for the whole batch). */
export function timeSeries(v: unknown): (number | null)[] | undefined {
  const s = toShaped(v);
  if (!s) return undefined;
  if (s.shape.length === 1) return Array.from(s.data, (x) => (x === null ? null : Number(x)));
  if (s.shape.length === 2) {
    const [b, t] = s.shape;
    const out: (number | null)[] = [];
    for (let j = 0; j < t; j++) {
      let sum = 0;
      for (let i = 0; i < b; i++) { const x = s.data[i * t + j]; sum += x === null ? NaN : x * x; }
      out.push(Math.sqrt(sum));
    }
    return out;
  }
  return undefined;
}

/** A summary table as returned by `model.summary()` (shaped like SummaryPayload). */
export function isSummaryLike(v: unknown): v is Obj & { layers: unknown[]; totalParams: number } {
  return isObject(v) && Array.isArray(v.layers) && typeof v.totalParams === "number";
}

/** An engine model: has summary() and record() (or fit()). */
export function isModelLike(v: unknown): v is Obj & { summary(): unknown } {
  return isObject(v) && typeof v.summary === "function" && (typeof v.record === "function" || typeof v.fit === "function");
}

export interface HistoryCurves {
  epochs: number[];
  /** Epochs requested, batches per epoch and wall time, when the history says (engine History does). */
  epochsRequested?: number;
  batchesPerEpoch?: number;
  elapsedMs?: number;
  series: { label: string; values: (number | null)[] }[];
  batchLoss?: (number | null)[];
  preClip?: (number | null)[];
  postClip?: (number | null)[];
  interrupted: boolean;
}

const NICE_NAMES: Record<string, string> = {
  loss: "loss", val_loss: "val loss", valLoss: "val loss", perplexity: "perplexity", valPerplexity: "val perplexity",
  val_perplexity: "val perplexity", accuracy: "accuracy", acc: "accuracy", valAccuracy: "val accuracy", val_accuracy: "val accuracy",
};

function numList(v: unknown): (number | null)[] | undefined {
  if (!isNumArray(v)) return undefined;
  return Array.from(v as ArrayLike<number | null>, (x) => (x === null ? null : Number(x)));
}

/**
 * A fit history: Keras/TF.js style `{ epoch: number[], history: { loss: [...], val_loss: [...] } }`, or
 * flat `{ loss: [...], valLoss?: [...], batchLoss?: [...], interrupted? }`, or `{ epochs: [{ loss, valLoss }] }`.
 */
export function historyCurves(v: unknown): HistoryCurves | undefined {
  if (!isObject(v)) return undefined;
  const interrupted = v.interrupted === true;
  let table: Obj | undefined;
  if (isObject(v.history) && numList(v.history.loss)) table = v.history;
  else if (numList(v.loss) && ("epoch" in v || "epochs" in v || "batchLoss" in v || "interrupted" in v || "batches" in v)) table = v;
  else if (Array.isArray(v.epochs) && v.epochs.length > 0 && v.epochs.every((e) => isObject(e) && typeof e.loss === "number")) {
    const rows = v.epochs as Obj[];
    table = {};
    for (const key of Object.keys(rows[0])) {
      if (key === "epoch") continue;
      if (rows.every((r) => typeof r[key] === "number" || r[key] === null)) table[key] = rows.map((r) => r[key] as number);
    }
  }
  if (!table) return undefined;
  const series: HistoryCurves["series"] = [];
  for (const [key, val] of Object.entries(table)) {
    if (!(key in NICE_NAMES)) continue;
    const values = numList(val);
    if (values) series.push({ label: NICE_NAMES[key], values });
  }
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const epochList = numList(v.epoch);
  const epochs = epochList && epochList.length === n ? epochList.map((e, i) => (e ?? i) + (epochList[0] === 0 ? 1 : 0)) : Array.from({ length: n }, (_, i) => i + 1);
  const batches = isObject(v.batches) ? v.batches : v;
  const posInt = (x: unknown) => (typeof x === "number" && Number.isInteger(x) && x > 0 ? x : undefined);
  return {
    epochs,
    epochsRequested: posInt(v.epochs),
    batchesPerEpoch: posInt(v.batchesPerEpoch),
    elapsedMs: typeof v.elapsedMs === "number" && Number.isFinite(v.elapsedMs) ? v.elapsedMs : undefined,
    series,
    batchLoss: numList(batches.batchLoss) ?? numList(batches.loss !== table.loss ? batches.loss : undefined),
    preClip: numList(v.preClipNorm) ?? numList(v.gradNormPreClip) ?? numList(isObject(v.gradNorms) ? v.gradNorms.preClip : undefined),
    postClip: numList(v.postClipNorm) ?? numList(v.gradNormPostClip) ?? numList(isObject(v.gradNorms) ? v.gradNorms.postClip : undefined),
    interrupted,
  };
}

export function isHistoryLike(v: unknown): boolean {
  return historyCurves(v) !== undefined;
}

/** One recurrent layer of a recording, normalised. */
export interface LayerRecording {
  index: number;
  name: string;
  type: "simpleRNN" | "lstm" | "gru";
  /** gate name → recorded value (tensor / nested array), e.g. { i, f, g, o, c, h }. */
  gates: Record<string, unknown>;
  /** ‖∂L/∂h_t‖ per t, and ‖∂L/∂c_t‖ for LSTM. */
  gradH?: (number | null)[];
  gradC?: (number | null)[];
  timeMajor: boolean;
}

export function layerType(v: unknown): LayerRecording["type"] | undefined {
  const s = String(v ?? "").toLowerCase().replace(/[^a-z]/g, "");
  if (s.includes("lstm")) return "lstm";
  if (s.includes("gru")) return "gru";
  if (s.includes("rnn")) return "simpleRNN";
  return undefined;
}

/**
 * Normalises `model.record(...)` output. Accepted forms (all seen in the engine's drafts):
 * `{ layers: [{ index?, name, type, gates: { i, f, … }, gradNorms: { h, c? } }] }`,
 * `{ layers: [{ …, gates: {…}, gradH, gradC }] }`, or `{ gates: [...per layer], gradNorms: [...per layer] }`.
 */
export function recordingLayers(rec: unknown): LayerRecording[] {
  if (!isObject(rec)) return [];
  let layers: unknown[] = [];
  if (Array.isArray(rec.layers)) layers = rec.layers;
  else if (Array.isArray(rec.gates)) {
    const gn = Array.isArray(rec.gradNorms) ? rec.gradNorms : [];
    layers = rec.gates.map((g, i) => ({ ...(isObject(g) ? g : {}), gradNorms: gn[i] }));
  }
  const out: LayerRecording[] = [];
  layers.forEach((l, k) => {
    if (!isObject(l)) return;
    const gatesObj = isObject(l.gates) ? l.gates : {};
    const type = layerType(l.type ?? l.cell ?? l.className) ?? (("i" in gatesObj) ? "lstm" : ("r" in gatesObj) ? "gru" : ("h" in gatesObj) ? "simpleRNN" : undefined);
    if (!type) return;
    const gn = isObject(l.gradNorms) ? l.gradNorms : l;
    out.push({
      index: typeof l.index === "number" ? l.index : typeof l.layer === "number" ? l.layer : k,
      name: (typeof l.name === "string" ? l.name : typeof l.layer === "string" ? l.layer : `${type}_${k}`) + (l.direction === "backward" ? " (backward)" : ""),
      type,
      gates: gatesObj,
      gradH: timeSeries(gn.h ?? gn.gradH ?? gn.dh),
      gradC: timeSeries(gn.c ?? gn.gradC ?? gn.dc),
      timeMajor: l.timeMajor === true || l.batchFirst === false,
    });
  });
  return out;
}
