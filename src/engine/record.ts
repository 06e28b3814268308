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
import type { TensorLike } from "./tensor";
import { checkBatchIndex, RECORDING_OPTIONS, resolveRecordingOptions, sequenceRecording, type Recording, type RecordingOptions } from "./recording";

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
