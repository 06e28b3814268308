#!/usr/bin/env node
/**
 * Headless runner: `rnn-notebook run <file.rnnb|file.ipynb> [--out <file>] [--timeout <seconds>]
 * [--param name=value …] [--junit <report.xml>] [--check [--rtol <r>]]`.
 *
 * Starts the same kernel process the extension uses (dist/kernel.js, next to this file), through the
 * same client (./kernelClient.ts), with the notebook's folder as working directory; runs every code
 * cell in order, prints each output's text/plain (streams as they come), and with --out writes the executed notebook with every output's
 * full mime bundle — also after a failure, with outputs up to the failing cell. --out may be the input
 * file; the write is atomic (temp file + rename). The output file's extension picks its format: an
 * .rnnb run with `--out x.ipynb` is written as Jupyter nbformat 4.5 (src/shared/ipynb.ts, as the
 * export command does); an .ipynb is only written as .ipynb.
 *
 * CI (ci.ts): --param overrides the constants of the cell tagged "parameters" (papermill's convention;
 * the executed notebook written by --out holds the values used), --junit writes one JUnit test case per
 * code cell, --check compares every cell's text outputs with those saved in the file (numbers within
 * --rtol, default 1e-6) and fails with a diff.
 *
 * Runs: the notebook's run ledger (metadata.runLedger, src/shared/runLedger.ts) is sent to the kernel,
 * and every run of this execution (each fit, each rnn.runs run) is appended to it in the --out file.
 * A ledger that cannot be used is reported on stderr and written back exactly as it was read.
 *
 * Exit codes: 0 every cell ran (and --check found no difference); 1 a cell failed (the message names the cell and line); 2 usage, or an
 * unreadable/invalid notebook or an unknown --param (the file is left untouched); 124 a cell exceeded --timeout.
 * Cells are numbered from 1, counting markdown cells too (as the notebook shows them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MimeBundle } from "../shared/mime";
import { rnnbToIpynb } from "../shared/ipynb";
import { writeAtomic } from "../kernel/files";
import { applyParameters, diffOutputs, IGNORE_OUTPUT_TAG, isParametersCell, junitXml, ParameterError, parseParam, type CellCase, type TextOutput } from "./ci";
import { KernelClient, type CellSink } from "./kernelClient";
import { NotebookFormatError, parseNotebook, serializeNotebook, type Json, type RawNotebook, type RawOutput } from "../shared/notebookFormat";
import { LEDGER_KEY, ledgerForKernel, ledgerState, ledgerWithRun, unusableLedgerMessage, type RunRecord } from "../shared/runLedger";

const USAGE = "usage: rnn-notebook run <file.rnnb|file.ipynb> [--out <file>] [--timeout <seconds per cell>] [--param name=value …]\n" +
  "       [--junit <report.xml>] [--check [--rtol <relative tolerance, default 1e-6>]]";
const STDOUT_MIME = "application/vnd.code.notebook.stdout";
const STDERR_MIME = "application/vnd.code.notebook.stderr";
const ERROR_MIME = "application/vnd.code.notebook.error";
/** After a --timeout interrupt, how long the cell may take to stop before the kernel is killed. */
const TIMEOUT_GRACE_MS = 2000;

class UsageError extends Error {}

interface CodeCell {
  index: number;
  source: string;
  parameters: boolean;
  ignoreOutput: boolean;
}

/** A code cell of either format from its index, source and metadata. */
function codeCell(index: number, source: string, metadata: unknown): CodeCell {
  return { index, source, parameters: isParametersCell(metadata), ignoreOutput: isParametersCell(metadata, IGNORE_OUTPUT_TAG) };
}

interface Args {
  file: string;
  out?: string;
  timeoutSeconds?: number;
  params: Map<string, string>;
  junit?: string;
  check: boolean;
  rtol: number;
}

