// The run comparison as an output (src/kernel/rich/runsBundle.ts): the payload for the renderer, an SVG
// of the curves that is well-formed XML with data text escaped, and a text/plain table of what differs.
import * as assert from "node:assert/strict";
import type { RunRecord } from "../../../../src/engine/runs";
import { compareRuns } from "../../../../src/engine/runsCompare";
import { runsBundle } from "../../../../src/kernel/rich/runsBundle";
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
