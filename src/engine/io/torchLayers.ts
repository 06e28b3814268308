/**
 * Keras-family layer → PyTorch, one layer at a time, for the export (torchExport.ts) and the way back
 * (torchImport.ts): the Python lines of `__init__` and `forward`, the state-dict tensors under the
 * layer's attribute name, and an import link per engine parameter that inverts the conversion.
 * The table of what maps to what is in torchExport.ts's header and docs/interop.md.
 */
import type { Layer, Param } from "../layer";
import { Tensor } from "../tensor";
import { biasFromTorch, GATE_BLOCKS, kernelFromTorch, recurrentToTorch, transpose, type RecurrentKind } from "./kerasTorch";
import type { PyLayer } from "./pythonSource";

/** Raised for a model (or an option) that has no exact PyTorch equivalent here; the message says why. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

interface RecurrentLike extends Layer {
  units: number;
  returnSequences: boolean;
  goBackwards: boolean;
  resetAfter: boolean;
  useBias: boolean;
}

const PY_KEYWORDS = new Set(("False None True and as assert async await break class continue def del elif else except finally for " +
  "from global if import in is lambda nonlocal not or pass raise return try while with yield").split(" "));
/** nn.Module members a layer attribute must not shadow. */
const MODULE_MEMBERS = new Set(["forward", "training", "train", "eval", "state_dict", "load_state_dict", "parameters", "modules", "children", "to", "type", "float", "double", "half", "cuda", "cpu", "apply", "zero_grad", "register_buffer"]);

/** A Python attribute name for a Keras layer name, unique within the model. */
function pyName(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (base === "" || /^[0-9]/.test(base)) base = `layer_${base}`;
  if (PY_KEYWORDS.has(base) || MODULE_MEMBERS.has(base)) base = `${base}_`;
  let out = base;
  for (let k = 1; taken.has(out); k++) out = `${base}_${k}`;
  taken.add(out);
  return out;
}

/** Python expression applying a Keras activation to `v`. */
function activationPy(name: string, v = "x"): string | undefined {
  switch (name) {
    case "linear": return undefined;
    case "tanh": return `torch.tanh(${v})`;
    case "sigmoid": return `torch.sigmoid(${v})`;
    case "relu": return `torch.relu(${v})`;
    case "softsign": return `torch.nn.functional.softsign(${v})`;
    case "hardSigmoid": return `torch.clamp(0.2 * ${v} + 0.5, 0.0, 1.0)  # Keras 2 / TF.js hard sigmoid`;
    case "softmax": return `torch.softmax(${v}, dim=-1)`;
    default: throw new ExportError(`exportPyTorch: activation ${JSON.stringify(name)} has no PyTorch translation here`);
  }
}

export function f32(t: Tensor | Param | Float32Array, shape?: number[]): Tensor {
  if (t instanceof Float32Array) return new Tensor(t, shape!);
  const data = t instanceof Tensor ? t.data : t.value;
  const s = t instanceof Tensor ? t.shape : t.shape;
  return new Tensor(Float32Array.from(data), s);
}

/**
 * How PyTorch tensors flow back into one engine parameter (the inverse of the export's conversion),
 * for `fromPyTorch`: `keys` are the state-dict names it reads.
 */
export interface ImportLink {
  keys: string[];
  /** Expected shape of each key, in order. */
  shapes: number[][];
  apply(tensors: Record<string, Tensor>): void;
}

export interface Ctx {
  taken: Set<string>;
  weights: Record<string, Tensor>;
  links: ImportLink[];
  notes: Set<string>;
  helper: boolean;
  /** Python attribute of each embedding layer by engine layer name (for tied dense layers). */
  embeddings: Map<string, string>;
  /**
   * State-dict names that stand for no engine parameter: bias_hh beside a single Keras bias (written
   * as zeros). Training must hold them at zero — a second bias would get the same gradient as bias_ih
   * and the sum would move twice as fast as the engine's one bias.
   */
  fixedZero: string[];
}

