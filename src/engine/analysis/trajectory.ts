/**
 * `rnn.analysis.trajectory`: where the hidden state goes, as a path in 2 or 3 dimensions — the PCA of
 * the states h_t of one recurrent layer over every sequence and timestep, each sequence's path
 * projected on the top components (the hidden-state trajectories of Sussillo & Barak 2013 and of
 * seq2seq visualisations).
 */
import { checkKeys, oneOf } from "../options";
import { Tensor, type TensorLike } from "../tensor";
import { pca } from "./pca";
import { checkModel, layerStates, splitSequences, type AnalysedModel, type StateName } from "./subject";

/** Options of `rnn.analysis.trajectory`. */
export interface TrajectoryOptions {
  /** Components kept: 2 or 3. */
  dims: 2 | 3;
  /**
   * Recurrent layer: an index in `model.layers` (`rnn.sequential`) or the stacked layer l (`rnn.nn`).
   * Default: the model's last recurrent layer. Both directions of a bidirectional layer are analysed
   * together (units forward then backward, as its output).
   */
  layer?: number;
  /** "h" (default) or an LSTM's cell state "c". */
  state?: StateName;
}

/** What `rnn.analysis.trajectory` returns. */
export interface Trajectory {
  /** Each sequence's path in component space: [N, T, dims] (float64). */
  points: Tensor;
  /** Each component's fraction of the total variance of the states, largest first (scikit-learn's explained_variance_ratio_). */
  explainedVariance: number[];
  /** The components as columns, [K, dims] (K units of the layer): points = (h − mean)·components. */
  components: Tensor;
  /** Mean state over all sequences and timesteps, [K]. */
  mean: Tensor;
}

const WHERE = "rnn.analysis.trajectory";

/**
 * PCA of one recurrent layer's hidden states over all N sequences and T timesteps of `xs` (the model's
 * input layout: [N, …inputShape] for `rnn.sequential`, the module's layout for `rnn.nn`), each sequence's
 * states projected on the top `dims` components:
 * `const { points, explainedVariance } = rnn.analysis.trajectory(model, xs, { dims: 2 })`.
 * Cost: one forward per sequence, then O(N·T·K² + K³) for the covariance and its eigen-decomposition.
 */
export function trajectory(model: AnalysedModel, xs: TensorLike, options: TrajectoryOptions): Trajectory {
  const m = checkModel(model, WHERE);
  if (!options || typeof options !== "object") throw new Error(`${WHERE}: expected options { dims: 2 | 3, layer?, state? }`);
  checkKeys(options, ["dims", "layer", "state"], WHERE);
  if (options.dims !== 2 && options.dims !== 3) throw new Error(`${WHERE}: dims must be 2 or 3, got ${JSON.stringify(options.dims)}`);
  const state = options.state ?? "h";
  oneOf(state, ["h", "c"], "state", WHERE);
  const seqs = splitSequences(m, xs, WHERE);
  const states = seqs.map((x) => layerStates(m, x, options.layer, state, WHERE));
  const { T, K } = states[0];
  const N = seqs.length, M = N * T, P = options.dims;
  if (K < P) throw new Error(`${WHERE}: dims ${P} needs a layer of at least ${P} units; layer "${states[0].entries[0].name}" has ${K}`);
  if (M < 2) throw new Error(`${WHERE}: PCA needs at least 2 states, got ${N} sequence${N === 1 ? "" : "s"} of ${T} step${T === 1 ? "" : "s"}`);
  const X = new Float64Array(M * K);
  states.forEach((s, n) => X.set(s.values, n * T * K));
  const r = pca(X, M, K, P);
  return {
    points: new Tensor(r.scores, [N, T, P]),
    explainedVariance: r.explainedVarianceRatio,
    components: new Tensor(r.components, [K, P]),
    mean: new Tensor(r.mean, [K]),
  };
}
