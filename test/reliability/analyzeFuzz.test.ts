// Seeded fuzz of the hover's static analysis (src/extension/hover/analyze.ts). It runs in VS Code's
// extension host on every hover and for the summary command, over whatever a cell contains — so an
// exception or a hang there would break hovers or freeze every extension. Generated sources: valid
// model definitions with hostile option values (huge, negative, fractional, NaN, strings, spreads,
// deep nesting), truncated at random points, with random characters spliced in. None may throw, none
// may take longer than the stated bound, and every count reported must be a finite non-negative integer.
// Count: 1,000 sources (RNN_STRESS=1: 10,000).
import * as assert from "node:assert/strict";
import { analyzeSource, staticSummaries } from "../../src/extension/hover/analyze";
import { prng } from "./prng";

const COUNT = process.env.RNN_STRESS === "1" ? 10_000 : 1000;
/** Stated bound per source (both analyses); the largest source is ~200 KB of nesting. */
const PER_SOURCE_MS = 2000;


describe("hover static analysis: bugs this fuzz found (regressions)", () => {
  it("nesting deep enough to overflow the stack gives no sites instead of throwing (it broke hovers and the summary command of the whole notebook)", () => {
    const src = `const m = rnn.sequential({ inputShape: [5, 1] }, [rnn.lstm({ units: 4 })]);\nrnn.lstm(${"(".repeat(20_000)}1${")".repeat(20_000)});`;
    assert.deepEqual(analyzeSource(src), []);
    assert.equal(staticSummaries(src).size, 0);
  });

  it("sizes too large to count exactly give no count (was: Infinity params in the hover)", () => {
    const [site] = analyzeSource("rnn.nn.LSTM({ inputSize: 1e308, hiddenSize: 16 })");
    assert.equal(site.count, undefined);
    assert.match(site.problem ?? "", /too large to count exactly/);
    // 4·H·(I+H) + 8·H with I = 6, H = 16 (torch.nn.LSTM docs): still counted
    assert.equal(analyzeSource("rnn.nn.LSTM({ inputSize: 6, hiddenSize: 16 })")[0].count?.total, 4 * 16 * (6 + 16) + 8 * 16);
  });
});

describe(`hover static analysis fuzz (${COUNT} generated sources)`, function () {
  this.timeout(COUNT * 200);

  it("never throws, never hangs, and reports only finite non-negative integer counts", () => {
    const r = prng(42);
    const int = (n: number) => Math.floor(r() * n);
    const pick = <X>(xs: readonly X[]): X => xs[int(xs.length)];
    const num = () => pick(["16", "0", "-3", "1.5", "1e308", "NaN", "Infinity", "2**53", '"16"', "x", "...o", "[]", "{}", "null", "undefined", "9".repeat(400)]);
    const factories = ["simpleRNN", "lstm", "gru", "dense", "embedding", "flatten", "dropout", "timeDistributed", "bidirectional", "nn.LSTM", "nn.GRU", "nn.RNN", "nn.Linear", "nn.Embedding"];
    const layer = (): string => {
      const f = pick(factories);
      if (f === "timeDistributed" || f === "bidirectional") return `rnn.${f}(${r() < 0.8 ? layer() : num()})`;
      if (f === "nn.Linear") return `rnn.nn.Linear(${num()}, ${num()})`;
      const opts = ["units", "inputDim", "outputDim", "rate", "inputSize", "hiddenSize", "numLayers", "returnSequences", "bidirectional", "resetAfter", "useBias", "bias"]
        .filter(() => r() < 0.4).map((k) => `${k}: ${r() < 0.7 ? num() : pick(["true", "false"])}`);
      return `rnn.${f}({ ${opts.join(", ")} })`;
    };
    const model = (): string => {
      const shape = `[${Array.from({ length: int(4) }, num).join(", ")}]`;
      const layers = Array.from({ length: int(6) }, layer).join(",\n  ");
      return `const m${int(5)} = rnn.sequential({ inputShape: ${shape}${r() < 0.2 ? ", ...extra" : ""} }, [\n  ${layers}\n]);`;
    };
    const source = (): string => {
      let s = Array.from({ length: 1 + int(3) }, model).join("\n");
      const op = int(6);
      if (op === 0) s = s.slice(0, int(s.length)); // truncated while typing
      else if (op === 1) { const at = int(s.length); s = s.slice(0, at) + pick(["(", ")", "[", "]", "{", "}", ",", "`", "/*", "\"", "rnn.", "\u0000", "\ud800"]) + s.slice(at); }
      else if (op === 2) s += `\nrnn.lstm(${"(".repeat(5000 + int(20_000))}1${")".repeat(r() < 0.5 ? 5000 : 0)})`; // deep nesting
      else if (op === 3) s = s.replace(/rnn\.sequential\(/, `rnn.sequential(${"[".repeat(2000)}`);
      return s;
    };
    let sites = 0;
    let slowest = 0;
    for (let i = 0; i < COUNT; i++) {
      const src = source();
      const t0 = Date.now();
      let found;
      try {
        found = analyzeSource(src);
        staticSummaries(src);
      } catch (e) {
        throw new Error(`source ${i} threw ${(e as Error)?.message}: ${src.slice(0, 300)}`);
      }
      const ms = Date.now() - t0;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < PER_SOURCE_MS, `source ${i} took ${ms} ms`);
      for (const s of found) {
        const total = s.count?.total;
        if (total !== undefined) assert.ok(Number.isSafeInteger(total) && total >= 0, `source ${i}: count ${total} for ${src.slice(s.start, s.end)}`);
      }
      sites += found.length;
    }
    console.log(`      ${COUNT} sources, ${sites} layer sites analyzed; slowest ${slowest} ms (bound ${PER_SOURCE_MS} ms)`);
  });
});