function paramOf(layer: Layer, name: string): Param | undefined {
  return layer.params().find((p) => p.name === name);
}

/** Whether torch.nn has an exact module for this Keras recurrent layer's options. */
function nnExact(layer: RecurrentLike): boolean {
  const act = String(layer.config.activation ?? "tanh");
  const ract = String(layer.config.recurrentActivation ?? "sigmoid");
  if (layer.type === "simpleRNN") return act === "tanh" || act === "relu";
  if (act !== "tanh" || ract !== "sigmoid") return false;
  return layer.type === "lstm" || layer.resetAfter;
}

/**
 * The torch weights of one direction under `<attr>.<name><suffix>` (suffix "" or "_reverse"), and the
 * links that bring them back: kernels transposed back, a single Keras bias = bias_ih + bias_hh (the two
 * are only ever added, also in GRU's reset-before candidate), GRU resetAfter's rows = [bias_ih; bias_hh].
 */
function addRecurrent(ctx: Ctx, attr: string, layer: RecurrentLike, suffix: string): void {
  const kind = layer.type as RecurrentKind;
  const H = layer.units;
  const kernel = paramOf(layer, "kernel")!;
  const recurrent = paramOf(layer, "recurrent_kernel")!;
  const I = kernel.shape[0];
  const G = GATE_BLOCKS[kind] * H;
  const bias = layer.useBias ? paramOf(layer, "bias") : undefined;
  const w = recurrentToTorch(kind, I, H, kernel.value, recurrent.value, bias?.value, layer.resetAfter);
  const key = (name: string): string => `${attr}.${name}_l0${suffix}`;
  ctx.weights[key("weight_ih")] = f32(w.weight_ih, [G, I]);
  ctx.weights[key("weight_hh")] = f32(w.weight_hh, [G, H]);
  ctx.links.push({ keys: [key("weight_ih")], shapes: [[G, I]], apply: (t) => kernel.value.set(kernelFromTorch(t[key("weight_ih")].data, I, H, kind)) });
  ctx.links.push({ keys: [key("weight_hh")], shapes: [[G, H]], apply: (t) => recurrent.value.set(kernelFromTorch(t[key("weight_hh")].data, H, H, kind)) });
  if (bias && w.bias_ih && w.bias_hh) {
    ctx.weights[key("bias_ih")] = f32(w.bias_ih, [G]);
    ctx.weights[key("bias_hh")] = f32(w.bias_hh, [G]);
    ctx.links.push({
      keys: [key("bias_ih"), key("bias_hh")], shapes: [[G], [G]],
      apply: (t) => {
        const bih = biasFromTorch(t[key("bias_ih")].data, H, kind), bhh = biasFromTorch(t[key("bias_hh")].data, H, kind);
        if (layer.resetAfter) {
          bias.value.set(bih, 0);
          bias.value.set(bhh, G);
        } else {
          for (let i = 0; i < G; i++) bias.value[i] = bih[i] + bhh[i];
        }
      },
    });
    if (!layer.resetAfter) ctx.fixedZero.push(key("bias_hh"));
  }
}

const NN_CLASS: Record<RecurrentKind, string> = { simpleRNN: "RNN", lstm: "LSTM", gru: "GRU" };
const HELPER_KIND: Record<RecurrentKind, string> = { simpleRNN: "rnn", lstm: "lstm", gru: "gru" };

function recurrentCtor(layer: RecurrentLike, bidirectional: boolean): string {
  const kind = layer.type as RecurrentKind;
  const I = paramOf(layer, "kernel")!.shape[0];
  const H = layer.units;
  const act = String(layer.config.activation ?? "tanh");
  if (nnExact(layer)) {
    const args = [`${I}`, `${H}`, "batch_first=True"];
    if (kind === "simpleRNN" && act === "relu") args.push('nonlinearity="relu"');
    if (!layer.useBias) args.push("bias=False");
    if (bidirectional) args.push("bidirectional=True");
    return `nn.${NN_CLASS[kind]}(${args.join(", ")})`;
  }
  const args = [`"${HELPER_KIND[kind]}"`, `${I}`, `${H}`];
  if (!layer.useBias) args.push("bias=False");
  if (act !== "tanh") args.push(`activation="${act}"`);
  const ract = String(layer.config.recurrentActivation ?? "sigmoid");
  if (kind !== "simpleRNN" && ract !== "sigmoid") args.push(`recurrent_activation="${ract}"`);
  if (kind === "gru" && !layer.resetAfter) args.push("reset_after=False");
  return `KerasStyleRecurrent(${args.join(", ")})`;
}

