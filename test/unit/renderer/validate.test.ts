// Payload validation (src/shared/validate.ts) against hostile payloads ("Renderer payloads"):
// wrong types, mismatched lengths, non-finite numbers, 10^6-element recordings. validatePayload must
// return an error object or a cleaned payload — never throw.
import * as assert from "node:assert/strict";
import { MIME } from "../../../src/shared/mime";
import { MAX_CELLS, MAX_LABEL, validatePayload } from "../../../src/shared/validate";
import type { GatesPayload, GradNormsPayload, TensorPayload } from "../../../src/shared/payloads";

function gates(over: Partial<GatesPayload> = {}): GatesPayload {
  // 3 timesteps × 2 units, one panel: 6 values (t-major)
  return {
    layer: { index: 0, name: "lstm", type: "lstm" }, batchIndex: 0, trueShape: { timesteps: 3, units: 2 },
    timesteps: 3, units: 2, stepIndex: [0, 1, 2], unitIndex: [0, 1], tokens: ["a", "b", "c"],
    panels: [{ gate: "f", label: "forget gate f", scale: "sigmoid", values: [0, 0.1, 0.2, 0.3, 0.4, 0.5] }],
    ...over,
  };
}

describe("validate: well-formed payloads pass", () => {
  it("gates", () => {
    const r = validatePayload(MIME.gates, gates());
    assert.ok(r.ok);
  });
  it("gradnorms with a clip threshold and TBPTT", () => {
    const p: GradNormsPayload = { steps: [1, 2], series: [{ label: "rnn", model: "rnn", layer: 0, quantity: "h", values: [1e-5, 1] }], yScale: "log", clipThreshold: 1, tbptt: 1 };
    const r = validatePayload(MIME.gradNorms, p);
    assert.ok(r.ok);
  });
});

describe("validate: hostile payloads give an error, not an exception", () => {
  const cases: [string, string, unknown][] = [
    ["gates: not an object", MIME.gates, "<script>alert(1)</script>"],
    ["gates: null", MIME.gates, null],
    ["gates: values length ≠ timesteps × units", MIME.gates, gates({ panels: [{ gate: "f", label: "", scale: "sigmoid", values: [1, 2, 3] }] })],
    ["gates: string inside values", MIME.gates, gates({ panels: [{ gate: "f", label: "", scale: "sigmoid", values: [0, 0, "x" as unknown as number, 0, 0, 0] }] })],
    ["gates: unknown gate name", MIME.gates, gates({ panels: [{ gate: "q" as "f", label: "", scale: "sigmoid", values: [0, 0, 0, 0, 0, 0] }] })],
    ["gates: tokens length ≠ timesteps", MIME.gates, gates({ tokens: ["a"] })],
    ["gates: negative timesteps", MIME.gates, gates({ timesteps: -3 })],
    ["gates: panels is an object", MIME.gates, gates({ panels: {} as unknown as GatesPayload["panels"] })],
    ["gradnorms: steps missing", MIME.gradNorms, { series: [] }],
    ["gradnorms: series values shorter than steps", MIME.gradNorms, { steps: [1, 2, 3], series: [{ label: "x", values: [1] }], yScale: "log" }],
    ["training: series is a string", MIME.training, { status: "running", epoch: 1, epochs: 2, batch: 0, batches: 1, epochsDone: [], series: "loss" }],
    ["summary: layers missing", MIME.summary, { name: "m", totalParams: 1 }],
    ["tensor: shownShape mismatch", MIME.tensor, { shape: [2, 2], shownShape: [2, 2], values: [1, 2, 3], view: "table", dtype: "float32" }],
    ["tensor: rows × cols above the cap", MIME.tensor, { shape: [1e4, 1e4], shownShape: [1e4, 1e4], values: [], view: "heatmap", dtype: "float32" }],
    ["unknown mime", "application/vnd.rnn-notebook.evil+json", {}],
  ];
  for (const [name, mime, value] of cases) {
    it(name, () => {
      let r: ReturnType<typeof validatePayload> | undefined;
      assert.doesNotThrow(() => { r = validatePayload(mime, value); });
      assert.equal(r!.ok, false);
      if (!r!.ok) assert.ok(r!.error.length > 0);
    });
  }

  it("a getter that throws inside the payload is caught", () => {
    const evil = gates();
    Object.defineProperty(evil, "panels", { get() { throw new Error("boom"); } });
    const r = validatePayload(MIME.gates, evil);
    assert.equal(r.ok, false);
  });
});

