// The headless runner executes every notebook in media/samples/ (the Korean
// translations in media/samples/ko too) without error. Each sample runs once through
// `node cli.js run <sample>` (no --out: the samples are never modified) in its own folder.
// Then each English sample's code cells run twice in one kernel (as Run All twice does): the
// second run must show what the first showed — same layer names, weights, gates and losses.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { MIME } from "../../../src/shared/mime";
import { parseNotebook, serializeNotebook, type RawOutput } from "../../../src/shared/notebookFormat";
import { buildKernel, KERNEL_DIST, REPO, tempDir } from "./harness";

const SAMPLES = path.join(REPO, "media/samples");
const notebooks = [SAMPLES, path.join(SAMPLES, "ko")]
  .filter((d) => fs.existsSync(d))
  .flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith(".rnnb")).sort().map((f) => path.join(d, f)));

function run(file: string, out?: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // --timeout 120: a hang guard per cell, far above any sample cell's time on a loaded 2-core machine.
    const args = [path.join(KERNEL_DIST, "cli.js"), "run", file, "--timeout", "120", ...(out ? ["--out", out] : [])];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("sample notebooks run clean in the headless runner", function () {
  this.timeout(300_000);
  before(buildKernel);

  it("finds the eight lessons, in English and in Korean", () => {
    // eight sample lessons, each with a Korean version beside it (media/samples/ko)
    const names = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith(".rnnb")).sort();
    assert.equal(names(SAMPLES).length, 8, `samples in ${SAMPLES}`);
    assert.deepEqual(names(path.join(SAMPLES, "ko")), names(SAMPLES));
  });

  for (const file of notebooks) {
    it(path.relative(SAMPLES, file), async () => {
      const r = await run(file);
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      assert.match(r.stderr, /code cells? ran without error/);
    });
  }

  describe("re-running a sample in the same kernel reproduces its outputs", () => {
    let dir: string;
    before(() => (dir = tempDir("rerun")));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the Korean samples run the same code as the English ones", () => {
      for (const file of notebooks.filter((f) => path.dirname(f) === SAMPLES)) {
        const code = (f: string) => parseNotebook(fs.readFileSync(f, "utf8")).cells.filter((c) => c.kind === "code").map((c) => c.source);
        assert.deepEqual(code(path.join(SAMPLES, "ko", path.basename(file))), code(file), path.basename(file));
      }
    });

    for (const file of notebooks.filter((f) => path.dirname(f) === SAMPLES)) {
      it(path.basename(file), async () => {
        const nb = parseNotebook(fs.readFileSync(file, "utf8"));
        const code = nb.cells.filter((c) => c.kind === "code");
        nb.cells = [...code, ...code.map((c) => ({ ...c, outputs: [] }))];
        const twice = path.join(dir, path.basename(file));
        fs.writeFileSync(twice, serializeNotebook(nb));
        const r = await run(twice, twice);
        assert.equal(r.code, 0, r.stderr.slice(-2000));
        const ran = parseNotebook(fs.readFileSync(twice, "utf8")).cells;
        code.forEach((_, i) => {
          assert.deepEqual(comparable(ran[code.length + i].outputs), comparable(ran[i].outputs), `code cell ${i + 1} of ${path.basename(file)}`);
        });
        if (path.basename(file) === "04-char-language-model.rnnb") {
          // Sample 04's last markdown says what to expect: perplexity from about 20 to about 9 in 15 epochs.
          const printed = ran.flatMap((c) => c.outputs).flatMap((o) => o.items).map((i) => String(i.data)).find((t) => t.startsWith("perplexity per epoch:"));
          const values = (printed ?? "").replace("perplexity per epoch:", "").split("→").map(Number);
          assert.equal(values.length, 15, printed);
          assert.ok(values[0] > 15 && values[0] < 25 && values[14] > 7 && values[14] < 11, printed);
        }
        if (path.basename(file) === "06-seq2seq-attention.rnnb") checkAlignment(ran.slice(0, code.length).flatMap((c) => c.outputs));
        if (path.basename(file) === "07-what-did-it-learn.rnnb") checkInsight(ran.slice(0, code.length).flatMap((c) => c.outputs));
        if (path.basename(file) === "08-experiments.rnnb") checkExperiments(ran.slice(0, code.length).flatMap((c) => c.outputs));
      });
    }
  });
});

