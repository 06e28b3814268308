/**
 * `rnn.nn.Dropout(p)`: torch.nn.Dropout as a Module — in training mode (the default) zeroes each
 * element with probability p and scales the rest by 1 / (1 − p); after `eval()` it passes its input
 * through. The masks come from the module's own generator when given a seed, else the global one
 * (rnn.manualSeed).
 */
import { checkKeys } from "../options";
import { globalRng, Rng } from "../random";
import type { Tensor } from "../tensor";
import { Module } from "./baseModule";
import { dropout } from "./functional";

/** What `rnn.nn.Dropout(...)` makes. */
export class TorchDropout extends Module {
  readonly p: number;
  private readonly rng: Rng | null;

  constructor(p = 0.5, options: { seed?: number } = {}) {
    super();
    checkKeys(options, ["seed"], "rnn.nn.Dropout");
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`rnn.nn.Dropout: probability p must be in [0, 1], got ${p}`);
    this.p = p;
    this.rng = options.seed !== undefined ? new Rng(options.seed) : null;
  }

  /** x with dropout applied in training mode; x itself in eval mode. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.rng ?? globalRng());
  }

  protected reprName(): string {
    return "Dropout";
  }

  protected extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}

/** `rnn.nn.Dropout(p = 0.5, { seed? })`: dropout as a module (identity after `eval()`). */
export function Dropout(p?: number, options?: { seed?: number }): TorchDropout {
  return new TorchDropout(p, options);
}
/** The type of `rnn.nn.Dropout(...)`, for a field declaration (`drop: rnn.nn.Dropout`). */
export type Dropout = TorchDropout;
