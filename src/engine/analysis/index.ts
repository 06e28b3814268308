/**
 * `rnn.analysis`: what a trained recurrent model learned, as typed data the views draw (and cells can
 * compute with). Each function takes an `rnn.sequential` model or an `rnn.nn` recurrent module and
 * reads it through the engine's recording contract and backward passes (subject.ts).
 */
import { trajectory } from "./trajectory";

export type { Trajectory, TrajectoryOptions } from "./trajectory";
export type { AnalysedModel, StateName } from "./subject";

/**
 * Analyses of a trained recurrent model:
 * `trajectory(model, xs, { dims })` (PCA paths of the hidden states).
 */
export const analysis = {
  /**
   * PCA of one recurrent layer's hidden states over all sequences and timesteps → `{ points [N, T, dims],
   * explainedVariance, components, mean }`: `rnn.analysis.trajectory(model, xs, { dims: 2 })`.
   */
  trajectory,
};
