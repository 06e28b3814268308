/**
 * Training export, `model.exportTraining(dir, { x, y, ...fitOptions })`: everything `exportPyTorch`
 * writes (model.py, weights.safetensors, check.py, reference.safetensors) plus the training data as
 * data.safetensors and train.py, a DistributedDataParallel script with the fit's loss, optimizer,
 * clipping, truncated BPTT, batch size and epochs (trainPy.ts). Pure: returns file names → contents.
 *
 * What can be exported is what exportPyTorch translates — rnn.sequential, rnn.model, and the rnn.nn
 * RNN/LSTM/GRU/Linear/Embedding modules (trained on their output). A Module written in a cell has a
 * JavaScript forward with no Python translation; it is refused with that reason.
 *
 * data.safetensors: "x.<i>" per model input, "y.<i>" per output ([N, …], float32: token indices and
 * class indices are exact in float32 up to 2^24), and "val_x.<i>" / "val_y.<i>" with validation data
 * (validationData, or the last validationSplit of the samples as fit takes them).
 */
import { checkKeys, bool, finiteNumber, fraction, positiveInt } from "../options";
import { checkSchedule, type LrSchedule } from "../schedules";
import { checkLossName, type LossName } from "../loss";
import { adam, isOptimizer, rmsprop, sgd, type Optimizer } from "../optim";
import type { Param } from "../layer";
import { asTensor, Tensor, type TensorLike } from "../tensor";
import { encodeSafetensors } from "./safetensors";
import { ExportError, pyTorchExportFiles, toPyTorch } from "./torchExport";
import { trainPy, torchrunLine, type TrainConfig } from "./trainPy";

/**
 * Options of `model.exportTraining(dir, options)`: the training data and the fit options the script
 * reproduces. `{ x, y, loss: "mse", epochs: 20, batchSize: 32, optimizer: rnn.adam({ lr: 1e-3 }), clipNorm: 1 }`
 */
export interface TrainingExportOptions {
  /** Inputs as fit takes them (one array per input of a multi-input rnn.model). */
  x: unknown;
  /** Targets as fit takes them (one array per output of a multi-output rnn.model). */
  y: unknown;
  /** The fit's loss (one per output, or one for all). Required. */
  loss: LossName | LossName[];
  /** Passes over the data. Default 1 (train.py --epochs overrides). */
  epochs?: number;
  /** Samples per optimizer step, over all processes together. Default 32 (train.py --batch-size). */
  batchSize?: number;
  /** rnn.sgd / rnn.rmsprop / rnn.adam (its hyper-parameters and current lr; the script starts a fresh state) or a name. */
  optimizer?: Optimizer | "sgd" | "rmsprop" | "adam";
  /** ["accuracy"] adds accuracy and val_accuracy to metrics.jsonl. */
  metrics?: "accuracy"[];
  /** Clip the global gradient norm (torch.nn.utils.clip_grad_norm_). */
  clipNorm?: number;
  /** Clip each weight's gradient norm on its own. */
  clipPerTensor?: number;
  /** Clamp gradient elements to ±this (clip_grad_value_). */
  clipValue?: number;
  /** Truncated BPTT window k: an explicit windowed loop in train.py (fit's rule). */
  tbptt?: number;
  /** Reshuffle every epoch (DistributedSampler's order, not the notebook's). Default true. */
  shuffle?: boolean;
  /** Seed of DistributedSampler's shuffling. Default 0. */
  seed?: number;
  /** The last fraction of the samples as validation data, as fit takes it. */
  validationSplit?: number;
  /** Explicit validation set [x, y] (wins over validationSplit). */
  validationData?: [unknown, unknown];
  /** An rnn.schedules schedule: the same torch.optim.lr_scheduler, stepped after each epoch and kept in the checkpoint. */
  lrSchedule?: LrSchedule;
}

const VALID = ["x", "y", "loss", "epochs", "batchSize", "optimizer", "metrics", "clipNorm", "clipPerTensor", "clipValue", "tbptt",
  "shuffle", "seed", "validationSplit", "validationData", "lrSchedule"];
