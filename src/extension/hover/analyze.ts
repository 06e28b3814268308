/**
 * Static analysis of a cell's source for the parameter-count hover: finds the layer calls
 * (`rnn.lstm({ units: 16 })`, `rnn.nn.LSTM({ inputSize: 28, hiddenSize: 256 })`, `rnn.nn.Linear(256, 10)`),
 * works out each layer's input size by following `rnn.sequential({ inputShape }, [ … ])` in order,
 * and counts its parameters with the engine's one counting function. Pure (no vscode): unit-tested
 * in plain Node. Only literal options are understood; anything computed is reported as unknown.
 */
import ts from "typescript";
import { paramCount } from "../../engine/params";
import type { SummaryPayload, SummaryRow } from "../../shared/payloads";

/** Shape without the batch dimension; null where it cannot be known statically. */
type Shape = (number | null)[];

export interface LayerSite {
  /** Offsets of the callee (e.g. `rnn.lstm`) — where a hover applies. */
  start: number;
  end: number;
  /** Factory as written after `rnn.`: "lstm", "nn.LSTM", "bidirectional", … */
  factory: string;
  /** Variable the enclosing sequential model is assigned to, and the layer's index in it. */
  model?: string;
  index?: number;
  inputShape?: Shape;
  outputShape?: Shape;
  /** Count, or why it could not be counted. */
  count?: ReturnType<typeof paramCount>;
  /** The same layer counted in the other convention (Keras one bias ⇄ PyTorch two). */
  other?: ReturnType<typeof paramCount>;
  problem?: string;
}

const RECURRENT: Record<string, string> = { simpleRNN: "SimpleRNN", lstm: "LSTM", gru: "GRU" };
const KERAS_TYPES: Record<string, string> = {
  ...RECURRENT, dense: "Dense", embedding: "Embedding", dropout: "Dropout", flatten: "Flatten",
  timeDistributed: "TimeDistributed", bidirectional: "Bidirectional",
};

/** Keras type name of a factory (for display): "lstm" → "LSTM". */
export function kerasType(factory: string): string {
  return KERAS_TYPES[factory] ?? factory;
}

/**
 * Every layer call in a source text, with its count when the shapes are known and the count is an
 * exact integer. Never throws for pathological text: nesting deep enough to overflow the stack (TypeScript's parser and this walk are
 * recursive) gives no sites, so one such cell cannot break hovers or the summary command.
 */
export function analyzeSource(text: string): LayerSite[] {
  try {
    // Literal sizes like 1e308 count to Infinity (or past exact integers): no count rather than a wrong one.
    const exact = (c: LayerSite["count"]) => c === undefined || Number.isSafeInteger(c.total);
    return analyze(text).map((s) => (exact(s.count) && exact(s.other) ? s
      : { ...s, count: undefined, other: undefined, problem: "the sizes are too large to count exactly" }));
  } catch (e) {
    if (e instanceof RangeError) return []; // Maximum call stack size exceeded
    throw e;
  }
}

function analyze(text: string): LayerSite[] {
  const sf = ts.createSourceFile("cell.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const sites: LayerSite[] = [];
  const inSequential = new Set<ts.Node>();

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = factoryName(node.expression);
      if (name === "sequential") {
        analyzeSequential(node, sites, inSequential);
      } else if (name && !inSequential.has(node)) {
        const site = standalone(node, name);
        if (site) sites.push(site);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sites.sort((a, b) => a.start - b.start);
}

/** `rnn.lstm` → "lstm", `rnn.nn.LSTM` → "nn.LSTM"; anything else → undefined. */
function factoryName(e: ts.Expression): string | undefined {
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  const parts: string[] = [e.name.text];
  let obj = e.expression;
  while (ts.isPropertyAccessExpression(obj)) {
    parts.unshift(obj.name.text);
    obj = obj.expression;
  }
  if (!ts.isIdentifier(obj) || obj.text !== "rnn") return undefined;
  return parts.join(".");
}

/** Evaluates a literal expression (numbers, strings, booleans, arrays, objects, null); else undefined. */
function literal(e: ts.Expression | undefined): unknown {
  if (!e) return undefined;
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) return literal(e.expression);
  if (ts.isNumericLiteral(e)) return Number(e.text.replace(/_/g, ""));
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = literal(e.operand);
    return typeof v === "number" ? -v : undefined;
  }
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(e)) return e.elements.map((x) => literal(x));
  if (ts.isObjectLiteralExpression(e)) {
    const o: Record<string, unknown> = {};
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) o[p.name.text] = literal(p.initializer);
      else if (ts.isShorthandPropertyAssignment(p)) o[p.name.text] = undefined;
    }
    return o;
  }
  return undefined;
}

