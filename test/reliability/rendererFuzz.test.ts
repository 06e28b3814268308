// Seeded fuzz of the renderer (hostile outputs "render an error box or escaped text, never
// execute script, never freeze"): valid payloads of every mime type are mutated — a random node
// replaced by NaN, ±Infinity, null, a wrong type, a script-bearing string, an empty or longer/shorter
// array, a huge number, or deleted — and drawn by the real render() in headless Chromium. Each must
// end as its kind or as an error box, with no exception, no element built from data, no script run,
// and within a stated time bound. Count: 400 payloads (RNN_STRESS=1: 4,000). Skipped without Chromium.
import * as assert from "node:assert/strict";
import { MIME } from "../../src/shared/mime";
import type { AttentionPayload, ConnectivityPayload, GatesPayload, GradNormsPayload, NeuronsPayload, RunsComparePayload, SummaryPayload, TensorPayload,
  TrainingPayload, TrajectoryPayload } from "../../src/shared/payloads";
import { CHROMIUM, openRendererPage, type Page, type RendererPage } from "../support/rendererPage";
import { prng } from "./prng";

const COUNT = process.env.RNN_STRESS === "1" ? 4000 : 400;
/** Stated bound per payload (validation + drawing); the biggest mutation is a 10^5-element array. */
const PER_RENDER_MS = 2000;
const XSS = `<img src=x onerror="window.__pwned=1">`;