function describeRecurrent(layer: RecurrentLike): string {
  const bits = [`${layer.units}`];
  if (layer.type === "gru") bits.push(`resetAfter: ${layer.resetAfter}`);
  if (layer.returnSequences) bits.push("returnSequences");
  if (layer.goBackwards) bits.push("goBackwards");
  return `${layer.className}(${bits.join(", ")})`;
}

function noteCustom(layer: RecurrentLike, ctx: Ctx): void {
  ctx.helper = true;
  if (layer.type === "gru" && !layer.resetAfter) {
    ctx.notes.add("GRU with resetAfter: false (Keras reset_after=False, TF.js's GRU) has NO exact torch.nn equivalent:\n" +
      "torch.nn.GRU always applies the reset gate after the recurrent product, n = tanh(W_n x + b_n + r * (U_n h + bR_n)),\n" +
      "while this layer computes n = tanh(W_n x + b_n + U_n (r * h)). It is therefore exported as KerasStyleRecurrent,\n" +
      "a step-by-step module with PyTorch's weight names and gate order. To use torch.nn.GRU (and cuDNN), retrain\n" +
      "the layer with resetAfter: true (the Keras default) before exporting.");
  } else {
    ctx.notes.add("Recurrent layers with activations other than tanh / sigmoid gates are exported as KerasStyleRecurrent\n" +
      "(torch.nn.LSTM / GRU hard-code tanh and sigmoid; nn.RNN allows tanh or relu).");
  }
}

function dropoutNote(layer: Layer, ctx: Ctx): void {
  const d = Number(layer.config.dropout ?? 0), rd = Number(layer.config.recurrentDropout ?? 0);
  if (d > 0 || rd > 0) {
    ctx.notes.add("Input / recurrent dropout inside recurrent layers acts only while training and is not ported:\n" +
      "outputs in eval mode are unaffected. Add dropout in PyTorch yourself to keep training with it.");
  }
}

function recurrentLayer(layer: RecurrentLike, ctx: Ctx): PyLayer {
  const { attr, init, row } = recurrentModule(layer, ctx);
  const H = layer.units;
  const forward: string[] = [];
  if (layer.goBackwards) forward.push("x = torch.flip(x, dims=[1])  # goBackwards: read the sequence in reverse");
  forward.push(`x, _ = self.${attr}(x)  # [B, T, ${H}]`);
  if (!layer.returnSequences) forward.push(`x = x[:, -1]  # returnSequences false: the last step, [B, ${H}]`);
  return { init, forward, row };
}

/**
 * The torch module of a Keras recurrent layer — its weights and import links registered in `ctx` —
 * for exports that write the call themselves (a functional model's initial and returned states).
 */
export function recurrentModule(layerIn: Layer, ctx: Ctx): { attr: string; init: string[]; row: [string, string, string] } {
  const layer = layerIn as RecurrentLike;
  const attr = pyName(layer.name, ctx.taken);
  if (!nnExact(layer)) noteCustom(layer, ctx);
  dropoutNote(layer, ctx);
  addRecurrent(ctx, attr, layer, "");
  return { attr, init: [`self.${attr} = ${recurrentCtor(layer, false)}`], row: [layer.name, describeRecurrent(layer), recurrentCtor(layer, false)] };
}

/** A Python identifier for an engine name, unique in `ctx` (keywords and nn.Module members avoided). */
export function pyIdentifier(name: string, ctx: Ctx): string {
  return pyName(name, ctx.taken);
}

