/**
 * Parameter counting: `paramCount`, the one function behind every `countParams()`, the model summary,
 * the editor hover and the count tests. It takes plain config objects such as `{ type: "lstm", units: 16 }`
 * or `{ type: "nn.LSTM", inputSize: 28, hiddenSize: 256, numLayers: 2 }` and never touches tensors; which
 * rule a type follows is in the layer table (layerFacts.ts), the arithmetic in paramMath.ts.
 *
 * Conventions:
 *   "keras" — one bias vector per recurrent layer (`kernel [I, G·H]`, `recurrent_kernel [H, G·H]`,
 *             `bias [G·H]`), except GRU with `resetAfter: true` (Keras's default), which keeps an input
 *             bias and a recurrent bias: `bias [2, 3H]`. TF.js counts like Keras, but its GRU only
 *             supports `resetAfter: false` (150 rather than 165 for GRU(5) on 4 features).
 *   "torch" — two bias vectors (`bias_ih_l0`, `bias_hh_l0`), weights `[G·H, in]`, state-dict names.
 *
 * Unrelated options in a config (`returnSequences`, `activation`, `name`, …) are ignored, so a
 * layer factory's whole option object can be passed as it is.
 */
import { COUNTABLE_TYPES, LAYER_FACTS } from "./layerFacts";
import type { Convention, LayerConfig, ParamCount } from "./paramMath";

export { COUNTABLE_TYPES };
export { groupDigits, type Convention, type LayerConfig, type ParamCount, type ParamTensor } from "./paramMath";

/**
 * Counts the parameters of one layer — the one counting function behind every `countParams()`, the
 * model summary, the editor hover and the count tests.
 * @param layerConfig plain options with a `type` (see {@link COUNTABLE_TYPES}); e.g. `{ type: "gru", units: 5, resetAfter: false }`.
 * @param inputSize size of the last axis of the layer's input (features per timestep); ignored by
 *   layers that carry their own sizes (embedding, nn.*). For nn.RNN/LSTM/GRU `config.inputSize` wins.
 * @param convention "keras" (one bias; GRU resetAfter → two) or "torch" (two biases, state-dict names).
 */
export function paramCount(layerConfig: LayerConfig, inputSize: number, convention: Convention = "keras"): ParamCount {
  if (!layerConfig || typeof layerConfig !== "object" || typeof layerConfig.type !== "string") {
    throw new Error(`paramCount: expected a layer config like { type: "lstm", units: 16 }, got ${JSON.stringify(layerConfig)}`);
  }
  if (convention !== "keras" && convention !== "torch") {
    throw new Error(`paramCount: convention must be "keras" or "torch", got ${JSON.stringify(convention)}`);
  }
  const facts = Object.prototype.hasOwnProperty.call(LAYER_FACTS, layerConfig.type) ? LAYER_FACTS[layerConfig.type] : undefined;
  if (!facts) throw new Error(`paramCount: unknown layer type ${JSON.stringify(layerConfig.type)}; known types: ${COUNTABLE_TYPES.join(", ")}`);
  return facts.count(layerConfig, inputSize, convention);
}
