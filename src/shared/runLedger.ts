/**
 * The run ledger: every training run of a notebook (each `fit`, each `rnn.runs.start(…)…end()`) as a
 * RunRecord, kept in the notebook's own metadata so runs survive kernel restarts and reopening.
 * Pure, shared by the kernel (which makes records), the extension and the headless runner (which
 * write them into the notebook) and the comparison views (which read them).
 *
 * Where it lives — notebook-level metadata, key `runLedger`, in both file formats:
 *   .rnnb file        `metadata.runLedger`
 *   .ipynb file       `metadata.runLedger` (nbformat allows extra keys in notebook metadata)
 *   VS Code           `notebook.metadata.metadata.runLedger` (both serializers keep the file's
 *                     notebook-level metadata under `metadata`)
 *   { "version": 1, "capBytes": 1000000, "records": [RunRecord, …], "droppedRuns": 2 }
 *
 * The cap: the ledger never adds more than `LEDGER_CAP_BYTES` (1,000,000 bytes of UTF-8) to the file,
 * measured as the .rnnb serializer writes it (2-space indentation, at its depth in the file; an .ipynb
 * indents less). Over the cap, `capLedger` drops the oldest per-batch detail first (the record keeps
 * its per-epoch metrics and says `batches.dropped`), then the oldest whole records (counted in
 * `droppedRuns`).
 *
 * A ledger read from a file is untrusted: `validateLedger` refuses a malformed one with a message
 * naming the first bad field; callers then keep it in the metadata as it is, report it, and record no
 * new run into it (a malformed ledger is never overwritten, as a malformed notebook is never saved over).
 */

/** A configuration value as a record keeps it: plain JSON scalars. */
export type ConfigValue = string | number | boolean | null;

/** One training run. Numbers that were not finite (a diverged loss) are null once saved as JSON. */
export interface RunRecord {
  /** Unique within a ledger ("run 3"). */
  id: string;
  /** ISO time the run ended. */
  endedAt: string;
  /** The model: name, class and parameter count. */
  model: { name: string; type: string; totalParams: number };
  /**
   * The fit configuration and optimizer settings, flat: `epochs`, `batchSize`, `loss`, `optimizer`
   * (its name), `optimizer.lr`, `optimizer.beta1`…, `clipNorm`, `tbptt`, `lrSchedule`, `lrSchedule.tMax`…;
   * options left at their defaults are written with the default, so two runs compare key by key.
   * A module loop's run (`rnn.runs.start(config)`): the config it was started with.
   */
  config: Record<string, ConfigValue>;
  /** Per-epoch metrics by name ("loss", "valLoss", "perplexity", "accuracy", "lr", …), one value per finished epoch. */
  epochs: Record<string, number[]>;
  /**
   * Per-batch loss, at most 500 points: `every` consecutive batches averaged into one point (block
   * means, the last block possibly shorter); `every` 1 means every batch is kept. `total`: batches seen.
   * `dropped`: set when the ledger's cap dropped this detail (`loss` is then empty). A module loop's
   * run may add other per-step series (`metrics`, same blocks) and, when it logged explicit steps
   * other than 1, 2, 3…, the first step of each block (`steps`).
   */
  batches: {
    every: number; method: "block mean"; loss: number[]; total: number;
    metrics?: Record<string, number[]>; steps?: number[]; dropped?: string;
  };
  /** Gradient clipping: batches seen, how many were clipped, mean and max norm before clipping (with clipping or recordGradNorms). */
  clip?: { batches: number; clipped: number; meanPreClip: number; maxPreClip: number };
  wallTimeMs: number;
  interrupted: boolean;
  stoppedEarly: boolean;
  /** Why the fit stopped with an error (its NaN/Inf trap's message); absent for a run that ended normally. */
  failed?: string;
}

/** The notebook metadata's `runLedger`. */
export interface RunLedger {
  version: 1;
  /** The most bytes the ledger may add to the file (see the header). */
  capBytes: number;
  /** Oldest first. */
  records: RunRecord[];
  /** Whole records the cap dropped, oldest first, over the notebook's life. */
  droppedRuns?: number;
}