/** fit options that act inside the notebook only: named in the error rather than silently dropped. */
const NOTEBOOK_ONLY = ["callbacks", "signal", "recordGradNorms", "onBatchEnd", "onEpochEnd", "onProgress"];

/** The data and translation of one model kind. */
interface Prepared {
  xs: Tensor[];
  ys: Tensor[];
  val?: [Tensor[], Tensor[]];
  indices: boolean[];
  output: "all" | "first";
}

interface KerasLike {
  layers?: readonly { type: string }[];
  nodes?: readonly { layer: { type: string } }[];
  fitInputs(x: unknown, what?: string): Tensor[];
  fitTargets(y: unknown, what?: string): Tensor[];
  weightEntries(): { key: string; param: Param; layer: { readonly trainable: boolean; readonly name?: string } }[];
}

interface TorchModuleLike {
  type: string;
  config: Record<string, unknown>;
}

function isKeras(m: unknown): m is KerasLike {
  const o = m as Partial<KerasLike> | null;
  return !!o && typeof o.fitInputs === "function" && typeof o.fitTargets === "function" && typeof o.weightEntries === "function";
}

function isTorchModule(m: unknown): m is TorchModuleLike {
  const o = m as Partial<TorchModuleLike> | null;
  return !!o && typeof o.type === "string" && o.type.startsWith("nn.") && typeof o.config === "object";
}

function prepare(model: unknown, o: TrainingExportOptions, tbptt: number | undefined, split: number): Prepared {
  if (isKeras(model)) {
    const frozen = model.weightEntries().filter((e) => !e.param.trainable || !e.layer.trainable);
    if (frozen.length > 0) {
      throw new ExportError(`exportTraining: ${frozen.map((e) => e.key).join(", ")} ${frozen.length === 1 ? "is" : "are"} frozen (trainable false); ` +
        "train.py does not freeze weights yet: unfreeze them or export with exportPyTorch and freeze them in PyTorch");
    }
    const types = model.layers?.map((l) => l.type) ?? model.nodes?.map((n) => n.layer.type) ?? [];
    if (tbptt !== undefined && types.includes("bidirectional")) {
      throw new ExportError("exportTraining: tbptt with a bidirectional layer has no windowed equivalent in train.py (the backward direction " +
        "would need the windows in reverse); export without tbptt");
    }
    let xs = model.fitInputs(o.x, "exportTraining");
    let ys = model.fitTargets(o.y, "exportTraining");
    let val: [Tensor[], Tensor[]] | undefined;
    if (o.validationData) {
      val = [model.fitInputs(o.validationData[0], "exportTraining validationData"), model.fitTargets(o.validationData[1], "exportTraining validationData")];
    } else if (split > 0) {
      // fit's rule: the last fraction of the samples, before any shuffling (Keras's)
      const n = xs[0].shape[0], nVal = Math.floor(n * split);
      if (nVal === 0 || nVal === n) throw new ExportError(`exportTraining: validationSplit ${split} leaves no training or no validation samples`);
      val = [xs.map((t) => t.slice(-nVal)), ys.map((t) => t.slice(-nVal))];
      xs = xs.map((t) => t.slice(0, -nVal));
      ys = ys.map((t) => t.slice(0, -nVal));
    }
    return { xs, ys, val, indices: xs.map(() => false), output: "all" };
  }
  if (isTorchModule(model)) {
    const kind = model.type.slice(3);
    if ((kind === "RNN" || kind === "LSTM" || kind === "GRU") && !model.config.batchFirst) {
      throw new ExportError(`exportTraining: ${model.type} with batchFirst false has time as its first axis; the script takes samples along the first axis — build it with batchFirst: true`);
    }
    if ((kind === "RNN" || kind === "LSTM" || kind === "GRU") && model.config.bidirectional && tbptt !== undefined) {
      throw new ExportError("exportTraining: tbptt with a bidirectional module has no windowed equivalent in train.py; export without tbptt");
    }
    if (split > 0 && !o.validationData) throw new ExportError("exportTraining: validationSplit needs a model with fit; pass validationData: [x, y]");
    const one = (v: unknown): Tensor => asTensor(v as TensorLike, "float32");
    const val: [Tensor[], Tensor[]] | undefined = o.validationData ? [[one(o.validationData[0])], [one(o.validationData[1])]] : undefined;
    return { xs: [one(o.x)], ys: [one(o.y)], val, indices: [kind === "Embedding"], output: kind === "Linear" || kind === "Embedding" ? "all" : "first" };
  }
  throw new ExportError("exportTraining: expected a model made with rnn.sequential(...) or rnn.model(...), or a module made with rnn.nn.RNN/LSTM/GRU/Linear/Embedding");
}