const T = 6;
const U = 4;
const grid = (f: (i: number) => number) => Array.from({ length: T * U }, (_, i) => f(i));
const gates: GatesPayload = {
  model: "m", layer: { index: 0, name: "lstm", type: "lstm" }, batchIndex: 0, trueShape: { timesteps: T, units: U }, timesteps: T, units: U,
  stepIndex: [0, 1, 2, 3, 4, 5], unitIndex: [0, 1, 2, 3], tokens: ["h", "e", "l", "l", "o", " "],
  panels: [
    { gate: "i", label: "input gate i", scale: "sigmoid", values: grid((i) => (i % 7) / 7) },
    { gate: "c", label: "cell state c", scale: "tanh", domain: [-2, 2], values: grid((i) => Math.sin(i)) },
  ],
  whatIf: { handle: "k1:1", input: { kind: "text", text: "hello " } },
};
const gradNorms: GradNormsPayload = {
  steps: [1, 2, 3, 4, 5, 6], yScale: "log", clipThreshold: 1, tbptt: 3, title: "norms", loss: "mse",
  series: [{ label: "lstm · h", model: "m", layer: 0, quantity: "h", values: [1e-3, 1e-2, 0.1, 1, 10, 100] }],
};
const training: TrainingPayload = {
  status: "running", epoch: 2, epochs: 5, batch: 3, batches: 4, elapsedMs: 1200, etaMs: 3000, loss: 0.4,
  epochsDone: [1, 2], series: [{ label: "loss", values: [0.9, 0.5] }],
  batchLoss: { steps: [1, 2, 3, 4, 5, 6], values: [1, 0.9, 0.8, 0.6, 0.5, 0.4] },
  gradNorms: { steps: [1, 2, 3], preClip: [3, 2, 1], postClip: [1, 1, 1], clipNorm: 1 },
};
// The flight recorder's part: two snapshots of one LSTM layer (the gates payload above without its what-if field).
const { whatIf: _unused, ...probeGates } = gates;
const trainingProbe: TrainingPayload = {
  ...training, status: "done",
  probe: {
    every: 2, stride: 2, maxSnapshots: 64, probeSize: 3, steps: [0, 2, 4], batches: 4, omitted: 1,
    layers: [{ name: XSS, type: "lstm", meanGate: { gate: "f", values: [0.5, 0.6, 0.7] } }],
    snapshots: [{ step: 2, loss: 0.3, gates: [probeGates], gradNorms }, { step: 4, loss: null, gates: [{ ...probeGates, model: XSS }] }],
  },
};
const summary: SummaryPayload = {
  name: "m", convention: "keras", totalParams: 101, trainableParams: 101, nonTrainableParams: 0,
  layers: [{ name: "lstm", type: "LSTM", outputShape: [null, 4], params: 96, formula: "4·4·(1+4+1)", breakdown: [{ name: "kernel", shape: [1, 16], count: 16 }] }],
};
const tensor: TensorPayload = {
  shape: [3, 4], shownShape: [3, 4], values: grid((i) => i - 6).slice(0, 12), view: "heatmap", dtype: "float32",
  title: "t", rowLabels: ["a", "b", "c"], colLabels: ["w", "x", "y", "z"], rowIndex: [0, 1, 2], colIndex: [0, 1, 2, 3],
};
const attention: AttentionPayload = {
  rows: 3, cols: 4, batchIndex: 0, title: "alignment", target: ["x", "y", "z"], source: ["a", "b", "c", "d"],
  values: [0.7, 0.1, 0.1, 0.1, 0.1, 0.7, 0.1, 0.1, 0.05, 0.05, 0.2, 0.7],
};
const neurons: NeuronsPayload = {
  model: "char", layer: { index: 1, name: "lstm", type: "lstm" }, state: "c", text: ["h", "e", "l", "l", "o", " "], trueSteps: 40,
  units: [3, 0, 1, 2], layerUnits: 8, values: grid((i) => Math.sin(i) * 1.5), domain: [-1.5, 1.5], note: "units cut",
  guesses: { k: 2, chars: ["e", "a", "l", "i", "l", "o", "o", "l", " ", "!", "w", "t"], probs: [0.6, 0.2, 0.5, 0.1, 0.4, 0.3, 0.7, 0.1, 0.5, 0.2, 0.3, 0.3] },
  select: { range: [1, 3], units: [{ unit: 3, score: 0.8, on: true }, { unit: 1, score: 0.2, on: false }], matches: [[4, 5]] },
  whatIf: { handle: "k1:2", input: { kind: "text", text: XSS } },
};
const connectivity: ConnectivityPayload = {
  steps: 3, output: "output", tokens: ["a", "b", "c"], trueSteps: 9, stepIndex: [0, 3, 6], title: "memory",
  maps: [{ label: "SimpleRNN", values: [1, 0, 0, 0.1, 1, 0, 0.01, 0.2, 1] }, { label: "LSTM", values: [1, 0, 0, 0.5, 1, 0, 0.4, 0.6, 1] }],
  whatIf: { handle: "k1:3", input: { kind: "values", steps: 3, features: 2, values: [0.5, 1, -2, 0, 3.25, 1] } },
};
const trajectory: TrajectoryPayload = {
  model: "gru", explainedVariance: [0.7, 0.2], stepIndex: [0, 2, 4, 6], trueSteps: 7, trueSequences: 5,
  paths: [{ label: "one", x: [0, 1, 2, 1], y: [0, 1, 0, -1] }, { label: "two", x: [0, -1, -2, -1], y: [0, 0.5, 1, 0.5] }],
};
const trajectory3: TrajectoryPayload = {
  dims: 3, explainedVariance: [0.5, 0.3, 0.1], stepIndex: [0, 1, 2],
  paths: [{ label: XSS, x: [0, 1, 2], y: [0, 1, 0], z: [1, 0, -1] }],
  fixedPoints: [{ x: 0.5, y: 0.2, z: 0, speed: 1e-12, eigenvalues: [{ re: 0.9, im: 0.1 }, { re: 0.9, im: -0.1 }] }],
};
const runs: RunsComparePayload = {
  metric: "loss", x: "relative", smoothing: 0.6, metrics: ["loss", "batchLoss"], differingKeys: ["clipNorm", XSS], maxPoints: 1000, trueRuns: 3,
  runs: [
    {
      id: "run 1", model: { name: "lstm", type: "Sequential", totalParams: 101 }, config: { clipNorm: null, [XSS]: 1 }, wallTimeMs: 2000, interrupted: false, stoppedEarly: false,
      series: [
        { metric: "loss", steps: [1, 2, 3], values: [1, 0.5, 0.25], start: 0, end: 3, every: 1, final: 0.25 },
        { metric: "batchLoss", steps: [2, 4, 6], values: [1.1, 0.6, 0.2], start: 0, end: 6, every: 2, final: 0.2 },
      ],
    },
    {
      id: XSS, model: { name: XSS, type: "", totalParams: 7 }, config: { clipNorm: 1, [XSS]: XSS }, wallTimeMs: 1000, interrupted: true, stoppedEarly: false,
      series: [{ metric: "loss", steps: [4, 5], values: [2, null], start: 3, end: 5, every: 1, final: 2 }],
    },
  ],
};
const SEEDS: [string, string, unknown][] = [
  [MIME.gates, "gates", gates], [MIME.gradNorms, "gradnorms", gradNorms], [MIME.training, "training", training],
  [MIME.training, "training", trainingProbe],
  [MIME.summary, "summary", summary], [MIME.tensor, "tensor", tensor], [MIME.attention, "attention", attention],
  [MIME.neurons, "neurons", neurons], [MIME.connectivity, "connectivity", connectivity],
  [MIME.trajectory, "trajectory", trajectory], [MIME.trajectory, "trajectory", trajectory3], [MIME.runs, "runs", runs],
];