/** The notebook-level metadata key. */
export const LEDGER_KEY = "runLedger";
export const LEDGER_VERSION = 1;
/** 1 MB: about 60 runs with their full per-batch curves (500 points each), hundreds without. */
export const LEDGER_CAP_BYTES = 1_000_000;
/** Indentation depth of a record in a .rnnb file: root › metadata › runLedger › records › record. */
const RECORD_DEPTH = 4;
/** Indentation depth of the ledger itself (root › metadata › runLedger). */
const LEDGER_DEPTH = 2;

export function emptyLedger(): RunLedger {
  return { version: LEDGER_VERSION, capBytes: LEDGER_CAP_BYTES, records: [] };
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `value` written as JSON with 2-space indentation, starting at indentation `depth`. */
function indentedBytes(value: unknown, depth: number): number {
  const text = JSON.stringify(value, null, 2);
  let newlines = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) newlines++;
  return encoder.encode(text).length + newlines * 2 * depth;
}

/** Bytes one record adds inside the ledger's `records` array of a .rnnb file (its indentation, comma and line end included). */
function recordBytes(r: RunRecord): number {
  return indentedBytes(r, RECORD_DEPTH) + 2 * RECORD_DEPTH + 2;
}

/**
 * Bytes of the ledger without its records, as `"runLedger": {…}`; a non-empty `records` array also
 * closes on a line of its own ("\n" + indentation before "]", less the last record's comma).
 */
function shellBytes(ledger: RunLedger, hasRecords: boolean): number {
  return indentedBytes({ ...ledger, records: [] }, LEDGER_DEPTH) + `"${LEDGER_KEY}": `.length + (hasRecords ? 2 * (RECORD_DEPTH - 1) : 0);
}

/** Bytes the ledger takes in a .rnnb file, as `"runLedger": {…}` at its depth there. */
export function ledgerBytes(ledger: RunLedger): number {
  return shellBytes(ledger, ledger.records.length > 0) + ledger.records.reduce((a, r) => a + recordBytes(r), 0);
}

/**
 * The ledger within `capBytes` (default: LEDGER_CAP_BYTES): the oldest records' per-batch detail
 * dropped first, then the oldest whole records. Returns a new ledger; the input is not changed.
 */
export function capLedger(ledger: RunLedger, capBytes = LEDGER_CAP_BYTES): RunLedger {
  const out: RunLedger = { ...ledger, capBytes, records: ledger.records.slice() };
  // Sized as if every record were dropped (the largest droppedRuns), so the result is within the cap whatever is dropped.
  const shell = shellBytes({ ...out, droppedRuns: (ledger.droppedRuns ?? 0) + ledger.records.length }, true);
  const sizes = out.records.map(recordBytes);
  let total = shell + sizes.reduce((a, s) => a + s, 0);
  for (let i = 0; i < out.records.length && total > capBytes; i++) {
    const r = out.records[i];
    if (r.batches.loss.length === 0 && !r.batches.metrics && !r.batches.steps) continue;
    const { every, method, total: batches } = r.batches;
    const dropped = `per-batch detail dropped to keep the run ledger under ${capBytes.toLocaleString("en-US")} bytes`;
    out.records[i] = { ...r, batches: { every, method, loss: [], total: batches, dropped } };
    const size = recordBytes(out.records[i]);
    total += size - sizes[i];
    sizes[i] = size;
  }
  let drop = 0;
  while (drop < out.records.length && total > capBytes) total -= sizes[drop++];
  if (drop > 0) {
    out.records = out.records.slice(drop);
    out.droppedRuns = (ledger.droppedRuns ?? 0) + drop;
  }
  return out;
}

/**
 * The next free id "run N": after the highest "run N" in the ledger and after every run it ever held
 * (records + droppedRuns), so an id is never reused for a different run of the same notebook.
 */
export function nextRunId(records: readonly { id: string }[], droppedRuns = 0): string {
  let n = droppedRuns + records.length;
  for (const r of records) {
    const m = /^run (\d+)$/.exec(r.id);
    if (m) n = Math.max(n, Number(m[1]));
  }
  return `run ${n + 1}`;
}