function resolveOptimizer(o: TrainingExportOptions["optimizer"]): Optimizer {
  if (o === undefined || o === "adam") return adam();
  if (o === "sgd") return sgd();
  if (o === "rmsprop") return rmsprop();
  if (isOptimizer(o)) return o;
  throw new ExportError(`exportTraining: optimizer must be rnn.sgd(…), rnn.rmsprop(…), rnn.adam(…) or one of "sgd", "rmsprop", "adam"; got ${JSON.stringify(o)}`);
}

function f32(t: Tensor): Tensor {
  return t.dtype === "float32" ? t : new Tensor(Float32Array.from(t.data), t.shape);
}

/** One line of the docstring per setting of the fit. */
function describe(c: TrainConfig, optimizer: Optimizer): string[] {
  const hyper = Object.entries(optimizer.config).filter(([k]) => k !== "lr").map(([k, v]) => `${k} ${v}`).join(", ");
  const lines = [
    `loss ${c.loss.join(" + ")}${c.accuracy ? ", metric accuracy" : ""}`,
    `optimizer ${optimizer.name}: lr ${optimizer.lr}${hyper ? `, ${hyper}` : ""} (torch.optim with the same formula and values)`,
  ];
  const clips = [c.clip.value !== null ? `by value ${c.clip.value}` : "", c.clip.per_tensor !== null ? `per tensor to norm ${c.clip.per_tensor}` : "",
    c.clip.norm !== null ? `global norm ${c.clip.norm} (clip_grad_norm_)` : ""].filter(Boolean);
  lines.push(`gradient clipping: ${clips.length ? clips.join(", then ") : "none"}`);
  lines.push(c.tbptt ? `truncated BPTT, windows of ${c.tbptt} steps counted back from the last` : "full backpropagation through time");
  if (c.schedule) {
    const { name, watch, ...opts } = c.schedule;
    lines.push(`learning-rate schedule ${name} ${JSON.stringify(opts)}${name === "reduceOnPlateau" ? ` on ${watch}` : ""} (torch.optim.lr_scheduler, stepped after each epoch)`);
  }
  lines.push(`${c.epochs} epoch${c.epochs === 1 ? "" : "s"}, batch size ${c.batch_size}, ${c.shuffle ? `shuffled every epoch (seed ${c.seed})` : "not shuffled"}${c.validation ? ", with validation data" : ""}`);
  return lines;
}

