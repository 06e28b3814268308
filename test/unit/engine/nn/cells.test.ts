// rnn.nn.LSTMCell / GRUCell / RNNCell (src/engine/nn/cells.ts) against PyTorch 1.13
// (test/fixtures/torch/graph_golden.json, written by generate_graph.py): a 5-step unrolled loop,
//   for t in range(5): state = cell(x[t], state)
//   loss = Σ_t Σ h_t ⊙ w_h[t]  (+ Σ c_t ⊙ w_c[t] for LSTM)
// every step's h_t (c_t), the loss and every gradient (parameters, x, h0, c0) within 1e-5 relative,
// measured as |ours − torch| ≤ 1e-5 · max(1, |torch|); then float64 gradient checks (max relative
// error < 1e-6, autograd/check.ts) and the cells' errors.
import * as assert from "node:assert/strict";
import golden from "../../../fixtures/torch/graph_golden.json";
import { nn, paramCount, stack, tensor, type Tensor } from "../../../../src/engine/index";
import { checkGradients, leaf } from "../autograd/check";

interface TJ { shape: number[]; data: number[] }
interface CellCase {
  name: string; kind: "LSTMCell" | "GRUCell" | "RNNCell";
  config: { inputSize: number; hiddenSize: number; bias?: boolean; nonlinearity?: "tanh" | "relu" };
  x: TJ; h0?: TJ; c0?: TJ; w_h: TJ; w_c?: TJ; state_dict: Record<string, TJ>;
  hs: TJ; cs?: TJ; loss: number; grads: Record<string, TJ>;
}
const cases = (golden as unknown as { cells: CellCase[] }).cells;
const leafOf = (t: TJ): Tensor => tensor(Float32Array.from(t.data), t.shape, { requiresGrad: true });
const constOf = (t: TJ): Tensor => tensor(Float32Array.from(t.data), t.shape);

function relErr(a: Tensor, b: TJ, what: string): number {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  let m = 0;
  for (let i = 0; i < b.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]) / Math.max(1, Math.abs(b.data[i])));
  return m;
}

/** The unrolled loop of the fixture: every step's h (and c), and the weighted loss. */
function unroll(cell: nn.TorchLSTMCell | nn.TorchHiddenCell, x: Tensor, h0: Tensor | undefined, c0: Tensor | undefined, wH: Tensor, wC: Tensor | undefined) {
  const lstm = cell instanceof nn.TorchLSTMCell;
  const hs: Tensor[] = [], cs: Tensor[] = [];
  let h = h0, c = c0;
  for (let t = 0; t < x.shape[0]; t++) {
    const xt = x.select(0, t);
    if (cell instanceof nn.TorchLSTMCell) [h, c] = cell.forward(xt, h && c ? [h, c] : undefined);
    else h = cell.forward(xt, h);
    hs.push(h!);
    if (lstm) cs.push(c!);
  }
  let loss = stack(hs, 0).mul(wH).sum();
  if (lstm) loss = loss.add(stack(cs, 0).mul(wC!).sum());
  return { hs, cs, loss };
}

describe(`nn cells against PyTorch ${(golden as { torch: string }).torch} (5-step loop, float32, ≤ 1e-5 relative)`, () => {
  for (const c of cases) {
    it(`${c.name}: every step's state, the loss and every gradient`, () => {
      const cell = nn[c.kind](c.config);
      cell.loadStateDict(Object.fromEntries(Object.entries(c.state_dict).map(([k, v]) => [k, constOf(v)])));
      const x = leafOf(c.x), h0 = c.h0 && leafOf(c.h0), c0 = c.c0 && leafOf(c.c0);
      const { hs, cs, loss } = unroll(cell, x, h0, c0, constOf(c.w_h), c.w_c && constOf(c.w_c));
      assert.ok(relErr(stack(hs, 0), c.hs, "hs") <= 1e-5, "h_t");
      if (c.cs) assert.ok(relErr(stack(cs, 0), c.cs, "cs") <= 1e-5, "c_t");
      assert.ok(Math.abs(loss.item() - c.loss) <= 1e-5 * Math.max(1, Math.abs(c.loss)), `loss ${loss.item()} vs ${c.loss}`);
      loss.backward();
      const ours: Record<string, Tensor> = Object.fromEntries(cell.namedParameters().map(([k, t]) => [k, t.grad!]));
      ours.x = x.grad!;
      if (h0) ours.h0 = h0.grad!;
      if (c0) ours.c0 = c0.grad!;
      assert.deepEqual(Object.keys(ours).sort(), Object.keys(c.grads).sort());
      for (const [k, g] of Object.entries(c.grads)) {
        const err = relErr(ours[k], g, k);
        assert.ok(err <= 1e-5, `${k}: gradient off by ${err}`);
      }
    });
  }
});

