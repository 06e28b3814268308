// The run ledger's pure half (src/shared/runLedger.ts): its size as the .rnnb serializer writes it,
// the cap (oldest per-batch detail first, then oldest runs), ids, and the validation of a ledger read
// from a file. Sizes are checked against serializeNotebook's own output, not against constants.
import * as assert from "node:assert/strict";
import { serializeNotebook, type JsonObject } from "../../../src/shared/notebookFormat";
import {
  appendRun, capLedger, LEDGER_CAP_BYTES, ledgerBytes, ledgerState, nextRunId, validateLedger, type RunLedger, type RunRecord,
} from "../../../src/shared/runLedger";

/** A record with `batches` per-batch points (each 0.5) and 3 epochs. */
function record(id: string, batches: number): RunRecord {
  return {
    id, endedAt: "2026-12-03T12:00:00.000Z", model: { name: "m", type: "Sequential", totalParams: 73 },
    config: { epochs: 3, batchSize: 8, clipNorm: null, optimizer: "adam" }, epochs: { loss: [0.9, 0.7, 0.6] },
    batches: { every: 1, method: "block mean", loss: new Array(batches).fill(0.5), total: batches },
    wallTimeMs: 12, interrupted: false, stoppedEarly: false,
  };
}

const ledger = (records: RunRecord[], droppedRuns?: number): RunLedger =>
  ({ version: 1, capBytes: LEDGER_CAP_BYTES, records, ...(droppedRuns ? { droppedRuns } : {}) });

/** Bytes the ledger adds to a .rnnb file, measured with the serializer. */
function fileBytes(l: RunLedger): number {
  const nb = (metadata: JsonObject) => new TextEncoder().encode(serializeNotebook({ version: 1, metadata, cells: [], extra: {} })).length;
  // "metadata": {} → "metadata": {\n    "runLedger": …\n  }: the ledger plus "\n    " and "\n  " (8 bytes)
  return nb({ runLedger: l as unknown as JsonObject }) - nb({}) - 8;
}

describe("run ledger: size and cap", () => {
  it("ledgerBytes is exactly what the ledger adds to a .rnnb file", () => {
    for (const l of [ledger([]), ledger([record("run 1", 3)]), ledger([record("run 1", 40), record("run 2", 0)], 5)]) {
      assert.equal(ledgerBytes(l), fileBytes(l));
    }
  });

  it("leaves a ledger within its cap as it is", () => {
    const l = ledger([record("run 1", 10), record("run 2", 10)]);
    assert.deepEqual(capLedger(l), l);
  });

  it("drops the oldest per-batch detail first and says so in the record", () => {
    const l = ledger([record("run 1", 200), record("run 2", 200), record("run 3", 200)]);
    // cap: everything but about one record's detail fits (each 0.5 point is one "      0.5,\n"-like line)
    const cap = ledgerBytes(l) - 100;
    const capped = capLedger(l, cap);
    assert.ok(ledgerBytes(capped) <= cap, `${ledgerBytes(capped)} ≤ ${cap}`);
    assert.equal(capped.records.length, 3, "no whole record dropped");
    assert.deepEqual(capped.records[0].batches.loss, []);
    assert.match(capped.records[0].batches.dropped ?? "", /per-batch detail dropped to keep the run ledger under/);
    assert.equal(capped.records[0].batches.total, 200, "how many batches there were is kept");
    assert.deepEqual(capped.records[0].epochs, { loss: [0.9, 0.7, 0.6] }, "per-epoch metrics kept");
    assert.equal(capped.records[1].batches.loss.length, 200, "newer records keep their detail");
    assert.equal(capped.records[2].batches.dropped, undefined);
    assert.equal(l.records[0].batches.loss.length, 200, "the input is not changed");
  });

  it("then drops the oldest whole records, counted in droppedRuns", () => {
    // records without per-batch detail: nothing to drop but whole records
    const l = ledger([record("run 1", 0), record("run 2", 0), record("run 3", 0)], 2);
    assert.equal(capLedger(l, 1).records.length, 0, "a 1-byte cap holds nothing");
    // capBytes written with as many digits as the cap used below (four), so the sizes compare exactly
    const two = ledgerBytes({ ...ledger([record("run 2", 0), record("run 3", 0)], 3), capBytes: 1000 });
    assert.ok(two >= 1000 && two < 10_000, `${two} has four digits`);
    const capped = capLedger(l, two);
    assert.deepEqual(capped.records.map((r) => r.id), ["run 2", "run 3"]);
    assert.equal(capped.droppedRuns, 3, "2 dropped before + 1 now");
    assert.equal(ledgerBytes(capped), two);
    assert.deepEqual(capLedger(l, two - 1).records.map((r) => r.id), ["run 3"]);
  });

  it("appendRun continues ids, renames a taken id, and caps", () => {
    assert.equal(nextRunId([{ id: "run 1" }, { id: "run 7" }]), "run 8");
    assert.equal(nextRunId([{ id: "run 1" }, { id: "run 2" }], 10), "run 13", "10 dropped + 2 kept → run 13");
    assert.equal(nextRunId([{ id: "mine" }]), "run 2");
    const l = appendRun(ledger([record("run 1", 1)]), record("run 1", 1));
    assert.deepEqual(l.records.map((r) => r.id), ["run 1", "run 2"]);
    assert.deepEqual(appendRun(undefined, record("run 1", 1)).records.map((r) => r.id), ["run 1"]);
    const big = appendRun(ledger([record("run 1", 30_000), record("run 2", 30_000)]), record("run 3", 30_000));
    assert.ok(ledgerBytes(big) <= LEDGER_CAP_BYTES);
    assert.equal(big.records[2].batches.loss.length, 30_000, "the new run keeps its detail; older ones give it up");
  });
});

