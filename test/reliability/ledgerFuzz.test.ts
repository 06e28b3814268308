// Fuzzing the run ledger a notebook file holds (src/shared/runLedger.ts): hostile ledgers — wrong
// types at any field, non-finite numbers as strings, huge arrays, deep nesting, prototype keys, far
// over the cap — read through the .rnnb parser as the extension and the runner read them. Checking
// one never throws and never hangs; recording a run then either writes a valid ledger within the cap
// (the new run last) or, for one that cannot be used, writes nothing, so saving keeps the file's
// ledger byte for byte. Count: RNN_FUZZ_COUNT (npm test: 2,000). Seeded, so a failure replays.
import * as assert from "node:assert/strict";
import { NotebookFormatError, parseNotebook, serializeNotebook, type JsonObject } from "../../src/shared/notebookFormat";
import {
  LEDGER_CAP_BYTES, ledgerBytes, ledgerForKernel, ledgerState, ledgerWithRun, validateLedger, type RunRecord,
} from "../../src/shared/runLedger";
import { prng } from "./prng";

const COUNT = Number(process.env.RNN_FUZZ_COUNT || 2000);
/**
 * Per-input hang guard, not a speed test (checking is synchronous, so it is measured, not pre-empted):
 * far above what the largest input (a few MB) takes even on a loaded machine (about 1 s seen).
 */
const PER_INPUT_MS = 5000;
const NASTY = ["NaN", "Infinity", "-Infinity", "1e999", "", "__proto__", "constructor", "<script>", "\u0000", "한국어"];

function generator(seed: number) {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const nums = (n: number) => Array.from({ length: n }, () => (r() < 0.05 ? null : r() * 3));
  const record = (i: number): Record<string, unknown> => ({
    id: `run ${i + 1}`, endedAt: "2026-12-03T12:00:00.000Z", model: { name: "m", type: "Sequential", totalParams: 64 },
    config: { epochs: 1 + int(9), clipNorm: r() < 0.5 ? null : r(), optimizer: "adam", shuffle: true },
    epochs: { loss: nums(1 + int(5)) }, batches: { every: 1, method: "block mean", loss: nums(int(600)), total: int(600) },
    wallTimeMs: int(1e5), interrupted: r() < 0.2, stoppedEarly: false,
  });
  const valid = (): Record<string, unknown> => ({ version: 1, capBytes: LEDGER_CAP_BYTES, records: Array.from({ length: int(6) }, (_, i) => record(i)) });
  /** Some value at a random place inside v (objects and arrays), replaced by `bad`. */
  const poison = (v: unknown, bad: unknown): unknown => {
    if (v === null || typeof v !== "object") return bad;
    const keys = Object.keys(v);
    if (keys.length === 0 || r() < 0.15) return bad;
    const k = pick(keys);
    (v as Record<string, unknown>)[k] = poison((v as Record<string, unknown>)[k], bad);
    return v;
  };
  const deep = (d: number): unknown => (d === 0 ? 1 : [deep(d - 1)]);
  /** One hostile ledger (a JSON value). */
  const hostile = (): unknown => {
    const l = valid();
    // the two over-the-cap cases are the costly ones (megabytes each): one in sixteen inputs each
    switch (int(16)) {
      case 0: case 10: case 11: return poison(l, pick(NASTY)); // a string where anything may be
      case 1: case 12: return poison(l, pick([null, true, 42, -1, 1.5, [], {}, [1, "2"]])); // wrong types
      case 2: return poison(l, deep(20 + int(400))); // deep nesting (the parser refuses a file nested over 256 levels)
      case 3: return { ...l, records: Array.from({ length: 150 + int(50) }, (_, i) => record(i)) }; // over the cap (~8 kB a record): valid, capped on append
      case 4: return { ...l, records: [{ ...record(0), batches: { every: 1, method: "block mean", loss: nums(40_000 + int(20_000)), total: 1 } }] }; // one record over the cap (~30 bytes a point)
      case 5: return pick([[], "ledger", 7, null, { version: 1 }, { version: 1, capBytes: 1, records: "x" }]);
      case 6: case 7: case 8: return poison(l, pick([null, "", {}, [[]]]));
      case 9: return JSON.parse(`{"__proto__":{"polluted":1},"version":1,"capBytes":5,"records":[{"__proto__":{"polluted":1}}]}`);
      default: return l;
    }
  };
  return { hostile };
}