/**
 * `ledger` (absent: a new one) with `record` appended — renamed to the next free id if its id is
 * taken — and capped. The input is not changed.
 */
export function appendRun(ledger: RunLedger | undefined, record: RunRecord): RunLedger {
  const base = ledger ?? emptyLedger();
  const taken = base.records.some((r) => r.id === record.id);
  const added = taken ? { ...record, id: nextRunId(base.records, base.droppedRuns) } : record;
  return capLedger({ ...base, version: LEDGER_VERSION, records: [...base.records, added] });
}

// ---------------------------------------------------------------------------------------------------
// Validation of a ledger read from a file (trust nothing: wrong types, NaN as strings, huge arrays).

/** Most records a ledger may hold (a ledger within its cap holds far fewer). */
export const MAX_RECORDS = 100_000;
/** Longest string kept in a record (ids, names, config values). */
export const MAX_STRING = 10_000;

export type LedgerCheck = { ok: true; ledger: RunLedger } | { ok: false; error: string };

class BadLedger extends Error {}

function bad(path: string, what: string): never {
  throw new BadLedger(`${path}: ${what}`);
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === "string" ? `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v)}` : typeof v;
}

function object(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(path, `expected an object, got ${kind(v)}`);
  return v as Record<string, unknown>;
}

function string(v: unknown, path: string): string {
  if (typeof v !== "string") bad(path, `expected a string, got ${kind(v)}`);
  if (v.length > MAX_STRING) bad(path, `a string of ${v.length} characters (at most ${MAX_STRING})`);
  return v;
}

/** A number as JSON keeps it: finite, or null for a value that was not finite. */
function number(v: unknown, path: string): void {
  if (v !== null && (typeof v !== "number" || !Number.isFinite(v))) bad(path, `expected a number or null, got ${kind(v)}`);
}

function count(v: unknown, path: string, min: number): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) bad(path, `expected an integer ≥ ${min}, got ${kind(v)}`);
}

function boolean(v: unknown, path: string): void {
  if (typeof v !== "boolean") bad(path, `expected true or false, got ${kind(v)}`);
}

function numbers(v: unknown, path: string): void {
  if (!Array.isArray(v)) bad(path, `expected an array of numbers, got ${kind(v)}`);
  for (let i = 0; i < v.length; i++) number(v[i], `${path}[${i}]`);
}

function series(v: unknown, path: string): void {
  const o = object(v, path);
  for (const [k, s] of Object.entries(o)) numbers(s, `${path}.${k}`);
}

function checkRecord(v: unknown, path: string): void {
  const r = object(v, path);
  string(r.id, `${path}.id`);
  string(r.endedAt, `${path}.endedAt`);
  const m = object(r.model, `${path}.model`);
  string(m.name, `${path}.model.name`);
  string(m.type, `${path}.model.type`);
  number(m.totalParams, `${path}.model.totalParams`);
  const config = object(r.config, `${path}.config`);
  for (const [k, c] of Object.entries(config)) {
    if (typeof c === "string") string(c, `${path}.config.${k}`);
    else if (typeof c === "number") number(c, `${path}.config.${k}`);
    else if (c !== null && typeof c !== "boolean") bad(`${path}.config.${k}`, `expected a string, number, true/false or null, got ${kind(c)}`);
  }
  series(r.epochs, `${path}.epochs`);
  const b = object(r.batches, `${path}.batches`);
  count(b.every, `${path}.batches.every`, 1);
  string(b.method, `${path}.batches.method`);
  numbers(b.loss, `${path}.batches.loss`);
  count(b.total, `${path}.batches.total`, 0);
  if (b.metrics !== undefined) series(b.metrics, `${path}.batches.metrics`);
  if (b.steps !== undefined) numbers(b.steps, `${path}.batches.steps`);
  if (b.dropped !== undefined) string(b.dropped, `${path}.batches.dropped`);
  if (r.clip !== undefined) {
    const c = object(r.clip, `${path}.clip`);
    for (const k of ["batches", "clipped", "meanPreClip", "maxPreClip"]) number(c[k], `${path}.clip.${k}`);
  }
  number(r.wallTimeMs, `${path}.wallTimeMs`);
  boolean(r.interrupted, `${path}.interrupted`);
  boolean(r.stoppedEarly, `${path}.stoppedEarly`);
  if (r.failed !== undefined) string(r.failed, `${path}.failed`);
}