function bidirectionalLayer(layer: Layer & { forwardLayer: RecurrentLike; backwardLayer: RecurrentLike }, ctx: Ctx): PyLayer {
  const fwd = layer.forwardLayer, bwd = layer.backwardLayer;
  const H = fwd.units;
  const seq = fwd.returnSequences;
  dropoutNote(fwd, ctx);
  const row: [string, string, string] = [layer.name, `Bidirectional(${describeRecurrent(fwd)})`, ""];
  if (nnExact(fwd)) {
    const attr = pyName(layer.name, ctx.taken);
    addRecurrent(ctx, attr, fwd, "");
    addRecurrent(ctx, attr, bwd, "_reverse");
    const ctor = recurrentCtor(fwd, true);
    row[2] = ctor;
    const forward = seq
      ? [`x, _ = self.${attr}(x)  # [B, T, 2*${H}]: both directions aligned on input time, as Keras`]
      : [
        `_, h_n = self.${attr}(x)`,
        ...(fwd.type === "lstm" ? ["h_n = h_n[0]  # (h_n, c_n) -> h_n"] : []),
        `x = torch.cat([h_n[0], h_n[1]], dim=-1)  # forward h_T next to backward h after x_0, [B, 2*${H}]`,
      ];
    return { init: [`self.${attr} = ${ctor}`], forward, row };
  }
  noteCustom(fwd, ctx);
  const fa = pyName(`${layer.name}_forward`, ctx.taken), ba = pyName(`${layer.name}_backward`, ctx.taken);
  addRecurrent(ctx, fa, fwd, "");
  addRecurrent(ctx, ba, bwd, "");
  row[2] = `2 x ${recurrentCtor(fwd, false)}`;
  const forward = [
    `fwd, _ = self.${fa}(x)`,
    `bwd, _ = self.${ba}(torch.flip(x, dims=[1]))  # the backward direction reads the sequence reversed`,
    seq
      ? `x = torch.cat([fwd, torch.flip(bwd, dims=[1])], dim=-1)  # [B, T, 2*${H}], aligned on input time`
      : `x = torch.cat([fwd[:, -1], bwd[:, -1]], dim=-1)  # [B, 2*${H}]`,
  ];
  return { init: [`self.${fa} = ${recurrentCtor(fwd, false)}`, `self.${ba} = ${recurrentCtor(bwd, false)}`], forward, row };
}

interface DenseLike extends Layer {
  units: number;
  activation: string;
  useBias: boolean;
  tiedTo?: Layer;
}

function denseLayer(layer: DenseLike, ctx: Ctx, label: string, name = layer.name): PyLayer {
  const attr = pyName(name, ctx.taken);
  const bias = layer.useBias ? paramOf(layer, "bias") : undefined;
  const init: string[] = [];
  let inSize: number;
  if (layer.tiedTo) {
    const emb = ctx.embeddings.get(layer.tiedTo.name);
    const matrix = layer.tiedTo.params()[0];
    if (!emb) throw new ExportError(`exportPyTorch: "${layer.name}" ties its weights to "${layer.tiedTo.name}", which is not in this model`);
    inSize = matrix.shape[1];
    init.push(`self.${attr} = nn.Linear(${inSize}, ${layer.units}${bias ? "" : ", bias=False"})`);
    init.push(`self.${attr}.weight = self.${emb}.weight  # tied: the output projection reuses the embedding matrix`);
    ctx.weights[`${attr}.weight`] = f32(matrix); // E [V, E] is already Linear's [out, in]; the embedding's link loads it
  } else {
    const kernel = paramOf(layer, "kernel")!;
    inSize = kernel.shape[0];
    init.push(`self.${attr} = nn.Linear(${inSize}, ${layer.units}${bias ? "" : ", bias=False"})`);
    ctx.weights[`${attr}.weight`] = f32(transpose(kernel.value, inSize, layer.units), [layer.units, inSize]);
    const I = inSize;
    ctx.links.push({ keys: [`${attr}.weight`], shapes: [[layer.units, I]], apply: (t) => kernel.value.set(transpose(t[`${attr}.weight`].data, layer.units, I)) });
  }
  if (bias) {
    ctx.weights[`${attr}.bias`] = f32(bias);
    ctx.links.push({ keys: [`${attr}.bias`], shapes: [bias.shape], apply: (t) => bias.value.set(t[`${attr}.bias`].data) });
  }
  const forward = [`x = self.${attr}(x)  # [..., ${layer.units}]`];
  const act = activationPy(layer.activation);
  if (act) forward.push(`x = ${act}`);
  return { init, forward, row: [name, label, `nn.Linear(${inSize}, ${layer.units})${act ? ` + ${layer.activation}` : ""}${layer.tiedTo ? " (tied)" : ""}`] };
}