/** A run the kernel reports. */
const NEW_RUN: RunRecord = {
  id: "run 1", endedAt: "2026-12-03T13:00:00.000Z", model: { name: "m", type: "Sequential", totalParams: 64 }, config: { clipNorm: 0.5 },
  epochs: { loss: [0.4] }, batches: { every: 1, method: "block mean", loss: [0.5, 0.3], total: 2 }, wallTimeMs: 9, interrupted: false, stoppedEarly: false,
};

describe(`run ledger fuzz (${COUNT} hostile ledgers in .rnnb files)`, function () {
  this.timeout(600_000);

  it("never throws or hangs; a run is either appended within the cap or the file's ledger is kept byte for byte", () => {
    const { hostile } = generator(20261203);
    const tally = { unusable: 0, appended: 0, capped: 0, fileRefused: 0, slowest: 0 };
    for (let i = 0; i < COUNT; i++) {
      const ledger = hostile();
      const text = JSON.stringify({ format: "rnn-notebook", version: 1, metadata: { runLedger: ledger, note: "kept" }, cells: [] }, null, 2) + "\n";
      // what opening the file and recording one run cost (the checks below are the test's own)
      const t0 = Date.now();
      let nb;
      try {
        nb = parseNotebook(text);
      } catch (e) {
        // a file nested too deep is refused whole, as any malformed notebook (never overwritten)
        if (!(e instanceof NotebookFormatError)) throw e;
        tally.fileRefused++;
        continue;
      }
      const state = ledgerState(nb.metadata);
      const forKernel = ledgerForKernel(state);
      const next = ledgerWithRun(state, NEW_RUN);
      const ms = Date.now() - t0;
      tally.slowest = Math.max(tally.slowest, ms);
      assert.ok(ms < PER_INPUT_MS, `input ${i} took ${ms} ms`);
      if (next.ok) {
        assert.ok(ledgerBytes(next.ledger) <= LEDGER_CAP_BYTES, `input ${i}: ${ledgerBytes(next.ledger)} bytes over the cap`);
        assert.ok(validateLedger(JSON.parse(JSON.stringify(next.ledger))).ok, `input ${i}: wrote a ledger that does not validate`);
        assert.deepEqual(next.ledger.records.at(-1)?.config, NEW_RUN.config, `input ${i}: the new run is last`);
        assert.ok(ledgerBytes({ version: 1, capBytes: LEDGER_CAP_BYTES, records: forKernel.records }) <= LEDGER_CAP_BYTES);
        if (next.ledger.droppedRuns || next.ledger.records.some((r) => r.batches.dropped)) tally.capped++;
        tally.appended++;
      } else {
        assert.equal(state.state, "unusable");
        assert.match(next.error, /^runLedger/, `input ${i}: the message names the field`);
        assert.deepEqual(forKernel, { records: [] });
        // nothing is written: saving serializes the metadata as read, so the file's ledger survives unchanged
        const saved = parseNotebook(serializeNotebook(nb)).metadata as JsonObject;
        assert.deepEqual(saved.runLedger, JSON.parse(text).metadata.runLedger, `input ${i}: the ledger changed on save`);
        tally.unusable++;
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined, `input ${i} polluted Object.prototype`);
    }
    console.log(`      ${COUNT} ledgers: ${tally.appended} appended (${tally.capped} of them capped), ${tally.unusable} refused and kept as read, ` +
      `${tally.fileRefused} files refused whole; slowest ${tally.slowest} ms`);
    assert.ok(tally.unusable > 0 && tally.capped > 0 && tally.appended > 0, "the generator reaches every outcome");
  });
});