function parseArgs(argv: string[]): Args {
  if (argv[0] === "--help" || argv[0] === "-h") {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  if (argv[0] !== "run") throw new UsageError(argv.length === 0 ? "no command given" : `unknown command "${argv[0]}"`);
  const args: Partial<Args> & Pick<Args, "params" | "check" | "rtol"> = { params: new Map(), check: false, rtol: 1e-6 };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") {
      if (!argv[i + 1]) throw new UsageError("--out needs a file name");
      args.out = argv[++i];
    } else if (a === "--timeout") {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--timeout needs a positive number of seconds (got ${JSON.stringify(argv[i] ?? "")})`);
      args.timeoutSeconds = v;
    } else if (a === "--param") {
      if (!argv[i + 1]) throw new UsageError("--param needs name=value");
      const [name, value] = parseParam(argv[++i]);
      args.params.set(name, value);
    } else if (a === "--junit") {
      if (!argv[i + 1]) throw new UsageError("--junit needs a file name");
      args.junit = argv[++i];
    } else if (a === "--check") {
      args.check = true;
    } else if (a === "--rtol") {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new UsageError(`--rtol needs a number ≥ 0 (got ${JSON.stringify(argv[i] ?? "")})`);
      args.rtol = v;
    } else if (a.startsWith("-")) {
      throw new UsageError(`unknown option ${a}`);
    } else if (args.file) {
      throw new UsageError(`only one notebook at a time (got ${args.file} and ${a})`);
    } else {
      args.file = a;
    }
  }
  if (!args.file) throw new UsageError("no notebook file given");
  return args as Args;
}

// ---------------------------------------------------------------------------------------------------
// Notebooks: .rnnb (src/shared/notebookFormat.ts) and .ipynb (nbformat 4) behind one small interface.

/** One output as the runner collects it. */
type Collected =
  | { kind: "stream"; name: "stdout" | "stderr"; text: string }
  | { kind: "display"; bundle: MimeBundle; displayId?: string }
  | { kind: "result"; bundle: MimeBundle }
  | { kind: "error"; name: string; message: string; stack: string };

interface RunnableNotebook {
  /** Code cells: index in the notebook (0-based), source, and whether the cell is tagged "parameters" / "nbval-ignore-output". */
  codeCells: CodeCell[];
  /** Replaces a code cell's source (the parameters cell, with --param values). */
  setSource(index: number, source: string): void;
  /** The text outputs saved in the file for a cell (--check). */
  savedTexts(index: number): TextOutput[];
  setOutputs(index: number, outputs: Collected[], executionCount: number): void;
  /** The notebook-level metadata object (where the run ledger lives), changed in place. */
  metadata: Record<string, unknown>;
  clearOutputs(index: number): void;
  /** The notebook with its outputs, in its own format. */
  serialize(): string;
  /** The same as a Jupyter .ipynb (only .rnnb input converts; an .ipynb serializes as itself). */
  serializeIpynb(): string;
}

/** Item order within an output, as the extension shows them: ours, images, html, others, text/plain. */
function orderedMimes(bundle: MimeBundle): string[] {
  const rank = (m: string) => (m.startsWith("application/vnd.rnn-notebook.") ? 0 : m.startsWith("image/") ? 1 : m === "text/html" ? 2 : m === "text/plain" ? 4 : 3);
  return Object.keys(bundle).sort((a, b) => rank(a) - rank(b));
}

function rnnbNotebook(text: string): RunnableNotebook {
  const nb: RawNotebook = parseNotebook(text);
  return {
    codeCells: nb.cells.flatMap((c, index) => (c.kind === "code" ? [codeCell(index, c.source, c.metadata)] : [])),
    metadata: nb.metadata,
    setSource(index, source) {
      nb.cells[index].source = source;
    },
    savedTexts(index) {
      return nb.cells[index].outputs.flatMap((o): TextOutput[] => {
        const item = o.items.find((i) => i.mime === STDOUT_MIME || i.mime === STDERR_MIME) ?? o.items.find((i) => i.mime === "text/plain");
        if (!item || typeof item.data !== "string") return [];
        return [{ kind: item.mime === STDOUT_MIME ? "stdout" : item.mime === STDERR_MIME ? "stderr" : "text/plain", text: item.data }];
      });
    },
    setOutputs(index, outputs, executionCount) {
      nb.cells[index].executionCount = executionCount;
      nb.cells[index].outputs = outputs.map((o): RawOutput => {
        switch (o.kind) {
          case "stream":
            return { items: [{ mime: o.name === "stdout" ? STDOUT_MIME : STDERR_MIME, data: o.text }], extra: {} };
          case "error":
            return { items: [{ mime: ERROR_MIME, data: { name: o.name, message: o.message, stack: o.stack } }], extra: {} };
          default:
            return { items: orderedMimes(o.bundle).map((mime) => ({ mime, data: o.bundle[mime] as Json })), extra: {} };
        }
      });
    },
    clearOutputs(index) {
      nb.cells[index].outputs = [];
      delete nb.cells[index].executionCount;
    },
    serialize: () => serializeNotebook(nb),
    serializeIpynb: () => rnnbToIpynb(nb),
  };
}

const isOurLanguage = (l: string) => ["typescript", "javascript", "ts", "js"].includes(l.toLowerCase());

type IpynbCell = { cell_type?: unknown; source?: unknown; outputs?: unknown; execution_count?: unknown; metadata?: unknown };

/** nbformat's multiline string: a string or a list of strings. */
const joined = (v: unknown): string | undefined =>
  typeof v === "string" ? v : Array.isArray(v) && v.every((s) => typeof s === "string") ? v.join("") : undefined;

function ipynbNotebook(text: string): RunnableNotebook {
  let nb: { nbformat?: unknown; cells?: unknown };
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(`The file is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof nb !== "object" || nb === null || Array.isArray(nb)) throw new NotebookFormatError("an .ipynb file must hold a JSON object");
  if (nb.nbformat !== 4) throw new NotebookFormatError(`only nbformat 4 notebooks are supported (this one says nbformat ${JSON.stringify(nb.nbformat)})`);
  if (!Array.isArray(nb.cells)) throw new NotebookFormatError('"cells" must be an array');
  const cells = nb.cells as IpynbCell[];
  const meta = (nb as { metadata?: { kernelspec?: { language?: unknown }; language_info?: { name?: unknown } } }).metadata;
  const language = meta?.kernelspec?.language ?? meta?.language_info?.name;
  if (typeof language === "string" && !isOurLanguage(language)) {
    throw new NotebookFormatError(`this is a ${language} notebook; rnn-notebook runs TypeScript (or JavaScript) cells only`);
  }
  const codeCells: CodeCell[] = [];
  cells.forEach((c, index) => {
    if (typeof c !== "object" || c === null) throw new NotebookFormatError(`cell ${index + 1} must be a JSON object`);
    if (c.cell_type !== "code") return;
    // VS Code records a cell's own language here; cells in another language are not ours to run.
    const cellLanguage = (c as { metadata?: { vscode?: { languageId?: unknown } } }).metadata?.vscode?.languageId;
    if (typeof cellLanguage === "string" && !isOurLanguage(cellLanguage)) return;
    const src = c.source;
    const source = typeof src === "string" ? src : Array.isArray(src) && src.every((s) => typeof s === "string") ? src.join("") : undefined;
    if (source === undefined) throw new NotebookFormatError(`cell ${index + 1}: "source" must be a string or a list of strings`);
    codeCells.push(codeCell(index, source, c.metadata));
  });
  const root = nb as { metadata?: unknown };
  if (typeof root.metadata !== "object" || root.metadata === null || Array.isArray(root.metadata)) root.metadata = {};
  return {
    codeCells,
    metadata: root.metadata as Record<string, unknown>,
    setSource(index, source) {
      cells[index].source = source;
    },
    savedTexts(index) {
      const outputs = Array.isArray(cells[index].outputs) ? cells[index].outputs as { output_type?: unknown; name?: unknown; text?: unknown; data?: { "text/plain"?: unknown } }[] : [];
      return outputs.flatMap((o): TextOutput[] => {
        if (o.output_type === "stream") {
          const text = joined(o.text);
          return text === undefined ? [] : [{ kind: o.name === "stderr" ? "stderr" : "stdout", text }];
        }
        const text = joined(o.data?.["text/plain"]);
        return text === undefined ? [] : [{ kind: "text/plain", text }];
      });
    },
    setOutputs(index, outputs, executionCount) {
      cells[index].execution_count = executionCount;
      cells[index].outputs = outputs.map((o) => {
        switch (o.kind) {
          case "stream":
            return { output_type: "stream", name: o.name, text: o.text };
          case "error":
            return { output_type: "error", ename: o.name, evalue: o.message, traceback: o.stack.split("\n") };
          case "result":
            return { output_type: "execute_result", execution_count: executionCount, data: o.bundle, metadata: {} };
          default:
            return { output_type: "display_data", data: o.bundle, metadata: {} };
        }
      });
    },
    clearOutputs(index) {
      cells[index].outputs = [];
      cells[index].execution_count = null;
    },
    serialize: () => JSON.stringify(nb, null, 1) + "\n",
    serializeIpynb() {
      return this.serialize();
    },
  };
}

