/**
 * Data in: a user's own files as tensors. `rnn.data.readCsv(path, options)` and
 * `rnn.data.readNpy(path)`; the bytes come from the host's files (host.ts — in the Node kernel,
 * paths are relative to the notebook's folder), so every host with files gets the same readers.
 *
 * The parsers are pure (text/bytes → flat values + shape) and tested on their own; the `rnn.data`
 * functions wrap them into engine tensors. Errors say which row/column/field and how to fix.
 */
import type { History } from "../fit";
import { hostFiles } from "../host";
import { tensor, type Tensor } from "../tensor";

/** Options of `rnn.data.readCsv(path, options)`: `{ columns: ["open", "close"], shape: [-1, 20, 2] }`. */
export interface CsvOptions {
  /** First row holds column names. Default: detected (a first row with a non-numeric field). */
  header?: boolean;
  /** Columns to keep, by name (needs a header) or 0-based index, in the order given. */
  columns?: (string | number)[];
  /** Field separator. Default: detected from the first line ("," unless only ";" or tabs appear). */
  delimiter?: string;
  /** Reshape the [rows, columns] values to this shape; one dimension may be -1. */
  shape?: number[];
}

export interface ParsedTable {
  /** Row-major values. */
  values: Float64Array;
  shape: number[];
  /** Names of the kept columns (header names, or "0", "1", … without a header). */
  columns: string[];
}

export class DataFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataFileError";
  }
}

