/**
 * `rnn.analysis`: what a trained recurrent model learned, as typed data the views draw (and cells can
 * compute with). Each function takes an `rnn.sequential` model or an `rnn.nn` recurrent module and
 * reads it through the engine's recording contract and backward passes (subject.ts).
 */
import { connectivity } from "./connectivity";
import { findUnits } from "./findUnits";
import { fixedPoints } from "./fixedPoints";
import { neurons, selectUnits } from "./neurons";
import { trajectory } from "./trajectory";

export type { ConnectivityOptions } from "./connectivity";
export type { FindUnitsOptions, UnitMatch } from "./findUnits";
export type { FixedPoint, FixedPointOptions } from "./fixedPoints";
export type { NeuronActivations, NeuronsOptions, NeuronsVocab, NextCharGuesses, UnitSelection } from "./neurons";
export type { SelectOptions } from "../../shared/neuronSelect";
export type { Trajectory, TrajectoryOptions } from "./trajectory";
export type { AnalysedModel, StateName } from "./subject";

/**
 * Analyses of a trained recurrent model:
 * `trajectory(model, xs, { dims })` (PCA paths of the hidden states),
 * `findUnits(model, x, labels)` (units ranked by correlation with a per-timestep label),
 * `connectivity(model, x)` (‖∂y_t/∂x_s‖ for every pair of steps),
 * `fixedPoints(model, xs)` (where one layer's dynamics stand still),
 * `neurons(model, text, { vocab })` (each unit's state along a text, with the next-character guesses),
 * `selectUnits(neurons, [start, end])` (the units on in a range of that text, and where else they are).
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
  /**
   * LSTMVis's select → match on a `neurons` result: the units most active in characters [start, end)
   * (mean inside − mean outside, best first) and the other ranges where they are on and off alike →
   * `{ range, units: [{ unit, score, meanIn, meanOut, on }], matches: [[start, end], …], threshold }`:
   * `rnn.analysis.selectUnits(rnn.analysis.neurons(model, text, { vocab }), [4, 9], { top?: 5, threshold?: 0.3 })`.
   */
  selectUnits,
};