describe("run ledger: validation of a ledger read from a file", () => {
  const good = () => JSON.parse(JSON.stringify(ledger([record("run 1", 3), record("run 2", 3)]))) as Record<string, any>;

  it("accepts a ledger as written, with null for numbers that were not finite", () => {
    const l = good();
    l.records[0].batches.loss[1] = null; // JSON.stringify(NaN) is null: a diverged batch
    assert.deepEqual(validateLedger(l), { ok: true, ledger: l });
    assert.deepEqual(ledgerState({}), { state: "none" });
  });

  const cases: [string, (l: Record<string, any>) => unknown, RegExp][] = [
    ["not an object", () => [1, 2], /^runLedger: expected an object, got an array of 2/],
    ["an unknown version", (l) => ((l.version = 2), l), /runLedger\.version: expected 1, got number/],
    ["records not an array", (l) => ((l.records = {}), l), /runLedger\.records: expected an array, got object/],
    ["NaN as a string", (l) => ((l.records[1].epochs.loss[2] = "NaN"), l), /records\[1\]\.epochs\.loss\[2\]: expected a number or null, got the string "NaN"/],
    ["Infinity", (l) => ((l.records[0].wallTimeMs = Infinity), l), /records\[0\]\.wallTimeMs: expected a number or null/],
    ["a nested config value", (l) => ((l.records[0].config.optimizer = { name: "adam" }), l), /config\.optimizer: expected a string, number, true\/false or null, got object/],
    ["a duplicated id", (l) => ((l.records[1].id = "run 1"), l), /records\[1\]\.id: "run 1" is used by an earlier record/],
    ["a huge string", (l) => ((l.records[0].model.name = "x".repeat(20_000)), l), /model\.name: a string of 20000 characters/],
    ["a negative capBytes", (l) => ((l.capBytes = -1), l), /capBytes: expected an integer ≥ 1/],
    ["a missing flag", (l) => (delete l.records[0].interrupted, l), /records\[0\]\.interrupted: expected true or false, got undefined/],
  ];
  for (const [what, make, error] of cases) {
    it(`refuses ${what}, naming the field`, () => {
      const check = validateLedger(make(good()));
      assert.equal(check.ok, false);
      assert.match((check as { error: string }).error, error);
    });
  }

  it("never throws, even on a value no file holds (a cycle, a throwing getter)", () => {
    const cyclic = good();
    cyclic.records[0].config = cyclic;
    assert.equal(validateLedger(cyclic).ok, false);
    const getter = good();
    Object.defineProperty(getter.records[0], "id", { get() { throw new Error("boom"); }, enumerable: true });
    assert.match((validateLedger(getter) as { error: string }).error, /unreadable \(boom\)/);
  });
});
