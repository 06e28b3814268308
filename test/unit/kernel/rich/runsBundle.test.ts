// The run comparison as an output (src/kernel/rich/runsBundle.ts): the payload for the renderer, an SVG
// of the curves that is well-formed XML with data text escaped, and a text/plain table of what differs.
import * as assert from "node:assert/strict";
import type { RunRecord } from "../../../../src/engine/runs";
import { compareRuns } from "../../../../src/engine/runsCompare";
import { compareRunsView, runsBundle } from "../../../../src/kernel/rich/runsBundle";
import type { MimeBundle } from "../../../../src/shared/mime";
import type { RunsComparePayload } from "../../../../src/shared/payloads";
import { MIME } from "../../../../src/shared/mime";
import { parseXml, type XmlElement } from "../../../support/xml";

const XSS = `<img src=x onerror="window.__pwned=1">`;
const record = (id: string, clipNorm: number | null, loss: number[]): RunRecord => ({
  id, endedAt: "2026-01-01T00:00:00.000Z", model: { name: "lstm", type: "Sequential", totalParams: 101 }, config: { epochs: loss.length, clipNorm },
  epochs: { loss }, batches: { every: 1, method: "block mean", loss: [], total: 0 }, wallTimeMs: 1000, interrupted: id === XSS, stoppedEarly: false,
});

describe("runsBundle", () => {
  const { payload } = compareRuns([record("run 1", null, [1, 0.5, 0.25]), record(XSS, 1, [2, 1, 0.5])]);
  const b = runsBundle(payload);

  it("carries the payload, an SVG fallback and text/plain", () => {
    assert.deepEqual(Object.keys(b).sort(), [MIME.runs, "image/svg+xml", "text/plain"].sort());
    assert.equal(b[MIME.runs], payload);
  });

  it("the SVG is well-formed, one path per run, the hostile id as escaped text", () => {
    const svg = b["image/svg+xml"] as string;
    const root = parseXml(svg);
    const all = (e: XmlElement): XmlElement[] => [e, ...e.children.flatMap(all)];
    assert.equal(all(root).filter((e) => e.name === "path").length, 2);
    assert.ok(all(root).some((e) => e.name === "text" && e.text === XSS), "the id as text");
    assert.equal(all(root).filter((e) => e.name === "img").length, 0);
    assert.ok(all(root).some((e) => e.name === "text" && e.text === "smoothing 0.6 (TensorBoard debiased EMA)"), "the smoothing is stated");
  });

  it("text/plain: the keys that differ and each run's final loss", () => {
    assert.equal(b["text/plain"], [
      "Runs compared — 2 runs, metric loss, x step, smoothing 0.6",
      "  keys that differ: clipNorm",
      // final losses: the last epochs of the records above
      "  run 1 (lstm): clipNorm none · final loss 0.25",
      `  ${XSS} (lstm, interrupted): clipNorm 1 · final loss 0.5`,
    ].join("\n"));
  });
});

describe("compareRunsView (rnn.runs.compare)", () => {
  const ledger = [record("run 1", null, [1, 0.5, 0.25]), record("run 2", 1, [2, 1, 0.5]), record("run 3", 0.5, [3, 2, 1])];

  it("displays the view and returns { runs, differingKeys }; compare(options) leaves the runs out", () => {
    const shown: MimeBundle[] = [];
    const r = compareRunsView(ledger, ["run 3", "run 1"], { metric: "loss", x: "relative" }, (b) => shown.push(b), 2_000_000);
    assert.deepEqual(r.runs.map((x) => x.id), ["run 3", "run 1"]);
    assert.deepEqual(r.differingKeys, ["clipNorm"]);
    assert.notEqual(r.runs[0], ledger[2], "copies: the ledger cannot be changed through them");
    assert.equal((shown[0][MIME.runs] as RunsComparePayload).x, "relative");
    const all = compareRunsView(ledger, { smoothing: 0 }, undefined, (b) => shown.push(b), 2_000_000);
    assert.equal(all.runs.length, 3);
    assert.equal((shown[1][MIME.runs] as RunsComparePayload).smoothing, 0);
  });

  it("fits the output budget by halving the points per series", () => {
    const long = [record("a", null, Array.from({ length: 2000 }, (_, i) => 1 / (i + 1))), record("b", 1, Array.from({ length: 2000 }, (_, i) => 2 / (i + 1)))];
    const shown: MimeBundle[] = [];
    compareRunsView(long, undefined, undefined, (b) => shown.push(b), 30_000);
    const p = shown[0][MIME.runs] as RunsComparePayload;
    // 1000 points per series at level 0 (about 2 × 1000 × 20 bytes ≈ 40 kB) is over 30 kB; fewer points fit
    assert.ok(p.maxPoints < 1000, `maxPoints ${p.maxPoints}`);
    assert.ok(JSON.stringify(shown[0]).length <= 30_000 + 200);
  });

  it("says what it takes", () => {
    const none = () => undefined;
    assert.throws(() => compareRunsView(ledger, "run 1", undefined, none, 1e6), /runs must be an array of run ids or records/);
    assert.throws(() => compareRunsView(ledger, undefined, { metrics: "loss" }, none, 1e6), /unknown option "metrics"; options: metric, x, smoothing, title, maxPoints/);
    assert.throws(() => compareRunsView(ledger, [3], undefined, none, 1e6), /runs\[0\] must be a run id or a record/);
    assert.throws(() => compareRunsView(ledger, ["run 9"], undefined, none, 1e6), /no run "run 9" in the ledger; runs: "run 1", "run 2", "run 3"/);
  });
});