function mutator(seed: number) {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <X>(xs: readonly X[]): X => xs[int(xs.length)];
  const hostile = (): unknown => pick<() => unknown>([
    () => NaN, () => Infinity, () => -Infinity, () => null, () => "", () => XSS, () => -1, () => 0, () => 1e9, () => 2 ** 53,
    () => 1.5, () => [], () => ({}), () => [[]], () => "x".repeat(10_000), () => true, () => "123",
    () => Array.from({ length: int(4) === 0 ? 100_000 : 50 }, () => r() * 10 - 5),
    () => Array.from({ length: 8 }, () => XSS),
  ])();
  /** Every path to a node of the payload. */
  const paths = (v: unknown, at: (string | number)[] = []): (string | number)[][] => {
    const out = [at];
    if (Array.isArray(v)) v.slice(0, 12).forEach((x, i) => out.push(...paths(x, [...at, i])));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
    return out;
  };
  return (payload: unknown): unknown => {
    const copy = structuredClone(payload) as Record<string | number, unknown>;
    let value: unknown = copy;
    for (let m = 1 + int(3); m > 0; m--) {
      const all = paths(value);
      const path = pick(all);
      if (path.length === 0) { value = hostile(); continue; }
      const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], value);
      const key = path[path.length - 1];
      const op = int(4);
      if (op === 0) delete parent[key];
      else if (op === 1 && Array.isArray(parent[key])) {
        const a = parent[key] as unknown[];
        parent[key] = r() < 0.5 ? a.slice(0, int(a.length)) : [...a, ...a.slice(0, 1 + int(3))];
      } else parent[key] = hostile();
    }
    return value;
  };
}

describe(`renderer fuzz in Chromium (${COUNT} mutated payloads)`, function () {
  this.timeout(COUNT * PER_RENDER_MS);
  let opened: RendererPage | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    opened = await openRendererPage(`import { render } from "./src/renderer/render"; (window as any).rnnRender = render;`, `class="vscode-dark"`);
    ({ page, pageErrors } = opened);
  });

  after(async () => { await opened?.close(); });

  it("every mutated payload ends as its kind or an error box, without exception, script or freeze", async () => {
    const mutate = mutator(20261123);
    const tally: Record<string, number> = { drawn: 0, error: 0 };
    let slowest = 0;
    const BATCH = 20;
    for (let start = 0; start < COUNT; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, COUNT - start) }, (_, j) => {
        const [mime, kind, seed] = SEEDS[(start + j) % SEEDS.length];
        return { mime, kind, value: mutate(seed) };
      });
      const results = await page.evaluate((items: { mime: string; kind: string; value: unknown }[]) => items.map(({ mime, value }) => {
        const box = document.createElement("div");
        document.body.appendChild(box);
        const t0 = performance.now();
        let kind = "";
        let thrown = "";
        try {
          kind = ((window as any).rnnRender({ container: box, mime, value }) as HTMLElement).dataset.rnnRendered ?? "";
        } catch (e) {
          thrown = String(e);
        }
        const ms = performance.now() - t0;
        const injected = box.querySelectorAll("img, script, iframe, object, embed").length;
        const text = kind === "error" ? (box.textContent ?? "").slice(0, 300) : "";
        box.remove();
        return { kind, thrown, ms, injected, text, pwned: (window as any).__pwned };
      }), batch);
      results.forEach((res, j) => {
        const i = start + j;
        const what = `payload ${i} (${batch[j].kind})`;
        assert.equal(res.thrown, "", `${what}: render threw`);
        assert.ok(res.kind === batch[j].kind || res.kind === "error", `${what}: ended as "${res.kind}"`);
        // A payload that passed validation must draw: "drawing failed" means the validator let through
        // something the drawing code cannot handle.
        assert.doesNotMatch(res.text, /drawing failed/, `${what}: ${res.text} — ${JSON.stringify(batch[j].value).slice(0, 400)}`);
        assert.equal(res.injected, 0, `${what}: an element was built from data`);
        assert.equal(res.pwned, undefined, `${what}: a script ran`);
        assert.ok(res.ms < PER_RENDER_MS, `${what}: took ${res.ms.toFixed(0)} ms`);
        slowest = Math.max(slowest, res.ms);
        tally[res.kind === "error" ? "error" : "drawn"]++;
      });
      await new Promise((r) => setTimeout(r, 0));
    }
    await new Promise((r) => setTimeout(r, 300)); // an <img onerror> would have fired by now
    assert.equal(await page.evaluate(() => (window as any).__pwned), undefined);
    assert.deepEqual(pageErrors, [], "no uncaught error in the page");
    console.log(`      ${COUNT} mutated payloads: ${tally.drawn} drawn, ${tally.error} error boxes; slowest ${slowest.toFixed(0)} ms (bound ${PER_RENDER_MS} ms)`);
  });
});
