// Data helpers: the synthetic datasets match their definitions (datasets.ts header) and the text
// helpers round-trip.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";

describe("datasets", () => {
  it("sine: x [N, T, 1], y [N, 1] is the next value of the same wave (sin(φ + ω·t) has a constant step)", () => {
    const { x, y } = rnn.datasets.sine({ samples: 8, timesteps: 12, seed: 1 });
    assert.deepEqual([x.shape, y.shape], [[8, 12, 1], [8, 1]]);
    for (let n = 0; n < 8; n++) {
      // for a sinusoid s_{t+1} + s_{t−1} = 2·cos(ω)·s_t: recover 2cos ω from steps 0–2 and predict y
      const [a, b, c] = [x.get(n, 0, 0), x.get(n, 1, 0), x.get(n, 2, 0)];
      const k = (a + c) / b;
      const next = k * x.get(n, 11, 0) - x.get(n, 10, 0);
      assert.ok(Math.abs(next - y.get(n, 0)) < 1e-3, `sample ${n}: ${next} vs ${y.get(n, 0)}`);
    }
    assert.deepEqual(Array.from(rnn.datasets.sine({ samples: 8, timesteps: 12, seed: 1 }).x.data), Array.from(x.data), "seeded");
    assert.notDeepEqual(Array.from(rnn.datasets.sine({ samples: 8, timesteps: 12, seed: 2 }).x.data), Array.from(x.data));
  });

  it("addingProblem: two markers, one per half, and y = sum of the marked values (Hochreiter & Schmidhuber 1997)", () => {
    const T = 10;
    const { x, y } = rnn.datasets.addingProblem({ samples: 50, timesteps: T, seed: 2 });
    assert.deepEqual([x.shape, y.shape], [[50, T, 2], [50, 1]]);
    for (let n = 0; n < 50; n++) {
      const marked = [...Array(T).keys()].filter((t) => x.get(n, t, 1) === 1);
      assert.equal(marked.length, 2);
      assert.ok(marked[0] < T / 2 && marked[1] >= T / 2);
      assert.ok(Math.abs(y.get(n, 0) - (x.get(n, marked[0], 0) + x.get(n, marked[1], 0))) < 1e-6);
    }
    assert.throws(() => rnn.datasets.addingProblem({ samples: 5, length: 3 } as never), /unknown option "length"; valid options: samples, timesteps, seed/);
  });
});

describe("text", () => {
  it("charVocab: sorted distinct characters, encode/decode round trip", () => {
    const v = rnn.text.charVocab("hello world");
    assert.deepEqual(v.chars, [" ", "d", "e", "h", "l", "o", "r", "w"]);
    assert.equal(v.size, 8);
    assert.equal(v.decode(v.encode("world hello")), "world hello");
    assert.throws(() => v.encode("x"), /character "x" is not in the vocabulary/);
  });

  it("oneHot and next-character windows", () => {
    assert.deepEqual(Array.from(rnn.text.oneHot([2, 0], 3)), [0, 0, 1, 1, 0, 0]);
    const w = rnn.text.windows([0, 1, 2, 3, 4, 5], 3, 2); // starts 0 and 2 (4 + 3 + 1 > 6)
    assert.equal(w.count, 2);
    assert.deepEqual(Array.from(w.x), [0, 1, 2, 2, 3, 4]);
    assert.deepEqual(Array.from(w.y), [1, 2, 3, 3, 4, 5]);
  });

  it("the bundled sample text is a few paragraphs of lower-case prose", () => {
    assert.ok(rnn.text.sampleText.length > 1000);
    assert.equal(rnn.text.sampleText, rnn.text.sampleText.toLowerCase());
    assert.equal(rnn.text.sampleText.split("\n\n").length, 4);
  });
});
