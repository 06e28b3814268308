// Shared loader for test/fixtures/torch/recurrent_golden.json (written by generate.py; see there for
// what each case holds). Not a test file itself, so importing it runs no tests twice.
import * as assert from "node:assert/strict";
import golden from "../../fixtures/torch/recurrent_golden.json";
import { Tensor } from "../../../src/engine/tensor";

export interface TJ { shape: number[]; data: number[] }
export interface GoldenCase {
  name: string;
  kind: "RNN" | "LSTM" | "GRU";
  config: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; batchFirst: boolean; nonlinearity?: "tanh" | "relu" };
  x: TJ; target: TJ; h0?: TJ; c0?: TJ;
  state_dict: Record<string, TJ>;
  output: TJ; hN: TJ; cN?: TJ; loss: number;
  grads: Record<string, TJ>;
  grad_norms: { layer: number; direction: "forward" | "backward"; h: number[]; c?: number[] }[];
}
export const cases = (golden as unknown as { cases: GoldenCase[] }).cases;

/** T = 50 adding-problem cases: loss = MSE(output[T−1], target_last); per-step ‖∂L/∂h_t‖ (and c). */
export interface LongCase {
  kind: "RNN" | "LSTM" | "GRU";
  config: { inputSize: number; hiddenSize: number };
  x: TJ; target_last: TJ; state_dict: Record<string, TJ>; loss: number;
  h: number[]; c?: number[];
}
export const longCases = (golden as unknown as { long: LongCase[] }).long;

export const tj = (t: TJ): Tensor => new Tensor(Float32Array.from(t.data), t.shape);

/** max |a − b| after checking shapes agree. */
export function maxDiff(a: Tensor, b: TJ, what: string): number {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  let m = 0;
  for (let i = 0; i < b.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}
