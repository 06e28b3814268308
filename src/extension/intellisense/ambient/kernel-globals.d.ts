// What the kernel process adds to a cell's globals at run time (src/kernel), declared by hand for
// IntelliSense in cells. The engine part of `rnn` is NOT declared here: it is generated from
// src/engine at build time (scripts/gen-dts.mjs) and reached as the ambient module "engine/index".
// This file is a global script (no top-level import/export) loaded only by the notebook language
// service; tsconfig.json excludes it so these globals do not leak into the project's own code.
// `math` needs no declaration: mathjs's types declare it (`export as namespace math`).

declare namespace RnnKernel {
  /** The engine as the kernel exposes it. */
  type Engine = typeof import("engine/index");

  /** Rich views of what happens inside a network; each returns a value the cell displays. */
  interface Show {
    /**
     * Heatmaps (time × unit) of every gate of one recurrent layer for one input sequence:
     * LSTM i, f, g, o, c, h; GRU r, z, n, h; SimpleRNN h.
     * @param model a trained model
     * @param x one input sequence batch, e.g. `x.slice(0, 1)` — shape [1, T, F]
     * @param options `layer`: index of the recurrent layer (default 0)
     */
    gates(model: unknown, x: unknown, options?: { layer?: number }): unknown;
    /**
     * ‖∂L/∂h_t‖ at every timestep of backpropagation through time, log scale, one line per model.
     * @param models models to compare (e.g. SimpleRNN vs LSTM vs GRU)
     * @param x inputs [B, T, F]
     * @param y targets
     * @param options `loss` (default "mse"), `layer` (default 0)
     */
    gradientNorms(models: unknown | unknown[], x: unknown, y: unknown, options?: { loss?: string; layer?: number }): unknown;
    /** Per-epoch (and per-batch) loss of a `fit` history as a line plot. */
    lossCurve(history: unknown): unknown;
    /** A tensor as a heatmap (2-D) or line (1-D), with its shape and value range. */
    tensor(t: unknown): unknown;
  }

  /** Readers of data files, resolved relative to the notebook's folder. */
  interface Data {
    /** Reads a CSV file of numbers; the header row, if any, becomes `columns`. */
    readCsv(path: string, options?: { header?: boolean; delimiter?: string }): Promise<unknown>;
    /** Reads a NumPy `.npy` array (float32/float64/int32) as a tensor. */
    readNpy(path: string): Promise<unknown>;
  }

  /** What the kernel adds to the engine's `rnn`. */
  interface Additions {
    /** Rich views: gates, gradient norms, loss curves, tensors. */
    show: Show;
    /** Data file readers. */
    data: Data;
    /**
     * Loads a model saved with `model.save(path)` (safetensors weights + JSON config), relative to
     * the notebook's folder.
     */
    load(path: string): Promise<unknown>;
  }
}

/** The recurrent-network engine (layers, models, training, datasets) plus the kernel's file and display helpers. */
declare const rnn: RnnKernel.Engine & RnnKernel.Additions;

/**
 * Shows values in the cell's output, each as its richest form (models as summaries, tensors as
 * heatmaps, histories as loss curves, anything else as text). The cell's last expression is shown
 * without calling it.
 */
declare function display(...values: unknown[]): void;

/** The cell's text output (stdout / stderr). */
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  table(data: unknown, columns?: string[]): void;
  time(label?: string): void;
  timeEnd(label?: string): void;
  assert(condition?: boolean, ...data: unknown[]): void;
};

declare function setTimeout(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown;
declare function clearTimeout(handle: unknown): void;
declare function setInterval(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown;
declare function clearInterval(handle: unknown): void;
