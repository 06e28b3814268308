/**
 * The table of autograd ops the Tensor methods call (`t.add(u)` is `tensorOps.add(t, u)`), installed
 * into tensor.ts when this module loads. The engine's entry (index.ts) imports it, so every bundle
 * that sees `rnn` has working tensor methods; the free functions (`rnn.cat`, `rnn.stack`,
 * `rnn.where`, `rnn.noGrad`) are exported from here too.
 */
import { installTensorOps } from "../tensor";
import { abs, add, copy, div, exp, log, maskedFill, mul, neg, pow, relu, sigmoid, sqrt, sub, tanh, where } from "./elementwise";
import { backward, isGradEnabled, noGrad } from "./graph";
import { eq, ge, gt, le, lt } from "./compare";
import { matmul } from "./matmul";
import { logSoftmax, max, mean, min, softmax, sum } from "./reduce";
import { cat, index, narrow, select, squeeze, stack, transpose, unsqueeze, view } from "./shape";

const tensorOps = {
  backward,
  add, sub, mul, div, pow, neg, exp, log, sqrt, tanh, sigmoid, relu, abs, copy, maskedFill,
  matmul,
  sum, mean, max, min, softmax, logSoftmax,
  view, transpose, unsqueeze, squeeze, select, narrow, index,
  gt, lt, ge, le, eq,
};

/** What tensor.ts calls through (the type of the table above). */
export type TensorOps = typeof tensorOps;

installTensorOps(tensorOps);

export { cat, stack, where, noGrad, isGradEnabled };