/** The files of a training export, by name. */
export function trainingExportFiles(model: unknown, options: TrainingExportOptions): Record<string, string | Uint8Array> {
  if (!options || typeof options !== "object") throw new ExportError('exportTraining(dir, options): expected options, e.g. { x, y, loss: "mse", epochs: 10 }');
  for (const key of NOTEBOOK_ONLY) {
    if (key in options) throw new ExportError(`exportTraining: ${key} acts inside the notebook only and has no counterpart in train.py; leave it out`);
  }
  checkKeys(options, VALID, "exportTraining");
  if (options.x === undefined || options.y === undefined) throw new ExportError("exportTraining: the training data are required: { x, y, loss, … }");
  const losses = (Array.isArray(options.loss) ? options.loss : [options.loss]).map(checkLossName);
  const epochs = positiveInt(options.epochs, "epochs", "exportTraining", 1);
  const batchSize = positiveInt(options.batchSize, "batchSize", "exportTraining", 32);
  const tbptt = options.tbptt === undefined ? undefined : positiveInt(options.tbptt, "tbptt", "exportTraining");
  const split = fraction(options.validationSplit, "validationSplit", "exportTraining", 0);
  const metrics = options.metrics ?? [];
  for (const m of metrics) if (m !== "accuracy") throw new ExportError(`exportTraining: unknown metric ${JSON.stringify(m)}; valid metrics: accuracy`);
  const optimizer = resolveOptimizer(options.optimizer);
  const clipValue = (v: unknown, what: string): number | null => (v === undefined ? null : finiteNumber(v, what, "exportTraining"));

  const m = model as { forward?: unknown; namedParameters?: unknown; type?: unknown } | null;
  if (m && typeof m.forward === "function" && typeof m.namedParameters === "function" && !isTorchModule(m)) {
    throw new ExportError("exportTraining: a Module written in a cell (class … extends rnn.nn.Module) has no PyTorch translation — its forward is " +
      "JavaScript. Export an rnn.sequential or rnn.model, or an rnn.nn.RNN/LSTM/GRU/Linear/Embedding module");
  }
  const exp = toPyTorch(model);
  const data = prepare(model, options, tbptt, split);
  const outputs = data.ys.length;
  const loss: LossName[] = losses.length === 1 ? Array<LossName>(outputs).fill(losses[0]) : losses;
  if (loss.length !== outputs) throw new ExportError(`exportTraining: the model has ${outputs} outputs but ${losses.length} losses were given`);
  for (const t of [...data.ys, ...data.xs.slice(1)]) {
    if (t.shape[0] !== data.xs[0].shape[0]) throw new ExportError(`exportTraining: x has ${data.xs[0].shape[0]} samples but another array has ${t.shape[0]}`);
  }

  const config: TrainConfig = {
    epochs, batch_size: batchSize, loss,
    perplexity: !Array.isArray(options.loss) && options.loss === "crossEntropy",
    accuracy: metrics.includes("accuracy"),
    optimizer: { name: optimizer.name, ...optimizer.config, lr: optimizer.lr },
    clip: { value: clipValue(options.clipValue, "clipValue"), per_tensor: clipValue(options.clipPerTensor, "clipPerTensor"), norm: clipValue(options.clipNorm, "clipNorm") },
    tbptt: tbptt ?? null,
    shuffle: bool(options.shuffle, true, "shuffle", "exportTraining"),
    seed: finiteNumber(options.seed, "seed", "exportTraining", 0),
    inputs: data.xs.length, indices: data.indices, outputs, output: data.output,
    validation: data.val !== undefined,
    fixed_zero: exp.fixedZero,
    schedule: scheduleConfig(options.lrSchedule, data.val !== undefined),
  };
  const tensors: Record<string, Tensor> = {};
  data.xs.forEach((t, i) => { tensors[`x.${i}`] = f32(t); });
  data.ys.forEach((t, i) => { tensors[`y.${i}`] = f32(t); });
  data.val?.[0].forEach((t, i) => { tensors[`val_x.${i}`] = f32(t); });
  data.val?.[1].forEach((t, i) => { tensors[`val_y.${i}`] = f32(t); });
  return {
    ...pyTorchExportFiles(exp),
    "data.safetensors": encodeSafetensors(tensors, { format: "pt", note: "RNN Notebook training data for train.py" }),
    "train.py": trainPy(config, describe(config, optimizer)),
  };
}

/**
 * The lrSchedule as train.py's CONFIG["schedule"]: the schedule's name and options (warmup's `then`
 * nested), and for reduceOnPlateau the record key it watches ("val_loss" / "loss", as fit).
 */
function scheduleConfig(s: LrSchedule | undefined, validation: boolean): TrainConfig["schedule"] {
  if (s === undefined) return null;
  const checked = checkSchedule(s, "exportTraining");
  const monitor = checked.monitor ?? (validation ? "valLoss" : "loss");
  if (monitor === "valLoss" && !validation) throw new ExportError(`exportTraining: the lrSchedule watches "valLoss"; pass validationSplit or validationData, or monitor "loss"`);
  const { monitor: _m, ...config } = checked.config as Record<string, unknown>;
  return { name: checked.name, ...(config as Record<string, number | string | Record<string, number | string>>), watch: monitor === "valLoss" ? "val_loss" : "loss" };
}

export { torchrunLine };