describe("validate: cleaning", () => {
  it("non-finite numbers become null (drawn as missing)", () => {
    const r = validatePayload(MIME.gates, gates({ panels: [{ gate: "h", label: "h", scale: "tanh", values: [NaN, Infinity, -Infinity, null, 0.5, -0.5] }] }));
    assert.ok(r.ok);
    assert.deepEqual((r.value as GatesPayload).panels[0].values, [null, null, null, null, 0.5, -0.5]);
  });

  it("hostile label strings are kept as text (escaping is the DOM's job: textContent), and shortened", () => {
    const label = "<img src=x onerror=alert(1)>";
    const r = validatePayload(MIME.gates, gates({ tokens: [label, "b", "c"], model: "x".repeat(5000) }));
    assert.ok(r.ok);
    const p = r.value as GatesPayload;
    assert.equal(p.tokens![0], label); // 28 characters < 64-character token cap: unchanged
    assert.equal(Array.from(p.model!).length, MAX_LABEL); // shortened to MAX_LABEL with "…"
  });

  it("non-string labels become strings, objects become empty", () => {
    const r = validatePayload(MIME.gates, gates({ tokens: [1 as unknown as string, { toString: () => "<b>" } as unknown as string, "c"] }));
    assert.ok(r.ok);
    assert.deepEqual((r.value as GatesPayload).tokens, ["1", "", "c"]);
  });
});

