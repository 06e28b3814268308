/**
 * `rnn.nn`: the PyTorch-flavoured constructors (plain functions, no `new`), with PyTorch's parameter
 * names, layouts, gate orders and initializations.
 */
export { RNN, LSTM, GRU, TorchRecurrent, type TorchRecurrentOptions, type TorchState, type TorchForwardResult } from "./recurrent";
export { LSTMCell, GRUCell, RNNCell, TorchCell, TorchLSTMCell, TorchHiddenCell, type TorchCellOptions, type CellType } from "./cells";
export { Linear, Embedding, TorchLinear, TorchEmbedding, type TorchModuleOptions } from "./linear";
export { Module, ModuleList, TorchModuleList, type LoadStateDictResult } from "./baseModule";
export { Dropout, TorchDropout } from "./dropout";
export { Parameter } from "./parameter";
/**
 * `rnn.nn.functional` (also `rnn.nn.F`): `crossEntropy`, `mseLoss`, `softmax`, `logSoftmax`, `dropout`,
 * `linear`, `embedding`, `relu`, `tanh`, `sigmoid` on autograd tensors.
 */
export * as functional from "./functional";
export * as F from "./functional";
/** `rnn.nn.utils.clipGradNorm_(params, maxNorm)`: clip gradients to a global L2 norm, returns the norm before. */
export * as utils from "./utils";