function options(call: ts.CallExpression): Record<string, unknown> {
  const v = literal(call.arguments[0]);
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function assignedName(call: ts.CallExpression): string | undefined {
  let n: ts.Node = call;
  while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) return p.left.text;
  return undefined;
}

function site(call: ts.CallExpression, factory: string): LayerSite {
  return { start: call.expression.getStart(), end: call.expression.getEnd(), factory };
}

function analyzeSequential(call: ts.CallExpression, sites: LayerSite[], inSequential: Set<ts.Node>): void {
  const opts = options(call);
  const list = call.arguments[1];
  if (!list || !ts.isArrayLiteralExpression(list)) return;
  const model = assignedName(call);
  const given = opts.inputShape;
  let shape: Shape | undefined = Array.isArray(given) ? given.map((d) => (typeof d === "number" ? d : null)) : undefined;
  list.elements.forEach((el, index) => {
    if (!ts.isCallExpression(el)) {
      shape = undefined;
      return;
    }
    const name = factoryName(el.expression);
    if (!name) {
      shape = undefined;
      return;
    }
    inSequential.add(el);
    // The wrapped layer of bidirectional/timeDistributed is part of this site, not its own.
    const inner = el.arguments[0];
    if (inner && ts.isCallExpression(inner)) inSequential.add(inner);
    const s: LayerSite = { ...site(el, name), model, index, inputShape: shape };
    const result = kerasLayer(name, el, shape);
    Object.assign(s, result);
    shape = result.outputShape;
    sites.push(s);
  });
}

type Outcome = Pick<LayerSite, "count" | "other" | "outputShape" | "problem">;