export function kerasLayer(layer: Layer, ctx: Ctx, first: boolean): PyLayer {
  switch (layer.type) {
    case "simpleRNN":
    case "lstm":
    case "gru": {
      const r = layer as RecurrentLike;
      if (r.config.returnState) throw new ExportError(`exportPyTorch: "${layer.name}" sets returnState, which a sequential model cannot pass on; export a model without it`);
      return recurrentLayer(r, ctx);
    }
    case "bidirectional":
      return bidirectionalLayer(layer as Layer & { forwardLayer: RecurrentLike; backwardLayer: RecurrentLike }, ctx);
    case "dense": {
      const d = layer as DenseLike;
      return denseLayer(d, ctx, `Dense(${d.units}${d.activation !== "linear" ? `, ${d.activation}` : ""})`);
    }
    case "timeDistributed": {
      const inner = (layer as Layer & { layer: Layer }).layer;
      if (inner.type === "dense") {
        const d = inner as DenseLike;
        // The torch attribute is named after the wrapper, as Keras keys the weights (time_distributed/kernel).
        return denseLayer(d, ctx, `TimeDistributed(Dense(${d.units}))`, layer.name);
      }
      if (inner.type === "dropout") return kerasLayer(inner, ctx, first);
      throw new ExportError(`exportPyTorch: TimeDistributed(${inner.className}) is not supported (Dense and Dropout are)`);
    }
    case "embedding": {
      const attr = pyName(layer.name, ctx.taken);
      const m = layer.params()[0];
      ctx.embeddings.set(layer.name, attr);
      ctx.weights[`${attr}.weight`] = f32(m);
      ctx.links.push({ keys: [`${attr}.weight`], shapes: [m.shape], apply: (t) => m.value.set(t[`${attr}.weight`].data) });
      return {
        init: [`self.${attr} = nn.Embedding(${m.shape[0]}, ${m.shape[1]})`],
        forward: [`x = self.${attr}(x.long())  # [B, T] indices -> [B, T, ${m.shape[1]}]`],
        row: [layer.name, `Embedding(${m.shape[0]}, ${m.shape[1]})`, `nn.Embedding(${m.shape[0]}, ${m.shape[1]})${first ? "" : " (not first: inputs cast to long)"}`],
      };
    }
    case "flatten":
      return { init: [], forward: ["x = torch.flatten(x, 1)"], row: [layer.name, "Flatten", "torch.flatten(x, 1)"] };
    case "dropout": {
      const attr = pyName(layer.name, ctx.taken);
      const rate = Number(layer.config.rate ?? 0);
      return { init: [`self.${attr} = nn.Dropout(p=${pyNumber(rate)})`], forward: [`x = self.${attr}(x)  # identity in eval mode`], row: [layer.name, `Dropout(${rate})`, `nn.Dropout(p=${pyNumber(rate)})`] };
    }
    default:
      throw new ExportError(`exportPyTorch: layer "${layer.name}" (${layer.className}) has no PyTorch translation yet`);
  }
}

export function pyNumber(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** A fresh translation context (Python names used by the generated forward are reserved). */
export function newCtx(): Ctx {
  return { taken: new Set(["x", "h_n", "fwd", "bwd"]), weights: {}, links: [], notes: new Set(), helper: false, embeddings: new Map(), fixedZero: [] };
}
