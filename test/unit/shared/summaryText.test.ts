// Keras-style summary text, checked against the Keras 2 `model.summary()` output quoted in the study
// notes (shared reference 000: SimpleRNN 368 / 1568 / Flatten 0 / Dense 33, total 1,969, input (20, 6)).
import * as assert from "node:assert/strict";
import { formatCount, formatShape, formatSummaryText } from "../../../src/shared/summaryText";

describe("summaryText", () => {
  it("formats counts and shapes like Keras", () => {
    assert.equal(formatCount(1969), "1,969");
    assert.equal(formatCount(821770), "821,770");
    assert.equal(formatShape([null, 20, 16]), "(None, 20, 16)");
    assert.equal(formatShape([null]), "(None,)");
  });

  it("lays out the textbook summary as Keras 2 does", () => {
    const text = formatSummaryText({
      name: "sequential", convention: "keras", totalParams: 1969, trainableParams: 1969, nonTrainableParams: 0,
      layers: [
        { name: "simple_rnn", type: "SimpleRNN", outputShape: [null, 20, 16], params: 368, breakdown: [] },
        { name: "simple_rnn_1", type: "SimpleRNN", outputShape: [null, 32], params: 1568, breakdown: [] },
        { name: "flatten", type: "Flatten", outputShape: [null, 32], params: 0, breakdown: [] },
        { name: "dense", type: "Dense", outputShape: [null, 1], params: 33, breakdown: [] },
      ],
    });
    const lines = text.split("\n");
    assert.equal(lines[0], 'Model: "sequential"');
    assert.equal(lines[2], " Layer (type)                Output Shape              Param #");
    assert.equal(lines[4], " simple_rnn (SimpleRNN)      (None, 20, 16)            368");
    assert.equal(lines[6], " simple_rnn_1 (SimpleRNN)    (None, 32)                1568");
    assert.ok(lines.includes("Total params: 1,969"));
    assert.ok(lines.includes("Non-trainable params: 0"));
  });

  it("wraps a long layer name inside its column, as Keras 2's print_row does, instead of shifting the columns", () => {
    const text = formatSummaryText({
      name: "m", convention: "keras", totalParams: 84, trainableParams: 84, nonTrainableParams: 0,
      layers: [{ name: "a_really_long_layer_name_that_breaks_columns", type: "LSTM", outputShape: [null, 3], params: 84, breakdown: [] }],
    });
    const lines = text.split("\n");
    // The Output Shape column still starts at character 29 and Param # at 55 (Keras 2 positions, as above).
    assert.equal(lines[4], " a_really_long_layer_name_th (None, 3)                 84");
    assert.equal(lines[5], " at_breaks_columns (LSTM)");
    assert.ok(lines.every((l) => l.length <= 65), "no line is wider than Keras's 65-character rule");
  });

  it("says when the counts follow PyTorch's convention (two bias vectors), and says nothing extra for Keras", () => {
    const base = { name: "m", totalParams: 0, trainableParams: 0, nonTrainableParams: 0, layers: [] };
    assert.match(formatSummaryText({ ...base, convention: "torch" }).split("\n")[1], /PyTorch.*two bias vectors/);
    assert.equal(formatSummaryText({ ...base, convention: "keras" }).split("\n")[1], "_".repeat(65));
  });
});
