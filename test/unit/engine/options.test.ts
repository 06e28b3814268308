// The one options module every factory checks its options with: each rule accepts what it should,
// fills defaults, and rejects the rest with `<where>: <option> must be <rule>, got <value>`.
import * as assert from "node:assert/strict";
import { bool, checkKeys, finiteNumber, fraction, oneOf, positiveInt } from "../../../src/engine/options";
import * as rnn from "../../../src/engine/index";

describe("options module", () => {
  it("checkKeys passes known keys and absent options, and lists the valid ones for a typo", () => {
    checkKeys({ units: 1 }, ["units", "name"], "rnn.x");
    checkKeys(undefined, ["units"], "rnn.x");
    assert.throws(() => checkKeys({ unit: 1 }, ["units", "name"], "rnn.x"), /^Error: rnn\.x: unknown option "unit"; valid options: units, name$/);
    assert.throws(() => checkKeys(3, ["units"], "rnn.x"), /rnn\.x: expected an options object, got number/);
  });

  it("positiveInt takes integers ≥ 1 and the default for undefined only", () => {
    assert.equal(positiveInt(3, "units", "rnn.x"), 3);
    assert.equal(positiveInt(undefined, "epochs", "fit", 1), 1);
    for (const bad of [0, -2, 1.5, "3", undefined, NaN]) {
      assert.throws(() => positiveInt(bad, "units", "rnn.x"), /rnn\.x: units must be a positive integer, got /);
    }
    assert.throws(() => positiveInt(0, "epochs", "fit", 1), /fit: epochs must be a positive integer, got 0/);
  });

  it("bool takes true/false and the default for undefined", () => {
    assert.equal(bool(undefined, true, "useBias", "rnn.x"), true);
    assert.equal(bool(false, true, "useBias", "rnn.x"), false);
    assert.throws(() => bool(1, true, "useBias", "rnn.x"), /rnn\.x: useBias must be true or false, got 1/);
  });

  it("fraction takes [0, 1), the default for undefined, and requires a value without one", () => {
    assert.equal(fraction(undefined, "dropout", "rnn.x", 0), 0);
    assert.throws(() => fraction(undefined, "rate", "rnn.dropout"), /rnn\.dropout: rate must be a number in \[0, 1\), got undefined/);
    assert.equal(fraction(0, "dropout", "rnn.x"), 0);
    assert.equal(fraction(0.5, "dropout", "rnn.x"), 0.5);
    for (const bad of [1, -0.1, "0.2", NaN]) {
      assert.throws(() => fraction(bad, "dropout", "rnn.x"), /rnn\.x: dropout must be a number in \[0, 1\), got /);
    }
  });

  it("finiteNumber rejects NaN, infinities and non-numbers", () => {
    assert.equal(finiteNumber(-2.5, "seed", "rnn.x"), -2.5);
    assert.equal(finiteNumber(undefined, "seed", "rnn.x", 7), 7);
    for (const bad of [Infinity, NaN, "1", undefined]) assert.throws(() => finiteNumber(bad, "seed", "rnn.x"), /rnn\.x: seed must be a number, got /);
  });

  it("oneOf names two choices with 'or' and more as a list", () => {
    assert.equal(oneOf(undefined, ["tanh", "relu"], "nonlinearity", "rnn.x", "tanh"), "tanh");
    assert.equal(oneOf("relu", ["tanh", "relu"], "nonlinearity", "rnn.x"), "relu");
    assert.throws(() => oneOf("gelu", ["tanh", "relu"], "nonlinearity", "rnn.x"), /rnn\.x: nonlinearity must be "tanh" or "relu", got "gelu"/);
    assert.throws(() => oneOf("c", ["a", "b", "d"], "mode", "rnn.x"), /rnn\.x: mode must be one of "a", "b", "d", got "c"/);
  });

  it("the factories of both families report through it", () => {
    assert.throws(() => rnn.nn.LSTM({ inputSize: 2, hiddenSize: 0 }), /rnn\.nn\.LSTM: hiddenSize must be a positive integer, got 0/);
    assert.throws(() => rnn.nn.RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: "gelu" as never }), /rnn\.nn\.RNN: nonlinearity must be "tanh" or "relu", got "gelu"/);
    assert.throws(() => rnn.nn.GRU({ inputSize: 2, hiddenSize: 3, dtype: "int8" as never }), /rnn\.nn\.GRU: dtype must be "float32" or "float64", got "int8"/);
    assert.throws(() => rnn.gru({ units: 3, recurrentDropout: 1 }), /rnn\.gru: recurrentDropout must be a number in \[0, 1\), got 1/);
    assert.throws(() => rnn.lstm({ units: 2.5 }), /rnn\.lstm: units must be a positive integer, got 2\.5/);
    assert.throws(() => rnn.bidirectional(rnn.lstm({ units: 2 }), { merge: "concat" } as never), /rnn\.bidirectional: unknown option "merge"; valid options: mergeMode, name/);
    assert.throws(() => rnn.nn.Linear(0, 2), /rnn\.nn\.Linear: inFeatures must be a positive integer, got 0/);
  });
});