// ---------------------------------------------------------------------------------------------------

function plainText(bundle: MimeBundle): string | undefined {
  const t = bundle["text/plain"];
  return typeof t === "string" ? t : undefined;
}

/** A cell's outputs as --check compares them: streams and text/plain (rich items have it as fallback). */
function textOutputs(outputs: readonly Collected[]): TextOutput[] {
  return outputs.flatMap((o): TextOutput[] => {
    if (o.kind === "stream") return [{ kind: o.name, text: o.text }];
    if (o.kind === "error") return [];
    const t = plainText(o.bundle);
    return t === undefined ? [] : [{ kind: "text/plain", text: t }];
  });
}

/** "line 2:5" from the first cell frame of a stack, when there is one. */
function lineOf(stack: string, cell: number): string {
  const m = new RegExp(`cell${cell}\\.ts:(\\d+):(\\d+)`).exec(stack);
  return m ? ` at line ${m[1]}:${m[2]}` : "";
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ParameterError) {
      process.stderr.write(`rnn-notebook: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  const file = path.resolve(args.file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    process.stderr.write(`rnn-notebook: cannot read ${args.file}: ${(e as Error).message}\n`);
    return 2;
  }
  // --out's extension picks the written format: .ipynb → Jupyter (an .rnnb converts, as the export
  // command does), .rnnb → ours (from an .ipynb there is no lossless way back: refused before running).
  const inputIpynb = file.toLowerCase().endsWith(".ipynb");
  const outIpynb = args.out ? args.out.toLowerCase().endsWith(".ipynb") || (inputIpynb && !args.out.toLowerCase().endsWith(".rnnb")) : false;
  if (args.out && inputIpynb && !outIpynb) {
    process.stderr.write(`rnn-notebook: --out ${args.out}: an .ipynb notebook is written as .ipynb only (name the output file *.ipynb)\n${USAGE}\n`);
    return 2;
  }
  let nb: RunnableNotebook;
  try {
    nb = inputIpynb ? ipynbNotebook(text) : rnnbNotebook(text);
  } catch (e) {
    if (e instanceof NotebookFormatError) {
      process.stderr.write(`rnn-notebook: ${args.file} is not a valid notebook: ${e.message}\nNothing was run and no file was written.\n`);
      return 2;
    }
    throw e;
  }
  if (args.params.size > 0) {
    const cell = nb.codeCells.find((c) => c.parameters);
    try {
      if (!cell) throw new ParameterError(`--param: no code cell of ${args.file} is tagged "parameters" (add "tags": ["parameters"] to the cell's metadata)`);
      cell.source = applyParameters(cell.source, args.params);
      nb.setSource(cell.index, cell.source);
    } catch (e) {
      if (!(e instanceof ParameterError)) throw e;
      process.stderr.write(`rnn-notebook: ${e.message}\nNothing was run and no file was written.\n`);
      return 2;
    }
  }
  // --check compares with what the file holds now, before this run replaces it.
  const saved = new Map(nb.codeCells.map((c) => [c.index, nb.savedTexts(c.index)]));
  const cases: CellCase[] = [];
  const diffs: string[] = [];

  // The run ledger: the file's runs go to the kernel; this execution's are appended for --out. One
  // that cannot be used stays in the metadata exactly as it was read.
  const ledgerIn = ledgerState(nb.metadata);
  if (ledgerIn.state === "unusable") process.stderr.write(`rnn-notebook: ${unusableLedgerMessage(ledgerIn.error)}\n`);

  // Whatever the kernel process prints outside the protocol goes straight to this process's streams,
  // as do messages of callbacks that outlived their cell; neither belongs to a cell's outputs.
  const kernel = new KernelClient({
    kernelPath: path.join(__dirname, "kernel.js"), cwd: path.dirname(file), graceMs: TIMEOUT_GRACE_MS, afterDeath: "stop",
    rawOutput: (name, text) => (name === "stdout" ? process.stdout : process.stderr).write(text),
    ledger: () => ledgerForKernel(ledgerState(nb.metadata)),
  });
  kernel.events.on("background", (_name: string, text: string) => process.stderr.write(text));
  kernel.events.on("run", (record: RunRecord) => {
    const next = ledgerWithRun(ledgerState(nb.metadata), record);
    if (next.ok) nb.metadata[LEDGER_KEY] = next.ledger;
  });
  let exitCode = 0;
  let executionCount = 0;
  try {
    await kernel.start();
    let failed = false;
    for (const { index, source, ignoreOutput } of nb.codeCells) {
      const cell = index + 1;
      const title = source.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "(empty)";
      if (failed) {
        nb.clearOutputs(index);
        cases.push({ cell, title, seconds: 0, status: "skipped", message: "not run: an earlier cell failed" });
        continue;
      }
      const started = Date.now();
      const outputs: Collected[] = [];
      const byDisplayId = new Map<string, number>();
      const collect = (c: Collected) => {
        if (c.kind === "stream") {
          (c.name === "stdout" ? process.stdout : process.stderr).write(c.text);
          const last = outputs[outputs.length - 1];
          if (last?.kind === "stream" && last.name === c.name) last.text += c.text;
          else outputs.push({ ...c });
        } else if (c.kind === "display" && c.displayId !== undefined) {
          // Updated in place (live training output): keep the latest version, print it at the end.
          const at = byDisplayId.get(c.displayId);
          if (at === undefined) {
            byDisplayId.set(c.displayId, outputs.length);
            outputs.push(c);
          } else {
            outputs[at] = c;
          }
        } else {
          outputs.push(c);
          // An error's stack is printed once the cell ended: a death's error is said differently.
          if (c.kind !== "error") {
            const t = plainText(c.bundle);
            if (t !== undefined) process.stdout.write(t + "\n");
          }
        }
      };
      const sink: CellSink = {
        stream: (name, text) => collect({ kind: "stream", name, text }),
        display: (bundle, displayId) => collect({ kind: "display", bundle, displayId }),
        result: (bundle) => collect({ kind: "result", bundle }),
        error: (name, message, stack) => collect({ kind: "error", name, message, stack }),
      };
      // --timeout: interrupt the cell; the client kills a kernel that does not stop within its grace.
      let timedOut = false;
      const timer = args.timeoutSeconds === undefined ? undefined : setTimeout(() => {
        timedOut = true;
        kernel.interrupt();
      }, args.timeoutSeconds * 1000);
      const status = await kernel.execute(source, cell, `cell${cell}.ts`, sink);
      clearTimeout(timer);
      // A kernel that died while a timed-out cell was being stopped has timed out, not died.
      if (timedOut && status === "crashed") outputs.pop();
      const err = outputs.find((o): o is Extract<Collected, { kind: "error" }> => o.kind === "error");
      if (err && status !== "crashed") process.stderr.write(`${err.stack}\n`);
      for (const o of outputs) {
        if (o.kind === "display" && o.displayId !== undefined) {
          const t = plainText(o.bundle);
          if (t !== undefined) process.stdout.write(t + "\n");
        }
      }
      executionCount++;
      if (timedOut) {
        const why = `Cell ${cell} exceeded the timeout of ${args.timeoutSeconds} s and was stopped.`;
        outputs.push({ kind: "stream", name: "stderr", text: why + "\n" });
        process.stderr.write(`rnn-notebook: ${why}\n`);
        exitCode = 124;
      } else if (status === "crashed") {
        // The client's KernelDied error says "Cell N failed: <why the kernel process died>."
        process.stderr.write(`rnn-notebook: ${err?.message}\n`);
        exitCode = 1;
      } else if (status === "error" || status === "interrupted" || status === "stopped") {
        const why = err ? `Cell ${cell} failed${lineOf(err.stack, cell)}: ${err.name}: ${err.message}` : `Cell ${cell} was interrupted.`;
        process.stderr.write(`rnn-notebook: ${why}\n`);
        exitCode = 1;
      }
      const streamText = (name: "stdout" | "stderr") => outputs.map((o) => (o.kind === "stream" && o.name === name ? o.text : "")).join("");
      const failure = exitCode === 0 ? undefined : timedOut
        ? { message: `exceeded the timeout of ${args.timeoutSeconds} s`, details: "" }
        : err ? { message: `${err.name}: ${err.message}${lineOf(err.stack, cell)}`, details: err.stack } : { message: `Cell ${cell} was interrupted.`, details: "" };
      cases.push({ cell, title, seconds: (Date.now() - started) / 1000, status: failure ? "failed" : "passed", ...failure, stdout: streamText("stdout"), stderr: streamText("stderr") });
      if (args.check && !failure && !ignoreOutput) diffs.push(...diffOutputs(cell, saved.get(index) ?? [], textOutputs(outputs), args.rtol));
      nb.setOutputs(index, outputs, executionCount);
      if (exitCode !== 0) failed = true;
      if (timedOut || status === "crashed") kernel.dispose();
    }
  } finally {
    await kernel.shutdown();
  }
  if (args.junit) {
    try {
      writeAtomic(path.resolve(args.junit), junitXml(path.basename(file), cases));
    } catch (e) {
      process.stderr.write(`rnn-notebook: cannot write ${args.junit}: ${(e as Error).message}\n`);
      exitCode = exitCode || 2;
    }
  }
  if (diffs.length > 0) {
    process.stderr.write(`rnn-notebook: --check: the outputs differ from the saved ones (rtol ${args.rtol}):\n${diffs.join("\n")}\n`);
    exitCode = exitCode || 1;
  } else if (args.check && exitCode === 0) {
    process.stderr.write(`rnn-notebook: --check: every output matches the saved one (rtol ${args.rtol}).\n`);
  }
  if (args.out) {
    try {
      writeAtomic(path.resolve(args.out), outIpynb ? nb.serializeIpynb() : nb.serialize());
    } catch (e) {
      process.stderr.write(`rnn-notebook: cannot write ${args.out}: ${(e as Error).message}\n`);
      return exitCode || 2;
    }
  }
  if (exitCode === 0) process.stderr.write(`rnn-notebook: ${nb.codeCells.length} code cell${nb.codeCells.length === 1 ? "" : "s"} ran without error.\n`);
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`rnn-notebook: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
