// The extension's check of a renderer's what-if message (src/shared/whatIf.ts): the renderer runs in the
// output webview, so only well-formed requests within the payload caps (WHAT_IF_MAX_TEXT characters,
// WHAT_IF_MAX_VALUES numbers) are passed on to the kernel.
import * as assert from "node:assert/strict";
import { checkWhatIfRequest } from "../../../src/shared/whatIf";

describe("checkWhatIfRequest", () => {
  it("passes a text or a grid edit, or a state request, keeping only the known fields", () => {
    assert.deepEqual(checkWhatIfRequest({ type: "whatIf", requestId: 3, view: "gates", handle: "k:1", input: { kind: "text", text: "abc" }, extra: 1 }),
      { type: "whatIf", requestId: 3, view: "gates", handle: "k:1", input: { kind: "text", text: "abc" } });
    assert.deepEqual(checkWhatIfRequest({ type: "whatIf", requestId: 4, view: "connectivity", handle: "k:2", input: { kind: "values", steps: 2, features: 1, values: [1, 2] } })?.input,
      { kind: "values", steps: 2, features: 1, values: [1, 2] });
    assert.deepEqual(checkWhatIfRequest({ type: "whatIf", requestId: 5, view: "neurons", handle: "k:3" }), { type: "whatIf", requestId: 5, view: "neurons", handle: "k:3" });
  });

  it("refuses anything else", () => {
    const ok = { type: "whatIf", requestId: 1, view: "gates", handle: "k:1" };
    for (const bad of [null, "x", { ...ok, type: "saveFigure" }, { ...ok, requestId: "1" }, { ...ok, view: "summary" }, { ...ok, handle: 7 },
      { ...ok, handle: "h".repeat(101) }, { ...ok, input: { kind: "html", text: "a" } }, { ...ok, input: { kind: "text", text: "a".repeat(100_001) } },
      { ...ok, input: { kind: "values", steps: 1, features: 1, values: ["1"] } }, { ...ok, input: { kind: "values", steps: 257, features: 1, values: new Array(257).fill(0) } }]) {
      assert.equal(checkWhatIfRequest(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
    }
  });
});
