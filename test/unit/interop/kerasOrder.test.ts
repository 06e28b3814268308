// Keras weights in: `model.setWeights(list)` takes the list a Keras model's get_weights()
// gives. The reference Keras implementation available in plain Node is TF.js layers (the Keras API in
// TypeScript, a devDependency): its getWeights() list goes straight into our setWeights, and both
// models must predict the same (float32, ≤ 1e-5). Porting notes: TF.js defaults recurrentActivation to
// hardSigmoid (we and Keras default to sigmoid), and TF.js's GRU is the resetAfter: false form.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Sequential } from "../../../src/engine/model";
import { bidirectional } from "../../../src/engine/layers/bidirectional";
import { dense } from "../../../src/engine/layers/dense";
import { embedding } from "../../../src/engine/layers/embedding";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { timeDistributed } from "../../../src/engine/layers/timeDistributed";
import { Rng } from "../../../src/engine/random";
import { Tensor } from "../../../src/engine/tensor";

const TOL = 1e-5;

interface Case {
  name: string;
  keras: () => tf.Sequential;
  ours: () => Sequential;
  x: number[]; // shape [2, …inputShape]
  shape: number[];
  ints?: number;
}

function values(n: number, seed: number, ints?: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => (ints ? rng.int(ints) : rng.uniform(-1, 1)));
}

const cases: Case[] = [
  {
    name: "SimpleRNN(4) → Dense(2): [kernel, recurrent_kernel, bias] ×1, [kernel, bias]",
    keras: () => tf.sequential({ layers: [tf.layers.simpleRNN({ units: 4, inputShape: [5, 3] }), tf.layers.dense({ units: 2 })] }),
    ours: () => new Sequential({ inputShape: [5, 3] }, [simpleRNN({ units: 4 }), dense({ units: 2 })]),
    x: values(30, 1), shape: [2, 5, 3],
  },
  {
    name: "LSTM(4, returnSequences) → LSTM(3), sigmoid gates: gate blocks i, f, c, o",
    keras: () => tf.sequential({ layers: [
      tf.layers.lstm({ units: 4, inputShape: [5, 3], recurrentActivation: "sigmoid", returnSequences: true }),
      tf.layers.lstm({ units: 3, recurrentActivation: "sigmoid" })] }),
    ours: () => new Sequential({ inputShape: [5, 3] }, [lstm({ units: 4, returnSequences: true }), lstm({ units: 3 })]),
    x: values(30, 2), shape: [2, 5, 3],
  },
  {
    name: "LSTM with TF.js's default hardSigmoid gates = ours with recurrentActivation: \"hardSigmoid\"",
    keras: () => tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [5, 3] })] }),
    ours: () => new Sequential({ inputShape: [5, 3] }, [lstm({ units: 4, recurrentActivation: "hardSigmoid" })]),
    x: values(30, 3), shape: [2, 5, 3],
  },
  {
    name: "GRU(4) (TF.js = Keras reset_after=False): bias [3H], blocks z, r, h",
    keras: () => tf.sequential({ layers: [tf.layers.gru({ units: 4, inputShape: [5, 3], recurrentActivation: "sigmoid", returnSequences: true })] }),
    ours: () => new Sequential({ inputShape: [5, 3] }, [gru({ units: 4, resetAfter: false, returnSequences: true })]),
    x: values(30, 4), shape: [2, 5, 3],
  },
  {
    name: "Bidirectional(LSTM(3)) → Dense(1): forward's three arrays, then backward's",
    keras: () => tf.sequential({ layers: [
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, recurrentActivation: "sigmoid" }) as tf.RNN, inputShape: [5, 3], mergeMode: "concat" }),
      tf.layers.dense({ units: 1 })] }),
    ours: () => new Sequential({ inputShape: [5, 3] }, [bidirectional(lstm({ units: 3 })), dense({ units: 1 })]),
    x: values(30, 5), shape: [2, 5, 3],
  },
  {
    name: "Embedding(9, 4) → GRU(3, returnSequences) → TimeDistributed(Dense(2))",
    keras: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 6 }),
      tf.layers.gru({ units: 3, recurrentActivation: "sigmoid", returnSequences: true }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) })] }),
    ours: () => new Sequential({ inputShape: [6] }, [embedding({ inputDim: 9, outputDim: 4 }), gru({ units: 3, resetAfter: false, returnSequences: true }),
      timeDistributed(dense({ units: 2 }))]),
    x: values(12, 6, 9), shape: [2, 6], ints: 9,
  },
];

describe("interop: Keras get_weights() order (TF.js layers as the Keras reference)", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  for (const c of cases) {
    it(c.name, () => {
      const km = c.keras();
      // Non-trivial weights everywhere (Keras initializes biases to zero): seeded uniform values.
      const rng = new Rng(42);
      km.setWeights(km.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => rng.uniform(-0.7, 0.7)), w.shape)));
      const list = km.getWeights().map((w) => new Tensor(Float32Array.from(w.dataSync()), w.shape as number[]));
      const ours = c.ours();
      assert.deepEqual(ours.getWeights().map((w) => w.shape), list.map((w) => w.shape), "same list: count and shapes");
      ours.setWeights(list);
      const x = new Tensor(Float32Array.from(c.x), c.shape);
      const expected = km.predict(tf.tensor(c.x, c.shape, c.ints ? "int32" : "float32")) as tf.Tensor;
      const got = ours.predict(x);
      assert.deepEqual(got.shape, expected.shape);
      const e = expected.dataSync();
      let diff = 0;
      for (let i = 0; i < e.length; i++) diff = Math.max(diff, Math.abs(got.data[i] - e[i]));
      console.log(`        max |diff| ${diff.toExponential(2)} (max |y| ${Math.max(...Array.from(e, Math.abs)).toFixed(3)})`);
      assert.ok(diff <= TOL, `max |diff| ${diff}`);
      km.dispose();
    });
  }
});
