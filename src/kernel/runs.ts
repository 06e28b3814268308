/**
 * The kernel's side of the run ledger (src/shared/runLedger.ts): `rnn.runs` in cells.
 *
 *   every fit that resolves      → a record (engine host's fitEnded; runs.ts runRecord)
 *   rnn.runs.start(config)       → a run a module loop logs into: run.log(metrics, { step | epoch }),
 *                                  run.end() → its record
 *   rnn.runs.list()              → every record of the notebook (earlier sessions' included), oldest first
 *
 * Each record goes to the client as a `run` message, which writes it into the notebook's metadata; the
 * client sends the notebook's ledger (`ledger` message) when the kernel starts, so ids continue after
 * the runs already in the notebook and list() sees them. A run whose cell is interrupted before
 * `run.end()` is ended as interrupted when the cell ends; every run still open when the kernel is
 * asked to shut down (the runner's end, a restart of an idle kernel) is ended as interrupted first. (A
 * kernel that is killed — a restart while a cell runs, a crash — cannot record the runs it had open.)
 */
import type { FinishedFit } from "../engine/host";
import { plainConfig, RunLog, runRecord, type RunLogAt } from "../engine/runs";
import type { FromKernel } from "../shared/protocol";
import { nextRunId, type RunRecord } from "../shared/runLedger";
import { typeName } from "./inspect";

/** What `rnn.runs.start` takes: `name`, `model`, and any plain JSON configuration. */
export interface RunStart {
  /** The model name the record shows (default: the model's own name, or "model"). */
  name?: string;
  /** The model trained: a live model (its class and parameter count are read), or `{ name?, type?, totalParams? }`. */
  model?: unknown;
  [key: string]: unknown;
}

/** A module loop's run, as cells get it from `rnn.runs.start`. */
export interface Run {
  readonly id: string;
  log(metrics: Record<string, number>, at?: RunLogAt): void;
  end(): RunRecord;
}

export interface RunsHost {
  send(m: FromKernel): void;
  /** The interrupt signal of the cell running now. */
  signal(): AbortSignal;
}

interface OpenRun {
  id: string;
  log: RunLog;
  signal: AbortSignal;
}

export class KernelRuns {
  /** The notebook's ledger when the kernel started (from the client), then this session's records. */
  private earlier: RunRecord[] = [];
  private droppedRuns = 0;
  private readonly session: RunRecord[] = [];
  private readonly open = new Map<string, OpenRun>();

  constructor(private readonly host: RunsHost) {}

  /** The notebook's ledger, sent by the client when this kernel started. */
  setLedger(records: RunRecord[], droppedRuns = 0): void {
    this.earlier = records;
    this.droppedRuns = droppedRuns;
  }

  /** Deep copies of every record, oldest first. */
  list(): RunRecord[] {
    return structuredClone([...this.earlier, ...this.session]);
  }

  /** A fit's record, added; its id. */
  fitEnded(fit: FinishedFit): string {
    const record = runRecord({ id: this.nextId(), ...fit });
    this.add(record);
    return record.id;
  }

  start(config: RunStart = {}): Run {
    if (typeof config !== "object" || config === null || Array.isArray(config)) throw new Error("rnn.runs.start: expected a config object, e.g. { name: \"lstm\", lr: 0.01 }");
    const { name, model, ...rest } = config;
    if (name !== undefined && typeof name !== "string") throw new Error("rnn.runs.start: name must be a string");
    const described = describeModel(model);
    const open: OpenRun = {
      id: this.nextId(),
      log: new RunLog({ ...described, name: name ?? described.name }, plainConfig(rest, "rnn.runs.start")),
      signal: this.host.signal(),
    };
    this.open.set(open.id, open);
    const finish = (): RunRecord => this.finish(open, open.signal.aborted);
    return {
      id: open.id,
      log: (metrics, at) => {
        if (!this.open.has(open.id)) throw new Error(`run.log: ${open.id} has already ended`);
        open.log.log(metrics, at);
      },
      end: () => {
        if (!this.open.has(open.id)) throw new Error(`run.end: ${open.id} has already ended`);
        return structuredClone(finish());
      },
    };
  }

  /** A cell ended: its runs whose cell was interrupted are ended as interrupted. */
  cellEnded(): void {
    for (const o of [...this.open.values()]) if (o.signal.aborted) this.finish(o, true);
  }

  /** The kernel is shutting down: every open run is ended as interrupted. */
  stopAll(): void {
    for (const o of [...this.open.values()]) this.finish(o, true);
  }

  private finish(o: OpenRun, interrupted: boolean): RunRecord {
    this.open.delete(o.id);
    const record = o.log.record(o.id, interrupted);
    this.add(record);
    return record;
  }

  private add(record: RunRecord): void {
    this.session.push(record);
    this.host.send({ type: "run", record });
  }

  /** After every record and every open run's id. */
  private nextId(): string {
    return nextRunId([...this.earlier, ...this.session, ...this.open.values()], this.droppedRuns);
  }
}

/** A record's model from what `rnn.runs.start` got: a live model, a plain description, or nothing. */
function describeModel(model: unknown): RunRecord["model"] {
  if (model === undefined) return { name: "model", type: "loop", totalParams: NaN };
  if (typeof model !== "object" || model === null) throw new Error("rnn.runs.start: model must be a model or { name, type, totalParams }");
  const m = model as { name?: unknown; countParams?: unknown; className?: unknown; type?: unknown; totalParams?: unknown };
  const name = typeof m.name === "string" ? m.name : "model";
  if (typeof m.countParams === "function") {
    return { name, type: typeName(m), totalParams: (m.countParams as () => number).call(m) };
  }
  return { name, type: typeof m.type === "string" ? m.type : "loop", totalParams: typeof m.totalParams === "number" ? m.totalParams : NaN };
}