/** Counts a Keras-family layer given its input shape (no batch dim) and works out its output shape. */
function kerasLayer(name: string, call: ts.CallExpression, input: Shape | undefined): Outcome {
  const last = input?.[input.length - 1];
  const known = typeof last === "number";
  const opts = options(call);
  try {
    switch (name) {
      case "simpleRNN":
      case "lstm":
      case "gru": {
        const units = opts.units;
        if (typeof units !== "number") return { problem: "`units` is not a literal number" };
        const outputShape = opts.returnSequences ? [input?.[0] ?? null, units] : [units];
        if (!known) return { outputShape, problem: "the input size is not known statically" };
        return { outputShape, count: paramCount({ type: name, ...opts }, last, "keras"), other: paramCount({ type: name, ...opts }, last, "torch") };
      }
      case "bidirectional": {
        const inner = call.arguments[0];
        if (!inner || !ts.isCallExpression(inner)) return { problem: "the wrapped layer is not a literal call" };
        const innerName = factoryName(inner.expression) ?? "";
        const r = kerasLayer(innerName, inner, input);
        const out = r.outputShape?.slice();
        if (out && typeof out[out.length - 1] === "number") out[out.length - 1] = (out[out.length - 1] as number) * 2;
        if (!r.count) return { outputShape: out, problem: r.problem };
        return { outputShape: out, count: paramCount({ type: "bidirectional", layer: { type: innerName, ...options(inner) } }, last as number, "keras") };
      }
      case "timeDistributed": {
        const inner = call.arguments[0];
        if (!inner || !ts.isCallExpression(inner)) return { problem: "the wrapped layer is not a literal call" };
        const r = kerasLayer(factoryName(inner.expression) ?? "", inner, input?.slice(1));
        return { ...r, outputShape: r.outputShape ? [input?.[0] ?? null, ...r.outputShape] : undefined };
      }
      case "dense": {
        const units = opts.units;
        if (typeof units !== "number") return { problem: "`units` is not a literal number" };
        const outputShape = input ? [...input.slice(0, -1), units] : undefined;
        if (!known) return { outputShape, problem: "the input size is not known statically" };
        return { outputShape, count: paramCount({ type: "dense", ...opts }, last, "keras") };
      }
      case "embedding": {
        const outputShape = [input?.[0] ?? null, typeof opts.outputDim === "number" ? opts.outputDim : null];
        return { outputShape, count: paramCount({ type: "embedding", ...opts }, 0, "keras") };
      }
      case "dropout":
        return { outputShape: input, count: paramCount({ type: "dropout", ...opts }, known ? last : 0, "keras") };
      case "flatten": {
        const size = input && input.every((d) => typeof d === "number") ? (input as number[]).reduce((a, b) => a * b, 1) : null;
        return { outputShape: [size], count: paramCount({ type: "flatten" }, known ? last : 0, "keras") };
      }
      default:
        return { problem: `rnn.${name} is not a layer this hover knows` };
    }
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

/** A layer call outside a sequential: PyTorch-family modules carry their own sizes. */
function standalone(call: ts.CallExpression, name: string): LayerSite | undefined {
  const s = site(call, name);
  try {
    if (name === "nn.RNN" || name === "nn.LSTM" || name === "nn.GRU") {
      const opts = options(call);
      if (typeof opts.inputSize !== "number" || typeof opts.hiddenSize !== "number") {
        return { ...s, problem: "`inputSize` and `hiddenSize` must be literal numbers" };
      }
      const config = { type: name, ...opts };
      return { ...s, count: paramCount(config, opts.inputSize, "torch"), other: paramCount(config, opts.inputSize, "keras") };
    }
    if (name === "nn.Linear" || name === "nn.Embedding") {
      const [a, b] = call.arguments.map((x) => literal(x));
      if (typeof a !== "number" || typeof b !== "number") return { ...s, problem: "sizes must be literal numbers" };
      const config = name === "nn.Linear" ? { type: name, inFeatures: a, outFeatures: b } : { type: name, numEmbeddings: a, embeddingDim: b };
      return { ...s, count: paramCount(config, a, "torch") };
    }
    if (name in RECURRENT || name === "dense") {
      return { ...s, problem: "its input size is set by the model it is added to (count shown inside rnn.sequential)" };
    }
  } catch (e) {
    return { ...s, problem: e instanceof Error ? e.message : String(e) };
  }
  return undefined;
}

const KERAS_NAMES: Record<string, string> = {
  simpleRNN: "simple_rnn", lstm: "lstm", gru: "gru", dense: "dense", embedding: "embedding", dropout: "dropout",
  flatten: "flatten", timeDistributed: "time_distributed", bidirectional: "bidirectional",
};

/**
 * Summaries of every `rnn.sequential` model in a source text, counted statically, in both conventions
 * (rows in the same order). Layers are auto-named as Keras does (`simple_rnn`, `simple_rnn_1`, …).
 */
export function staticSummaries(text: string): Map<string, { keras: SummaryPayload; torch: SummaryPayload }> {
  const byModel = new Map<string, LayerSite[]>();
  for (const s of analyzeSource(text)) {
    if (s.index === undefined) continue;
    const key = s.model ?? "model";
    byModel.set(key, [...(byModel.get(key) ?? []), s]);
  }
  const out = new Map<string, { keras: SummaryPayload; torch: SummaryPayload }>();
  for (const [name, sites] of byModel) {
    const seen = new Map<string, number>();
    const rows = (convention: "keras" | "torch"): SummaryRow[] => sites.map((s) => {
      const base = KERAS_NAMES[s.factory] ?? s.factory;
      const k = seen.get(base) ?? 0;
      if (convention === "keras") seen.set(base, k + 1);
      const c = convention === "keras" ? s.count : s.other ?? s.count;
      return {
        name: k === 0 ? base : `${base}_${k}`, type: kerasType(s.factory), outputShape: [null, ...(s.outputShape ?? [])],
        params: c?.total ?? 0, breakdown: c?.tensors ?? [], formula: c?.formula ?? s.problem,
      };
    });
    const make = (convention: "keras" | "torch", layers: SummaryRow[]): SummaryPayload => {
      const total = layers.reduce((a, l) => a + l.params, 0);
      return { name, convention, layers, totalParams: total, trainableParams: total, nonTrainableParams: 0 };
    };
    const keras = make("keras", rows("keras"));
    seen.clear();
    const torchRows = rows("torch").map((r, i) => ({ ...r, name: keras.layers[i].name }));
    out.set(name, { keras, torch: make("torch", torchRows) });
  }
  return out;
}
