/**
 * `rnn.nn`: the PyTorch-flavoured constructors (plain functions, no `new`), with PyTorch's parameter
 * names, layouts, gate orders and initializations.
 */
export { RNN, LSTM, GRU, TorchRecurrent, type TorchRecurrentOptions, type TorchState, type TorchForwardResult } from "./recurrent";
export { LSTMCell, GRUCell, RNNCell, TorchCell, TorchLSTMCell, TorchHiddenCell, type TorchCellOptions, type CellType } from "./cells";
export { Linear, Embedding, TorchLinear, TorchEmbedding, type TorchModuleOptions } from "./linear";
export { Module, ModuleList, type LoadStateDictResult } from "./baseModule";
export { Parameter } from "./parameter";