describe("nn cells: float64 gradient checks and errors", () => {
  const configs = [
    ["LSTMCell", {}], ["GRUCell", {}], ["RNNCell", {}], ["RNNCell", { nonlinearity: "relu" }], ["GRUCell", { bias: false }],
  ] as const;
  for (const [kind, extra] of configs) {
    it(`${kind}${JSON.stringify(extra) === "{}" ? "" : " " + JSON.stringify(extra)}: x, h0${kind === "LSTMCell" ? ", c0" : ""} and every parameter over 3 steps`, () => {
      const cell = nn[kind]({ inputSize: 3, hiddenSize: 4, dtype: "float64", seed: 9, ...extra });
      const x = leaf([3, 2, 3], 21), h0 = leaf([2, 4], 22), c0 = leaf([2, 4], 23);
      const lstm = cell instanceof nn.TorchLSTMCell;
      const f = (xi: Tensor, hi: Tensor, ci?: Tensor): Tensor => {
        let h = hi, c = ci;
        const outs: Tensor[] = [];
        for (let t = 0; t < 3; t++) {
          if (cell instanceof nn.TorchLSTMCell) { [h, c] = cell.forward(xi.select(0, t), [h, c!]); outs.push(h, c); }
          else { h = cell.forward(xi.select(0, t), h); outs.push(h); }
        }
        return stack(outs, 0);
      };
      checkGradients(`nn.${kind}`, f, [...(lstm ? [x, h0, c0] : [x, h0]), ...cell.parameters()]);
    });
  }

  it("state omitted = zeros; unbatched input gives unbatched states equal to a batch of one", () => {
    const cell = nn.LSTMCell(3, 2, { seed: 4 });
    const x = tensor([[0.5, -1, 2]]);
    const [h1, c1] = cell.forward(x);
    const [h2, c2] = cell.forward(x, [tensor([[0, 0]]), tensor([[0, 0]])]);
    assert.deepEqual([h1.toArray(), c1.toArray()], [h2.toArray(), c2.toArray()]);
    const [hu, cu] = cell.forward(tensor([0.5, -1, 2]));
    assert.deepEqual([hu.shape, cu.shape], [[2], [2]]);
    assert.deepEqual(hu.toFlatArray(), h1.toFlatArray());
    assert.equal(String(cell), "LSTMCell(3, 2)");
    assert.equal(String(nn.RNNCell({ inputSize: 3, hiddenSize: 2, bias: false, nonlinearity: "relu" })), "RNNCell(3, 2, bias=False, nonlinearity=relu)");
    assert.deepEqual(cell.namedParameters().map(([k, t]) => [k, t.shape]),
      [["weight_ih", [8, 3]], ["weight_hh", [8, 2]], ["bias_ih", [8]], ["bias_hh", [8]]]);
  });

  it("counts like the layer table (what hovers and summaries read) and like PyTorch", () => {
    // torch.nn.GRUCell(5, 16): weight_ih [48, 5] + weight_hh [48, 16] + two biases [48] = 240 + 768 + 96 = 1,104.
    const cell = nn.GRUCell(5, 16);
    assert.equal(cell.countParams(), 1_104);
    assert.equal(paramCount(cell.config, 5, "torch").total, 1_104);
  });

  it("init is U(−1/√H, 1/√H), seeded", () => {
    const a = nn.GRUCell(5, 16, { seed: 1 }), b = nn.GRUCell(5, 16, { seed: 1 });
    const bound = 1 / Math.sqrt(16);
    for (const [, t] of a.namedParameters()) for (const v of t.data) assert.ok(Math.abs(v) <= bound);
    assert.deepEqual(a.stateDict(), b.stateDict());
  });

  it("a shape mismatch names the cell and both shapes; a second backward is the tape's error", () => {
    const cell = nn.GRUCell({ inputSize: 3, hiddenSize: 4, name: "dec_cell" });
    assert.throws(() => cell.forward(tensor([[1, 2]])), { message: "dec_cell (GRUCell(3, 4)): expected input of shape [batch, 3] (or unbatched [3]) but got [1, 2]" });
    assert.throws(() => cell.forward(tensor([[1, 2, 3]]), tensor([[1, 2, 3]])),
      { message: "dec_cell (GRUCell(3, 4)): h must have shape [1, 4] (batch, hiddenSize) to match the input, but got [1, 3]" });
    const lstm = nn.LSTMCell(3, 4);
    assert.throws(() => lstm.forward(tensor([[1, 2, 3]]), tensor([[1, 2, 3, 4]]) as never), /the state is \[h, c\] \(each \[batch, 4\]\), or omitted for zeros/);
    const loss = cell.forward(tensor([[1, 2, 3]])).sum();
    loss.backward();
    assert.throws(() => loss.backward(), /backward: trying to backward through the graph a second time/);
  });
});
