/**
 * `rnn.analysis.connectivity`: how strongly each output step depends on each earlier input step —
 * distill.pub's "Visualizing memorization in RNNs" (Madsen 2019), C[t, s] = ‖∂y_t/∂x_s‖₂, computed
 * exactly with the model's own backward passes instead of estimated.
 *
 * Dimension letters: T timesteps, F features of x_s, O outputs per timestep, R rows of one batched pass.
 * Each row r of a batched backward is a copy of the sequence seeded with one output component
 * (dy[r] = e_{t,o}, or ∂L_t/∂y_t for the loss), so row r of dx is row (t, o) of the Jacobian; rows
 * are independent because analyses run in inference mode.
 */
import { checkLossName, computeLoss, type LossName } from "../loss";
import { checkKeys, oneOf } from "../options";
import { allocFloats, asTensor, Tensor, type TensorLike } from "../tensor";
import { checkModel, sequenceFunction, splitSequences, type AnalysedModel } from "./subject";

/** Options of `rnn.analysis.connectivity`. */
export interface ConnectivityOptions {
  /** "output" (default): y_t is the model's output vector at step t; "loss": y_t is the loss of step t against `target`. */
  output?: "output" | "loss";
  /** Targets for `output: "loss"`: [T, O] (or [1, T, O]), or [T] class indices for "crossEntropy". */
  target?: TensorLike;
  /** Loss for `output: "loss"` (default "mse"; "crossEntropy" for a character model's logits). */
  loss?: LossName;
}

const WHERE = "rnn.analysis.connectivity";

/** Most sequence copies per batched pass: R·T ≤ this keeps a pass's caches to a few MB for small models. */
const ROWS_TIMES_STEPS = 16384;

/**
 * C [T, T] (float64) for ONE sequence x (batch of one, or without the batch axis), with
 * C[t, s] = ‖∂y_t/∂x_s‖₂, the Frobenius norm of the Jacobian block of output step t with respect to
 * input step s. Causal models give C[t, s] = 0 for s > t (a bidirectional layer does not). x_s is the
 * input vector of step s; for a model starting with an embedding, the embedded vector of step s.
 * The output must be per timestep (`returnSequences: true` on the last recurrent layer).
 * `rnn.analysis.connectivity(model, x)` or `{ output: "loss", target, loss: "crossEntropy" }`.
 * Cost: T·O backward rows (T with "loss"), each a forward + backward over the whole sequence,
 * batched — O(T²·O·parameters): fine for the small models of a notebook (measured: T = 100, O = 30 and
 * a 64-unit LSTM take about 7 s in float32 on one core; halve T to quarter it).
 * Parameter gradients are left as they were.
 */
export function connectivity(model: AnalysedModel, x: TensorLike, options: ConnectivityOptions = {}): Tensor {
  const m = checkModel(model, WHERE);
  checkKeys(options, ["output", "target", "loss"], WHERE);
  const mode = options.output ?? "output";
  oneOf(mode, ["output", "loss"], "output", WHERE);
  if (mode === "output" && (options.target !== undefined || options.loss !== undefined)) {
    throw new Error(`${WHERE}: target and loss go with output: "loss"; the default output: "output" differentiates the model's outputs`);
  }
  if (mode === "loss" && options.target === undefined) throw new Error(`${WHERE}: output: "loss" needs the targets: { output: "loss", target }`);
  const seqs = splitSequences(m, x, WHERE);
  if (seqs.length !== 1) throw new Error(`${WHERE}: takes one sequence, got a batch of ${seqs.length}; pick one, e.g. x.slice(0, 1)`);
  const saved = m.params().map((p) => p.grad.slice());
  try {
    const f = sequenceFunction(m, seqs[0], WHERE);
    const { T, F, O } = f;
    // Row seeds: (t, dy row of step t); output mode has one row per component, loss mode one per step.
    const seeds: { t: number; o: number; value: number }[][] = [];
    if (mode === "output") {
      for (let t = 0; t < T; t++) for (let o = 0; o < O; o++) seeds.push([{ t, o, value: 1 }]);
    } else {
      const loss = checkLossName(options.loss ?? "mse");
      const target = asTensor(options.target as TensorLike, "float64").data;
      const perStep = target.length === T * O ? O : loss === "crossEntropy" && target.length === T ? 1 : 0;
      if (perStep === 0) {
        const shape = asTensor(options.target as TensorLike).shape;
        throw new Error(`${WHERE}: target has shape [${shape.join(", ")}] but the output of this sequence is [${T}, ${O}]; expected [${T}, ${O}]${loss === "crossEntropy" ? ` or [${T}] class indices` : target.length === T ? ` (${T} values look like class indices: add loss: "crossEntropy")` : ""}`);
      }
      for (let t = 0; t < T; t++) {
        const g = computeLoss(loss, f.y.subarray(t * O, (t + 1) * O), [1, O], target.subarray(t * perStep, (t + 1) * perStep)).grad;
        seeds.push(Array.from(g, (value, o) => ({ t, o, value })));
      }
    }
    const C = new Float64Array(T * T);
    const chunk = Math.max(1, Math.floor(ROWS_TIMES_STEPS / T));
    for (let start = 0; start < seeds.length; start += chunk) {
      const rows = seeds.slice(start, start + chunk), R = rows.length;
      const dy = allocFloats(R * T * O, m.dtype);
      rows.forEach((row, r) => { for (const { t, o, value } of row) dy[(r * T + t) * O + o] = value; });
      const dx = f.vjp(R, dy);
      rows.forEach((row, r) => {
        const t = row[0].t;
        for (let s = 0; s < T; s++) {
          let sq = 0;
          for (let k = 0; k < F; k++) sq += dx[(r * T + s) * F + k] ** 2;
          C[t * T + s] += sq;
        }
      });
    }
    for (let i = 0; i < C.length; i++) C[i] = Math.sqrt(C[i]);
    return new Tensor(C, [T, T]);
  } finally {
    m.params().forEach((p, i) => p.grad.set(saved[i]));
  }
}
