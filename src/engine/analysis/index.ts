/**
 * `rnn.analysis`: what a trained recurrent model learned, as typed data the views draw (and cells can
 * compute with). Each function takes an `rnn.sequential` model or an `rnn.nn` recurrent module and
 * reads it through the engine's recording contract and backward passes (subject.ts).
 */
import { connectivity } from "./connectivity";
import { findUnits } from "./findUnits";
import { fixedPoints } from "./fixedPoints";
import { neurons } from "./neurons";
import { trajectory } from "./trajectory";

export type { ConnectivityOptions } from "./connectivity";
export type { FindUnitsOptions, UnitMatch } from "./findUnits";
export type { FixedPoint, FixedPointOptions } from "./fixedPoints";
export type { NeuronActivations, NeuronsOptions, NeuronsVocab, NextCharGuesses } from "./neurons";
export type { Trajectory, TrajectoryOptions } from "./trajectory";
export type { AnalysedModel, StateName } from "./subject";

/**
 * Analyses of a trained recurrent model:
 * `trajectory(model, xs, { dims })` (PCA paths of the hidden states),
 * `findUnits(model, x, labels)` (units ranked by correlation with a per-timestep label),
 * `connectivity(model, x)` (‖∂y_t/∂x_s‖ for every pair of steps),
 * `fixedPoints(model, xs)` (where one layer's dynamics stand still),
 * `neurons(model, text, { vocab })` (each unit's state along a text, with the next-character guesses).
 */
export const analysis = {
  /**
   * PCA of one recurrent layer's hidden states over all sequences and timesteps → `{ points [N, T, dims],
   * explainedVariance, components, mean }`: `rnn.analysis.trajectory(model, xs, { dims: 2 })`.
   */
  trajectory,
  /**
   * Units of one recurrent layer ranked by |Pearson correlation| with a per-timestep label, best first →
   * `[{ unit, correlation }]`: `rnn.analysis.findUnits(model, x, labels, { layer?, state?: "h" | "c" })`.
   */
  findUnits,
  /**
   * C [T, T] with C[t, s] = ‖∂y_t/∂x_s‖₂ for one sequence (zero for s > t in a causal model):
   * `rnn.analysis.connectivity(model, x, { output?: "output" | "loss", target?, loss? })`.
   */
  connectivity,
  /**
   * Fixed and slow points of one recurrent layer under a constant input, minimising ½‖F(s) − s‖² from visited
   * states → `[{ point, speed, jacobian, start }]`, slowest first: `rnn.analysis.fixedPoints(model, xs, { starts?, input?, layer? })`.
   */
  fixedPoints,
  /**
   * One recurrent layer's state per character of a text and the model's top-k next-character guesses →
   * `{ text, values [T, K], units, guesses? }`: `rnn.analysis.neurons(model, text, { vocab, layer?, state?, units?, topK? })`.
   */
  neurons,
};