/**
 * Sample 06 says what attention learns: output word t spells source digit t (the task's construction),
 * so in each attention map (functional model, then Module) the largest weight of word row t should sit
 * in column t. Asserted: every word row's largest weight within one column of t, and at least 6 of the
 * 8 exactly on it; both models translate every held-out number (the sample prints the accuracy).
 */
function checkAlignment(outputs: RawOutput[]): void {
  const items = outputs.flatMap((o) => o.items);
  const maps = items.filter((i) => i.mime === MIME.attention).map((i) => i.data as { rows: number; cols: number; values: number[] });
  assert.equal(maps.length, 2, "one attention map per model");
  for (const m of maps) {
    assert.deepEqual([m.rows, m.cols], [9, 8], "8 words + <eos> × 8 digits");
    const argmax = Array.from({ length: 8 }, (_, t) => {
      const row = m.values.slice(t * m.cols, (t + 1) * m.cols);
      return row.indexOf(Math.max(...row));
    });
    assert.ok(argmax.every((j, t) => Math.abs(j - t) <= 1), `largest weight per word row: ${argmax.join(" ")}`);
    assert.ok(argmax.filter((j, t) => j === t).length >= 6, `on the diagonal: ${argmax.join(" ")}`);
  }
  const accuracies = items.map((i) => String(i.data)).filter((t) => t.startsWith("held-out sequences translated exactly:"));
  assert.equal(accuracies.length, 2, accuracies.join("\n"));
  for (const a of accuracies) assert.ok(Number(/([\d.]+)%/.exec(a)?.[1]) >= 95, a);
}

/**
 * Sample 07's markdown says what the learner will see; each claim is checked on what the run printed:
 * perplexity from about 19 to about 1.2; the best unit per label at |r| about 0.6–0.8 (asserted ≥ 0.5);
 * the three families look back four to six characters on average (asserted 3–7), the GRU furthest;
 * the two PCA axes keep about a quarter of the variance (asserted 10–50%); and one view of each kind.
 */
function checkInsight(outputs: RawOutput[]): void {
  const items = outputs.flatMap((o) => o.items);
  const texts = items.map((i) => String(i.data));
  const line = (prefix: RegExp) => texts.flatMap((t) => t.split("\n")).filter((t) => prefix.test(t));
  const perplexity = (line(/^perplexity:/)[0] ?? "").replace("perplexity:", "").split("→").map(Number);
  assert.ok(perplexity[0] > 15 && perplexity[0] < 25 && perplexity.at(-1)! < 1.5, `perplexity: ${perplexity.join(" → ")}`);
  for (const label of ["space", "vowel", "wordPosition"]) {
    const [found] = line(new RegExp(`^${label}\\s`));
    assert.ok(Math.abs(Number(/r = (-?[\d.]+)/.exec(found ?? "")?.[1])) >= 0.5, `best unit for ${label}: ${found}`);
  }
  const lags = ["SimpleRNN", "LSTM", "GRU"].map((f) => Number(/mean lag ([\d.]+)/.exec(line(new RegExp(`^${f}\\s+mean lag`))[0] ?? "")?.[1]));
  assert.ok(lags.every((l) => l > 3 && l < 7), `mean lags ${lags.join(", ")}`);
  assert.ok(lags[2] === Math.max(...lags), `the GRU looks furthest back: ${lags.join(", ")}`);
  const variance = (line(/^explained variance:/)[0] ?? "").replace("explained variance:", "").split(",").map(Number);
  const kept = variance[0] + variance[1];
  assert.ok(kept > 0.1 && kept < 0.5, `variance kept by two axes: ${kept}`);
  for (const mime of [MIME.neurons, MIME.connectivity, MIME.trajectory]) assert.equal(items.filter((i) => i.mime === mime).length, 1, mime);
}