/**
 * Checks a ledger read from a notebook file. Never throws: either the ledger (the same object, not
 * copied) or an error naming the first bad field, e.g. "records[2].epochs.loss[5]: expected a number
 * or null, got the string \"NaN\"". Ids must be unique. A ledger over its cap is valid (`capLedger`
 * trims it when the next run is added).
 */
export function validateLedger(raw: unknown): LedgerCheck {
  try {
    const l = object(raw, LEDGER_KEY);
    if (l.version !== LEDGER_VERSION) bad(`${LEDGER_KEY}.version`, `expected ${LEDGER_VERSION}, got ${kind(l.version)}`);
    count(l.capBytes, `${LEDGER_KEY}.capBytes`, 1);
    if (l.droppedRuns !== undefined) count(l.droppedRuns, `${LEDGER_KEY}.droppedRuns`, 0);
    if (!Array.isArray(l.records)) bad(`${LEDGER_KEY}.records`, `expected an array, got ${kind(l.records)}`);
    if (l.records.length > MAX_RECORDS) bad(`${LEDGER_KEY}.records`, `${l.records.length} records (at most ${MAX_RECORDS})`);
    const ids = new Set<string>();
    l.records.forEach((r, i) => {
      checkRecord(r, `${LEDGER_KEY}.records[${i}]`);
      const id = (r as RunRecord).id;
      if (ids.has(id)) bad(`${LEDGER_KEY}.records[${i}].id`, `${JSON.stringify(id)} is used by an earlier record`);
      ids.add(id);
    });
    return { ok: true, ledger: raw as RunLedger };
  } catch (e) {
    if (e instanceof BadLedger) return { ok: false, error: e.message };
    // A value no JSON file can hold (a cycle, a getter that throws) is refused the same way.
    return { ok: false, error: `${LEDGER_KEY}: unreadable (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** What a notebook's metadata holds under `runLedger`: nothing, a usable ledger, or an unusable value with why. */
export type LedgerState =
  | { state: "none" }
  | { state: "ok"; ledger: RunLedger }
  | { state: "unusable"; error: string };

/** Reads `metadata.runLedger` (the notebook-level metadata object of either file format). */
export function ledgerState(metadata: Record<string, unknown> | undefined): LedgerState {
  const raw = metadata?.[LEDGER_KEY];
  if (raw === undefined) return { state: "none" };
  const check = validateLedger(raw);
  return check.ok ? { state: "ok", ledger: check.ledger } : { state: "unusable", error: check.error };
}

/** What a starting kernel gets of a notebook's ledger: its records within the cap (none when it cannot be used). */
export function ledgerForKernel(state: LedgerState): { records: RunRecord[]; droppedRuns?: number } {
  if (state.state !== "ok") return { records: [] };
  const capped = capLedger(state.ledger);
  return { records: capped.records, ...(capped.droppedRuns ? { droppedRuns: capped.droppedRuns } : {}) };
}

/**
 * The ledger to write into the notebook after `record` (appended and capped), or why nothing may be
 * written: the notebook's ledger cannot be used, and it is kept exactly as it is.
 */
export function ledgerWithRun(state: LedgerState, record: RunRecord): LedgerCheck {
  if (state.state === "unusable") return { ok: false, error: state.error };
  return { ok: true, ledger: appendRun(state.state === "ok" ? state.ledger : undefined, record) };
}

/** The message for a ledger that cannot be used: kept as it is, new runs not recorded into it. */
export function unusableLedgerMessage(error: string): string {
  return `The run ledger in this notebook's metadata cannot be used (${error}). It is kept as it is and new runs are not ` +
    `recorded into it; fix or remove metadata.${LEDGER_KEY} to record runs again.`;
}