/** Splits one CSV line; double-quoted fields may contain the delimiter and "" for a quote. */
function splitCsvLine(line: string, delimiter: string, lineNo: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = "";
      i++;
      for (;;) {
        if (i >= line.length) throw new DataFileError(`line ${lineNo}: a quoted field is not closed (fields spanning lines are not supported)`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      fields.push(field);
      if (i >= line.length) return fields;
      if (!line.startsWith(delimiter, i)) throw new DataFileError(`line ${lineNo}: unexpected text after a quoted field at column ${i + 1}`);
      i += delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

function detectDelimiter(firstLine: string): string {
  if (firstLine.includes(",")) return ",";
  if (firstLine.includes("\t")) return "\t";
  if (firstLine.includes(";")) return ";";
  return ",";
}

function parseNumber(field: string): number {
  const s = field.trim();
  if (s === "") return NaN;
  if (/^[-+]?nan$/i.test(s)) return Number.NaN;
  if (/^[-+]?inf(inity)?$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  return Number(s);
}

const isNumeric = (field: string) => {
  const s = field.trim();
  return s !== "" && (!Number.isNaN(Number(s)) || /^[-+]?(nan|inf(inity)?)$/i.test(s));
};

/** CSV text → numbers. */
export function parseCsv(text: string, options: CsvOptions = {}, source = "the CSV file"): ParsedTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/).map((l, i) => ({ text: l, no: i + 1 })).filter((l) => l.text.trim() !== "");
  if (lines.length === 0) throw new DataFileError(`${source} is empty`);
  const delimiter = options.delimiter ?? detectDelimiter(lines[0].text);
  if (delimiter === "") throw new DataFileError("readCsv: `delimiter` must not be empty");
  const rows = lines.map((l) => ({ fields: splitCsvLine(l.text, delimiter, l.no), no: l.no }));
  const header = options.header ?? !rows[0].fields.every(isNumeric);
  const width = rows[0].fields.length;
  const names = header ? rows[0].fields.map((f) => f.trim()) : rows[0].fields.map((_, i) => String(i));
  const data = header ? rows.slice(1) : rows;
  for (const r of data) {
    if (r.fields.length !== width) {
      throw new DataFileError(`${source}, line ${r.no}: ${r.fields.length} field${r.fields.length === 1 ? "" : "s"}, but ` +
        `${header ? "the header has" : "the first row has"} ${width} (ragged rows: every row needs the same number of ` +
        `columns${delimiter === "," ? "" : `, delimiter ${JSON.stringify(delimiter)}`})`);
    }
  }
  const picks = (options.columns ?? names.map((_, i) => i)).map((c) => {
    if (typeof c === "number") {
      if (!Number.isInteger(c) || c < 0 || c >= width) throw new DataFileError(`readCsv: column index ${c} is out of range (the file has ${width} columns, 0…${width - 1})`);
      return c;
    }
    if (!header) throw new DataFileError(`readCsv: column "${c}" is named, but the file has no header row (use indices, or header: true)`);
    const i = names.indexOf(c);
    if (i < 0) throw new DataFileError(`readCsv: no column "${c}" (columns: ${names.map((n) => JSON.stringify(n)).join(", ")})`);
    return i;
  });
  const values = new Float64Array(data.length * picks.length);
  data.forEach((r, i) => {
    picks.forEach((c, j) => {
      const v = parseNumber(r.fields[c]);
      if (Number.isNaN(v) && !/^\s*[-+]?nan\s*$/i.test(r.fields[c])) {
        const what = r.fields[c].trim() === "" ? "is empty" : `is ${JSON.stringify(r.fields[c])}, not a number`;
        throw new DataFileError(`${source}, line ${r.no}, column ${c + 1} (${JSON.stringify(names[c])}) ${what}`);
      }
      values[i * picks.length + j] = v;
    });
  });
  const shape = options.shape ? reshape(options.shape, values.length, [data.length, picks.length]) : [data.length, picks.length];
  return { values, shape, columns: picks.map((c) => names[c]) };
}

function reshape(shape: number[], size: number, from: number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new DataFileError(`readCsv: invalid shape [${shape.join(", ")}] (non-negative integers, at most one -1)`);
  }
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (out.reduce((a, b) => a * b, 1) !== size || out.some((d) => !Number.isInteger(d))) {
    throw new DataFileError(`readCsv: cannot reshape [${from.join(", ")}] (${size} values) to [${shape.join(", ")}]`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// .npy — NumPy's format, https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html:
// magic "\x93NUMPY", major, minor, header length (uint16 LE for v1, uint32 LE for v2/v3), a Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with spaces, data.

export interface ParsedNpy {
  /** The values as stored (float64 data stays float64; everything else is read into float32). */
  values: Float32Array | Float64Array;
  shape: number[];
  /** NumPy's dtype string, e.g. "<f4". */
  descr: string;
}

const NPY_TYPES: Record<string, { bytes: number; read: (v: DataView, o: number) => number }> = {
  f4: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  f8: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  i1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  u1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  b1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  i2: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  u2: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  i4: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  u4: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  i8: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  u8: { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
};

export function parseNpy(bytes: Uint8Array, source = "the .npy file"): ParsedNpy {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93 N U M P Y
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new DataFileError(`${source} is not a .npy file (no \\x93NUMPY signature)`);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new DataFileError(`${source}: .npy format version ${major}.${bytes[7]} is not supported (1.0–3.0 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart + headerLen > bytes.length) throw new DataFileError(`${source} is truncated (header)`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataFileError(`${source}: unreadable .npy header ${JSON.stringify(header.trim())} (structured dtypes are not supported)`);
  }
  if (fortran === "True") {
    throw new DataFileError(`${source} is stored in Fortran (column-major) order, which is not supported: save it with np.save(path, np.ascontiguousarray(a))`);
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  const order = descr[0];
  const kind = descr.slice(1);
  const type = NPY_TYPES[kind];
  if (!type || !["<", "|", "="].includes(order) || (order === "|" && type.bytes > 1)) {
    const hint = order === ">" && type ? "big-endian data is not supported: save it with a.astype(a.dtype.newbyteorder('<'))" :
      `supported dtypes: float32, float64, int8/16/32/64, uint8/16/32/64, bool (little-endian), e.g. a.astype(np.float32)`;
    throw new DataFileError(`${source}: unsupported dtype ${JSON.stringify(descr)}; ${hint}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLen;
  if (bytes.length - dataStart < count * type.bytes) {
    throw new DataFileError(`${source} is truncated: shape (${shape.join(", ")}) needs ${count * type.bytes} bytes of data, found ${bytes.length - dataStart}`);
  }
  const values = kind === "f8" ? new Float64Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = type.read(view, dataStart + i * type.bytes);
  return { values, shape, descr };
}

/** The bytes of a cell's data file, with the errors the readers have always given. */
function readDataFile(p: string, call: string): Uint8Array {
  const files = hostFiles(call);
  if (typeof p !== "string" || p === "") throw new TypeError("expected a file path (a string, relative to the notebook's folder)");
  const file = files.resolve(p);
  let bytes: Uint8Array | undefined;
  try {
    bytes = files.read(file);
  } catch (e) {
    throw new DataFileError(`cannot read ${p}: ${(e as Error).message}`);
  }
  if (!bytes) throw new DataFileError(`cannot read ${p}: no such file in ${files.resolve(folderOf(p))}`);
  return bytes;
}

/** The folder part of a cell's path ("." for a bare file name), to name where a missing file was looked for. */
function folderOf(p: string): string {
  const cut = Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\"));
  return cut < 0 ? "." : cut === 0 ? p[0] : p.slice(0, cut);
}

/** One JSON value per non-blank line (JSON Lines: metrics.jsonl of a train.py export, logs); errors name the line. */
export function parseJsonl(text: string, source = "the JSONL file"): unknown[] {
  const out: unknown[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      out.push(JSON.parse(line));
    } catch (e) {
      throw new DataFileError(`readJsonl: line ${i + 1} of ${source} is not JSON (${(e as Error).message})`);
    }
  });
  return out;
}

/** Per-epoch records as train.py writes them (metrics.jsonl): `epoch`, `loss`, optional `val_loss`, … */
export interface EpochRecord {
  epoch: number;
  loss: number;
  val_loss?: number;
  perplexity?: number;
  val_perplexity?: number;
  accuracy?: number;
  val_accuracy?: number;
  /** Seconds since the run started, at the end of this epoch. */
  time_s?: number;
}

/**
 * Per-epoch records (metrics.jsonl) as a fit History — what `rnn.show.lossCurve` (and a History as a
 * cell's value) draws, so a PyTorch run plots the way the notebook's fit does. The per-batch arrays are
 * empty: the records hold epochs only.
 */
export function historyFromRecords(records: readonly unknown[], source = "the records"): History {
  const rows = records.map((r, i) => {
    const o = r as Partial<EpochRecord> | null;
    if (!o || typeof o !== "object" || typeof o.epoch !== "number" || typeof o.loss !== "number") {
      throw new DataFileError(`readJsonl: record ${i + 1} of ${source} has no numeric "epoch" and "loss" (metrics.jsonl of train.py has both)`);
    }
    return o as EpochRecord;
  });
  const column = (key: keyof EpochRecord): number[] | undefined =>
    rows.every((r) => typeof r[key] === "number") && rows.length > 0 ? rows.map((r) => r[key] as number) : undefined;
  const h: History = {
    epoch: rows.map((r) => r.epoch), loss: rows.map((r) => r.loss), batchLoss: [], interrupted: false, stoppedEarly: false,
    epochs: rows.length, batchesPerEpoch: 0, elapsedMs: Math.round(1000 * (rows[rows.length - 1]?.time_s ?? 0)),
  };
  const optional: [keyof History, keyof EpochRecord][] = [["valLoss", "val_loss"], ["perplexity", "perplexity"], ["valPerplexity", "val_perplexity"],
    ["accuracy", "accuracy"], ["valAccuracy", "val_accuracy"]];
  for (const [to, from] of optional) {
    const c = column(from);
    if (c) (h as unknown as Record<string, number[]>)[to] = c;
  }
  return h;
}

/** Readers of data files into tensors (`rnn.data`); relative paths start at the notebook's folder. */
export const data = {
  /**
   * A CSV file of numbers → a float32 tensor [rows, columns] (or `shape`).
   * @param options `header` (default: detected), `columns` to keep (names or 0-based indices),
   * `delimiter` (default: detected), `shape` to reshape to (one dimension may be -1)
   * @example const x = rnn.data.readCsv("prices.csv", { columns: ["open", "close"] })
   */
  readCsv(path: string, options: CsvOptions = {}): Tensor {
    const text = new TextDecoder().decode(readDataFile(path, "rnn.data.readCsv(path)"));
    const t = parseCsv(text, options, path);
    return tensor(Float32Array.from(t.values), t.shape);
  },
  /** A NumPy `.npy` file → a tensor of the array's shape (float64 stays float64, other dtypes become float32). */
  readNpy(path: string): Tensor {
    const t = parseNpy(readDataFile(path, "rnn.data.readNpy(path)"), path);
    return tensor(t.values, t.shape);
  },
  /**
   * A JSON Lines file → its records, one per non-blank line. `metrics.jsonl` of an `exportTraining` run
   * (one record per epoch: epoch, loss, val_loss, …) as `{ as: "history" }` gives a fit History instead,
   * which `rnn.show.lossCurve` draws like the notebook's own fit.
   * @example rnn.show.lossCurve(rnn.data.readJsonl("lstm_training/metrics.jsonl", { as: "history" }))
   */
  readJsonl(path: string, options: { as?: "records" | "history" } = {}): unknown[] | History {
    const records = parseJsonl(new TextDecoder().decode(readDataFile(path, "rnn.data.readJsonl(path)")), path);
    if (options.as === undefined || options.as === "records") return records;
    if (options.as === "history") return historyFromRecords(records, path);
    throw new DataFileError(`readJsonl: as must be "records" or "history", got ${JSON.stringify(options.as)}`);
  },
};