/**
 * Sample 08's markdown says what the learner will see; each claim is checked on what the run printed:
 * the GRU and the LSTM learn the adding problem (validation MSE below 0.02; the mean predictor's is
 * 2/12 ≈ 0.167), the GRU first, the SimpleRNN stays near the mean; identical configurations differ in
 * no setting; the unclipped ReLU RNN stops with the trap naming its layer and a timestep, and the two
 * clipping runs differ exactly in clipNorm; one LSTM unit's forget gate ends above 0.95 while the mean
 * stays near 0.7 and the gradient at t = 1 is within three orders of the last step's; the resumed run
 * equals the uninterrupted one; three comparison views and one training output with the recorder.
 */
function checkExperiments(outputs: RawOutput[]): void {
  const items = outputs.flatMap((o) => o.items);
  const lines = items.map((i) => String(i.data)).flatMap((t) => t.split("\n"));
  const line = (re: RegExp) => lines.find((l) => re.test(l)) ?? "";
  const curve = (family: string) => line(new RegExp(`^${family}\\s+validation MSE per epoch:`)).replace(/^.*:/, "").trim().split(" ").map(Number);
  const [simple, lstm, gru] = ["simpleRNN", "lstm", "gru"].map(curve);
  assert.ok(simple.length === 10 && simple.at(-1)! > 0.1, `SimpleRNN stays near the mean: ${simple.join(" ")}`);
  assert.ok(lstm.at(-1)! < 0.02 && gru.at(-1)! < 0.02, `LSTM and GRU learn: ${lstm.join(" ")} / ${gru.join(" ")}`);
  const learned = (c: number[]) => c.findIndex((v) => v < 0.02);
  assert.ok(learned(gru) < learned(lstm), `the GRU first: epoch ${learned(gru) + 1} against ${learned(lstm) + 1}`);
  const differing = lines.filter((l) => l.startsWith("differing settings:"));
  assert.deepEqual(differing, ["differing settings: []", 'differing settings: ["clipNorm"]']);
  assert.match(line(/^fit stopped:/), /layer 0 "simple_rnn" .*at t = \d+/);
  const open = Number(/most open forget gate: ([\d.]+)/.exec(line(/^most open forget gate/))?.[1]);
  const mean = Number(/mean forget gate: ([\d.]+)\s*$/.exec(line(/^most open forget gate/))?.[1]);
  assert.ok(open > 0.95 && mean > 0.6 && mean < 0.8, line(/^most open forget gate/));
  assert.ok(Number(line(/^gradient at t = 1/).split(":")[1]) > 1e-3, line(/^gradient at t = 1/));
  assert.equal(line(/^resumed run equals/), "resumed run equals the uninterrupted one bit for bit: true");
  assert.equal(items.filter((i) => i.mime === MIME.runs).length, 3, "three comparisons");
  const probed = items.filter((i) => i.mime === MIME.training && (i.data as { probe?: unknown }).probe);
  assert.equal(probed.length, 1, "one training output with the flight recorder");
}

/**
 * Outputs without what a second run may change by itself: a training output keeps its losses, not its
 * timing; an editable view keeps its input, not its kernel handle (one per display); run ids count on
 * through the ledger ("run 3" the first time is "run 14" the second) and a run's wall time is the clock's.
 */
function comparable(outputs: RawOutput[]): unknown[] {
  return withoutRunClock(outputs).map((o) => {
    const training = o.items.find((i) => i.mime === MIME.training);
    if (!training) {
      return o.items.map((i) => {
        const d = i.data as { whatIf?: { handle?: unknown } } | null;
        if (!d || typeof d !== "object" || !d.whatIf) return i;
        const { handle: _handle, ...whatIf } = d.whatIf;
        return { ...i, data: { ...d, whatIf } };
      });
    }
    const { elapsedMs: _elapsed, etaMs: _eta, ...rest } = training.data as Record<string, unknown>;
    return rest;
  });
}

/** Outputs with run ids made alike and run wall times (the clock's) removed. */
function withoutRunClock(outputs: RawOutput[]): RawOutput[] {
  return JSON.parse(JSON.stringify(outputs, (key, value: unknown) => {
    if (key === "wallTimeMs" || key === "endedAt" || key === "times") return undefined;
    return typeof value === "string" ? value.replace(/\brun \d+\b/g, "run #") : value;
  })) as RawOutput[];
}