describe("validate: size caps", () => {
  it("accepts a 10^6-element tensor (1000 × 1000) and keeps every value", () => {
    const n = 1000; // 10^6 values, below MAX_CELLS = 4·10^6
    const values = new Array(n * n).fill(0.5);
    const t0 = Date.now();
    const r = validatePayload(MIME.tensor, { shape: [n, n], shownShape: [n, n], values, view: "heatmap", dtype: "float32" });
    assert.ok(r.ok);
    assert.equal((r.value as TensorPayload).values.length, 1e6);
    assert.ok(Date.now() - t0 < 2000, "validation of 10^6 values stays fast");
  });

  it("rejects a recording over the cap before reading it", () => {
    const big = { length: MAX_CELLS + 1 }; // not even an array: rejected on type
    const r = validatePayload(MIME.tensor, { shape: [1], shownShape: [1, MAX_CELLS + 1], values: big, view: "table", dtype: "float32" });
    assert.equal(r.ok, false);
  });

  it("gates with 10^6 values per panel × 6 panels exceed the cap and are refused", () => {
    const T = 1000;
    const U = 1000; // 10^6 cells per panel, 6 panels = 6·10^6 > MAX_CELLS
    const panel = { gate: "i", label: "i", scale: "sigmoid", values: [] as number[] };
    const r = validatePayload(MIME.gates, { ...gates(), timesteps: T, units: U, stepIndex: undefined, unitIndex: undefined, tokens: undefined, panels: new Array(6).fill(panel) });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, /cap/);
  });

  it("attention: a token count that does not match its axis, or too many cells, is refused; NaN becomes missing", () => {
    const ok = { rows: 2, cols: 3, batchIndex: 0, values: [0.5, 0.5, 0, NaN, 0.9, 0.1], source: ["a", "b", "c"], target: ["x", "y"] };
    const r = validatePayload(MIME.attention, ok);
    assert.equal(r.ok, true);
    if (r.ok) assert.equal((r.value as { values: (number | null)[] }).values[3], null);
    const bad = validatePayload(MIME.attention, { ...ok, source: ["a", "b"] });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /attention\.source.*expected 3 labels, got 2/);
    assert.equal(validatePayload(MIME.attention, { ...ok, rows: 3000, cols: 3000, values: [] }).ok, false); // 9·10^6 > MAX_CELLS
  });
  it("neurons: values must be units × characters, guesses characters × k; NaN becomes missing; long tokens are cut", () => {
    const ok = {
      layer: { index: 0, name: "lstm", type: "lstm" }, state: "h", text: ["a", "b", "<img src=x>"], units: [0, 7], layerUnits: 8,
      values: [0.1, NaN, -0.3, 0.4, 0.5, 0.6], domain: [-1, 1], guesses: { k: 1, chars: ["b", "c", "a"], probs: [0.5, 0.9, 0.2] },
    };
    const r = validatePayload(MIME.neurons, ok);
    assert.equal(r.ok, true);
    if (r.ok) {
      const v = r.value as { values: (number | null)[]; text: string[] };
      assert.equal(v.values[1], null);
      assert.equal(v.text[2], "<im…", "a cell holds one character: a longer token is cut to 4 code points");
    }
    const bad = validatePayload(MIME.neurons, { ...ok, values: [1, 2, 3] });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /neurons\.values: expected 6 values, got 3/);
    const guesses = validatePayload(MIME.neurons, { ...ok, guesses: { k: 2, chars: ["a"], probs: [1] } });
    assert.equal(guesses.ok, false);
    if (!guesses.ok) assert.match(guesses.error, /neurons\.guesses\.chars: expected 6 labels, got 1/);
    const noChars = validatePayload(MIME.neurons, { ...ok, guesses: { k: 1, probs: [0.5, 0.9, 0.2] } });
    assert.equal(noChars.ok, false, "guesses without their characters are refused, not drawn from undefined");
    if (!noChars.ok) assert.match(noChars.error, /neurons\.guesses\.chars: missing/);
    assert.equal(validatePayload(MIME.neurons, { ...ok, domain: [1, -1] }).ok, false);
    // 3000 units × 3000 characters = 9·10^6 > MAX_CELLS: refused before the values are read
    assert.equal(validatePayload(MIME.neurons, { ...ok, text: new Array(3000).fill("a"), units: new Array(3000).fill(0), values: [] }).ok, false);
  });
  it("connectivity: each map must be steps × steps, tokens one per step; NaN becomes missing", () => {
    const ok = { steps: 2, output: "output", tokens: ["a", "<b>"], maps: [{ label: "lstm", values: [1, 0, 0.5, NaN] }, { label: "gru", values: [1, 0, 0.2, 0.9] }] };
    const r = validatePayload(MIME.connectivity, ok);
    assert.equal(r.ok, true);
    if (r.ok) assert.equal((r.value as { maps: { values: (number | null)[] }[] }).maps[0].values[3], null);
    const bad = validatePayload(MIME.connectivity, { ...ok, maps: [{ label: "x", values: [1, 2, 3] }] });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /connectivity\.maps\[0\]\.values: expected 4 values, got 3/);
    const tokens = validatePayload(MIME.connectivity, { ...ok, tokens: ["a"] });
    assert.equal(tokens.ok, false);
    assert.equal(validatePayload(MIME.connectivity, { ...ok, maps: [] }).ok, false);
    // 17 maps exceed MAX_PANELS (16); 2 × 2000 × 2000 = 8·10^6 values exceed MAX_CELLS
    assert.equal(validatePayload(MIME.connectivity, { ...ok, maps: new Array(17).fill(ok.maps[0]) }).ok, false);
    assert.equal(validatePayload(MIME.connectivity, { ...ok, steps: 2000, tokens: undefined }).ok, false);
  });
  it("trajectory: each path has one x and one y per step; NaN becomes missing; too many points are refused", () => {
    const ok = { explainedVariance: [0.6, 0.3], stepIndex: [0, 5, 9], trueSteps: 10, paths: [{ label: "<b>a</b>", x: [0, 1, NaN], y: [1, 0, 2] }] };
    const r = validatePayload(MIME.trajectory, ok);
    assert.equal(r.ok, true);
    if (r.ok) {
      const v = r.value as { paths: { label: string; x: (number | null)[] }[] };
      assert.equal(v.paths[0].x[2], null);
      assert.equal(v.paths[0].label, "<b>a</b>", "kept as text; the renderer draws it on the canvas");
    }
    const bad = validatePayload(MIME.trajectory, { ...ok, paths: [{ label: "a", x: [0, 1], y: [1, 0, 2] }] });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /trajectory\.paths\[0\]\.x: expected 3 values, got 2/);
    assert.equal(validatePayload(MIME.trajectory, { ...ok, stepIndex: [] }).ok, false);
    assert.equal(validatePayload(MIME.trajectory, { ...ok, trueSteps: 2 }).ok, false, "fewer true steps than shown");
    // 2000 paths × 1000 steps = 2·10^6 points > MAX_POINTS
    assert.equal(validatePayload(MIME.trajectory, { ...ok, stepIndex: new Array(1000).fill(0), paths: new Array(2000).fill(ok.paths[0]) }).ok, false);
  });
  it("what-if fields: a handle and a text or a steps × features grid of finite numbers, within the caps", () => {
    const gates = { layer: { index: 0, name: "lstm", type: "lstm" }, timesteps: 2, units: 1,
      panels: [{ gate: "h", label: "h", scale: "tanh", values: [0.1, 0.2] }] };
    const text = validatePayload(MIME.gates, { ...gates, whatIf: { handle: "a:1", input: { kind: "text", text: "<b>hi</b>" } } });
    assert.equal(text.ok, true);
    if (text.ok) assert.deepEqual((text.value as { whatIf: unknown }).whatIf, { handle: "a:1", input: { kind: "text", text: "<b>hi</b>" } }, "kept whole: only ever an input's value");
    const grid = { handle: "a:2", input: { kind: "values", steps: 2, features: 1, values: [1, -0.5] } };
    assert.equal(validatePayload(MIME.connectivity, { steps: 1, maps: [{ label: "m", values: [1] }], whatIf: grid }).ok, true);
    const bad = (whatIf: unknown) => {
      const r = validatePayload(MIME.gates, { ...gates, whatIf });
      return r.ok ? "accepted" : r.error;
    };
    assert.match(bad({ ...grid, input: { ...grid.input, values: [1, NaN] } }), /gates\.whatIf\.input\.values\[1\]: not a finite number/);
    assert.match(bad({ ...grid, input: { ...grid.input, values: [1] } }), /expected 2 values, got 1/);
    // WHAT_IF_MAX_VALUES = 256 numbers: 17 × 16 = 272 are refused
    assert.match(bad({ handle: "a", input: { kind: "values", steps: 17, features: 16, values: new Array(272).fill(0) } }), /exceed the cap of 256/);
    assert.match(bad({ handle: "a", input: { kind: "text", text: "x".repeat(100_001) } }), /longer than 100000 characters/);
    assert.match(bad({ handle: 7, input: { kind: "text", text: "a" } }), /gates\.whatIf\.handle/);
    assert.match(bad({ handle: "a", input: { kind: "html", text: "a" } }), /gates\.whatIf\.input\.kind/);
  });
  it("neurons select: ranges are [start, end) with start < end; units carry finite scores", () => {
    const ok = { layer: { index: 0, name: "l", type: "lstm" }, state: "h", text: ["a", "b"], units: [0], layerUnits: 1, values: [0.5, -0.5], domain: [-1, 1],
      select: { range: [0, 1], units: [{ unit: 0, score: 1, on: true }], matches: [[1, 2]] } };
    assert.equal(validatePayload(MIME.neurons, ok).ok, true);
    const bad = (select: unknown) => {
      const r = validatePayload(MIME.neurons, { ...ok, select });
      return r.ok ? "accepted" : r.error;
    };
    assert.match(bad({ ...ok.select, range: [1, 1] }), /neurons\.select\.range: expected \[start, end\) with start < end/);
    assert.match(bad({ ...ok.select, matches: [[2]] }), /neurons\.select\.matches\[0\]: expected 2 values, got 1/);
    assert.match(bad({ ...ok.select, units: [{ unit: 0, score: NaN }] }), /neurons\.select\.units\[0\]\.score/);
  });
  it("trajectory dims 3 needs z on every path and three variance fractions; fixed points need finite numbers", () => {
    const ok = { dims: 3, explainedVariance: [0.5, 0.3, 0.1], stepIndex: [0, 1], paths: [{ label: "a", x: [0, 1], y: [1, 0], z: [0, 2] }],
      fixedPoints: [{ x: 0, y: 0, z: 0, speed: 0, eigenvalues: [{ re: 1, im: 0 }] }] };
    assert.equal(validatePayload(MIME.trajectory, ok).ok, true);
    const bad = (v: unknown) => {
      const r = validatePayload(MIME.trajectory, v);
      return r.ok ? "accepted" : r.error;
    };
    assert.match(bad({ ...ok, paths: [{ label: "a", x: [0, 1], y: [1, 0] }] }), /trajectory\.paths\[0\]\.z: expected an array of numbers/);
    assert.match(bad({ ...ok, explainedVariance: [0.5, 0.3] }), /trajectory\.explainedVariance: expected 3 values, got 2/);
    assert.match(bad({ ...ok, dims: 4 }), /trajectory\.dims: expected 3 or nothing/);
    assert.match(bad({ ...ok, fixedPoints: [{ x: 0, y: NaN, z: 0, speed: 0, eigenvalues: [] }] }), /trajectory\.fixedPoints\[0\]\.y: expected a finite number/);
  });
  it("training.probe: steps increase, one gates payload per layer, snapshot steps among the steps, a total cell cap", () => {
    const probe = {
      every: 2, stride: 2, maxSnapshots: 64, probeSize: 1, steps: [0, 2], batches: 4,
      layers: [{ name: "lstm", type: "lstm", meanGate: { gate: "f", values: [0.5, NaN] } }],
      snapshots: [{ step: 2, loss: 0.1, gates: [gates()] }],
    };
    const training = { status: "done", epoch: 1, epochs: 1, batch: 4, batches: 4, elapsedMs: 1, etaMs: null, loss: 0.1, epochsDone: [1], series: [{ label: "loss", values: [0.1] }] };
    const check = (over: Record<string, unknown>) => {
      const r = validatePayload(MIME.training, { ...training, probe: { ...probe, ...over } });
      return r.ok ? r.value as { probe: { layers: { meanGate: { values: unknown[] } }[] } } : r.error;
    };
    const ok = check({});
    assert.ok(typeof ok === "object");
    assert.deepEqual(ok.probe.layers[0].meanGate.values, [0.5, null], "NaN becomes missing");
    assert.match(check({ steps: [2, 0] }) as string, /training\.probe\.steps\[1\]: steps must increase/);
    assert.match(check({ snapshots: [{ step: 3, gates: [gates()] }] }) as string, /training\.probe\.snapshots\[0\]\.step: 3 is not one of the steps/);
    assert.match(check({ snapshots: [{ step: 2, gates: [] }] }) as string, /expected 1 gates payloads \(one per layer\)/);
    assert.match(check({ layers: [{ name: "lstm", type: "lstm", meanGate: { gate: "f", values: [1] } }] }) as string, /meanGate\.values: expected 2 values, got 1/);
    // 1000 × 1000 values per snapshot, 5 snapshots: 5·10^6 > MAX_CELLS in total although each one fits.
    const big = gates({ timesteps: 1000, units: 1000, stepIndex: undefined, unitIndex: undefined, tokens: undefined, trueShape: undefined,
      panels: [{ gate: "f", label: "f", scale: "sigmoid", values: new Array(1e6).fill(0.5) }] });
    const steps = [0, 1, 2, 3, 4];
    const huge = check({ steps, layers: [{ name: "lstm", type: "lstm" }], snapshots: steps.map((step) => ({ step, gates: [big] })) });
    assert.match(huge as string, /training\.probe: the snapshots' values exceed the renderer's cap of 4000000/);
  });
});
