/**
 * Static analysis of a cell's source for the parameter-count hover: finds the layer calls
 * (`rnn.lstm({ units: 16 })`, `rnn.nn.LSTM({ inputSize: 28, hiddenSize: 256 })`, `rnn.nn.Linear(256, 10)`),
 * works out each layer's input size by following `rnn.sequential({ inputShape }, [ … ])` in order,
 * and counts its parameters with the engine's one counting function. Output shapes, names and counting
 * rules come from the engine's layer table (engine/layerFacts.ts): this file only reads the source.
 * Pure (no vscode): unit-tested in plain Node. Only literal options are understood; anything computed
 * is reported as unknown.
 */
import ts from "typescript";
import { LAYER_FACTS, type LayerFacts } from "../../engine/layerFacts";
import { paramCount } from "../../engine/params";
import type { LayerConfig } from "../../engine/paramMath";
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

/** The engine's facts of a layer type as written after `rnn.` ("lstm", "nn.LSTM"), if it is one. */
function factsOf(factory: string): LayerFacts | undefined {
  return Object.prototype.hasOwnProperty.call(LAYER_FACTS, factory) ? LAYER_FACTS[factory] : undefined;
}

/** Keras type name of a factory (for display): "lstm" → "LSTM". */
export function kerasType(factory: string): string {
  return factsOf(factory)?.className ?? factory;
}

/** Constants a cell can see: `const` bindings of earlier cells (and of itself, above the use) with values known statically. */
export type ConstScope = ReadonlyMap<string, unknown>;

/**
 * The constants of the analysis under way (set by `analyze` and `cellConstants` for the duration of
 * one synchronous pass), so the expression evaluator can resolve `units: H` or `inputShape: [T, V]`.
 */
let scope: Map<string, unknown> = new Map();

/**
 * Every layer call in a source text, with its count when the shapes are known and the count is an
 * exact integer. `consts` are the constants of earlier cells (see cellConstants); the cell's own
 * top-level `const`s are added as they are declared. Never throws for pathological text: nesting deep
 * enough to overflow the stack (TypeScript's parser and this walk are recursive) gives no sites, so one
 * such cell cannot break hovers or the summary command.
 */
export function analyzeSource(text: string, consts: ConstScope = new Map()): LayerSite[] {
  try {
    // Literal sizes like 1e308 count to Infinity (or past exact integers): no count rather than a wrong one.
    const exact = (c: LayerSite["count"]) => c === undefined || Number.isSafeInteger(c.total);
    return analyze(text, consts).map((s) => (exact(s.count) && exact(s.other) ? s
      : { ...s, count: undefined, other: undefined, problem: "the sizes are too large to count exactly" }));
  } catch (e) {
    if (e instanceof RangeError) return []; // Maximum call stack size exceeded
    throw e;
  } finally {
    scope = new Map();
  }
}

/**
 * The constants visible after a cell ran: `consts` plus the cell's top-level `const` bindings whose
 * values are known statically (numbers, strings, arrays and objects of them, arithmetic on known
 * constants: `const T = 20; const H = 2 * T;`). A binding whose value is not known (`const vocab =
 * rnn.text.charVocab(text)`) shadows an earlier one as unknown. The kernel makes top-level bindings
 * visible to later cells, so chaining this over the cells in order gives what each cell sees.
 */
export function cellConstants(text: string, consts: ConstScope = new Map()): ConstScope {
  try {
    scope = new Map(consts);
    const sf = ts.createSourceFile("cell.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    for (const st of sf.statements) declareConstants(st);
    return scope;
  } catch (e) {
    if (e instanceof RangeError) return consts;
    throw e;
  } finally {
    scope = new Map();
  }
}

/** Adds a top-level `const` statement's bindings to the scope (unknown values shadow as undefined). */
function declareConstants(st: ts.Statement): void {
  if (!ts.isVariableStatement(st)) return;
  const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
  for (const d of st.declarationList.declarations) {
    if (!ts.isIdentifier(d.name)) continue;
    // A `let` may be reassigned later: known only as unknown.
    scope.set(d.name.text, isConst ? literal(d.initializer) : undefined);
  }
}

function analyze(text: string, consts: ConstScope): LayerSite[] {
  scope = new Map(consts);
  const sf = ts.createSourceFile("cell.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const sites: LayerSite[] = [];
  const inSequential = new Set<ts.Node>();
  const graph = new FunctionalAnalysis(sites, inSequential);

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = factoryName(node.expression);
      if (name === "sequential") {
        analyzeSequential(node, sites, inSequential);
      } else if (isApply(node)) {
        graph.shapeOf(node);
      } else if (name === "model") {
        graph.model(node);
      } else if (name && !inSequential.has(node)) {
        const site = standalone(node, name);
        if (site) sites.push(site);
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const st of sf.statements) {
    graph.declare(st); // layer variables and symbolic tensors bound by this statement (functional API)
    visit(st);
    declareConstants(st); // a constant is visible to the statements after its declaration
  }
  return sites.sort((a, b) => a.start - b.start);
}

/** `<layer>.apply(…)`: a Keras functional call. */
function isApply(call: ts.CallExpression): boolean {
  return ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === "apply";
}

/**
 * What a symbolic expression is known to be: one tensor's per-sample shape, or several (returnState),
 * with the layer sites it was computed through (for the model's static summary).
 */
type Symbolic = ({ shape: Shape } | { list: Shape[] }) & { deps: Set<LayerSite> };

/**
 * The functional API read from source: `const x = rnn.input({ shape: [T, F] })`, layer variables
 * (`const enc = rnn.lstm({ units: 16, returnState: true })`) and `layer.apply(x | [a, b], { initialState })`,
 * destructured results (`const [out, h, c] = enc.apply(x)`). Each layer is counted at its first call
 * with the shape of its input, through the engine's layer table (outputShape / mergeShape) — like a
 * layer inside rnn.sequential. Tensors whose shape is not known leave their layers uncounted.
 */
class FunctionalAnalysis {
  private readonly tensors = new Map<string, Symbolic | undefined>();
  private readonly layers = new Map<string, ts.CallExpression>();
  private readonly done = new Map<ts.CallExpression, Symbolic | undefined>();
  private readonly counted = new Map<ts.CallExpression, LayerSite>();

  constructor(private readonly sites: LayerSite[], private readonly claimed: Set<ts.Node>) {}

  /** Binds the variables of a top-level statement (`const`/`let`, plain or array destructuring). */
  declare(st: ts.Statement): void {
    if (!ts.isVariableStatement(st)) return;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer && unwrap(d.initializer);
      if (!init) continue;
      if (ts.isIdentifier(d.name) && ts.isCallExpression(init) && factoryName(init.expression) && factsOf(factoryName(init.expression)!)?.family === "keras") {
        this.layers.set(d.name.text, init);
        this.claimed.add(init); // counted where it is applied, not as a standalone call
        continue;
      }
      const value = this.evaluate(init);
      if (ts.isIdentifier(d.name)) this.tensors.set(d.name.text, value);
      else if (ts.isArrayBindingPattern(d.name)) {
        d.name.elements.forEach((el, i) => {
          if (ts.isBindingElement(el) && ts.isIdentifier(el.name)) {
            this.tensors.set(el.name.text, value && "list" in value && value.list[i] ? { shape: value.list[i], deps: value.deps } : undefined);
          }
        });
      }
    }
  }

  /** A symbolic value: rnn.input, an identifier bound to one, a `.apply` call; undefined if unknown or not symbolic. */
  private evaluate(e: ts.Expression): Symbolic | undefined {
    const x = unwrap(e);
    if (ts.isIdentifier(x)) return this.tensors.get(x.text);
    if (!ts.isCallExpression(x)) return undefined;
    if (factoryName(x.expression) === "input") {
      const shape = optionsAt(x, 0).shape;
      return Array.isArray(shape) ? { shape: shape.map((d) => (typeof d === "number" ? d : null)), deps: new Set() } : undefined;
    }
    return isApply(x) ? this.shapeOf(x) : undefined;
  }

  /** The outputs of `layer.apply(inputs, options)`, recording the layer's site at its first call. */
  shapeOf(call: ts.CallExpression): Symbolic | undefined {
    if (this.done.has(call)) return this.done.get(call);
    this.done.set(call, undefined);
    const receiver = unwrap((call.expression as ts.PropertyAccessExpression).expression);
    const layerCall = ts.isIdentifier(receiver) ? this.layers.get(receiver.text) : ts.isCallExpression(receiver) ? receiver : undefined;
    const name = layerCall && factoryName(layerCall.expression);
    const facts = name ? factsOf(name) : undefined;
    if (!layerCall || !name || !facts || facts.family !== "keras") return undefined;
    this.claimed.add(layerCall);
    const arg = call.arguments[0] && unwrap(call.arguments[0]);
    const deps = new Set<LayerSite>();
    const inputs: (Shape | undefined)[] = arg && ts.isArrayLiteralExpression(arg)
      ? arg.elements.map((el) => this.single(el, deps)) : [arg ? this.single(arg, deps) : undefined];
    for (const st of optionsNode(call, "initialState")) this.single(st, deps);
    const config = callConfig(name, layerCall);
    let outputs: Shape[] | undefined;
    let outcome: Outcome;
    try {
      if (inputs.some((s) => s === undefined)) throw new Error("its input's shape is not known from the source");
      const known = inputs as Shape[];
      const main = facts.mergeShape ? facts.mergeShape(config, known) : facts.outputShape!(config, known[0]);
      const extra: Shape[] = [];
      if (facts.cell && config.returnState) for (let k = 0; k < (facts.cell === "lstm" ? 2 : 1); k++) extra.push([typeof config.units === "number" ? config.units : null]);
      const opts = optionsAt(call, 1);
      if ((name === "attention" || name === "additiveAttention") && opts.returnAttentionScores) extra.push([known[0][0], known[1][0]]);
      outputs = [main, ...extra];
      outcome = this.count(name, config, known[0]);
      outcome.outputShape = main;
    } catch (e) {
      outcome = { problem: e instanceof Error ? e.message : String(e) };
    }
    let own = this.counted.get(layerCall);
    if (!own) {
      own = { ...site(layerCall, name), inputShape: inputs[0], ...outcome };
      this.counted.set(layerCall, own);
      this.sites.push(own);
    }
    deps.add(own);
    const result = outputs ? (outputs.length === 1 ? { shape: outputs[0], deps } : { list: outputs, deps }) : undefined;
    this.done.set(call, result);
    return result;
  }

  private single(e: ts.Expression, deps: Set<LayerSite>): Shape | undefined {
    const v = this.evaluate(e);
    for (const d of v?.deps ?? []) deps.add(d);
    return v && "shape" in v ? v.shape : undefined;
  }

  /**
   * `const m = rnn.model({ inputs, outputs })`: the layers its outputs were computed through become the
   * model's rows for the static summary, as a sequential's layers are, in the order they were first
   * called (inner calls first: a graph order).
   */
  model(call: ts.CallExpression): void {
    const name = assignedName(call);
    if (!name) return;
    const deps = new Set<LayerSite>();
    for (const out of optionsNode(call, "outputs", 0)) this.single(out, deps);
    [...deps].sort((a, b) => this.sites.indexOf(a) - this.sites.indexOf(b)).forEach((s, index) => {
      if (s.model === undefined) Object.assign(s, { model: name, index });
    });
  }

  private count(name: string, config: LayerConfig, input: Shape): Outcome {
    const facts = factsOf(name)!;
    const missing = unknownSize(config);
    if (missing) return { problem: `\`${missing}\` is not known from the source` };
    const last = input[input.length - 1];
    if (facts.sizedByModel && typeof last !== "number") return { problem: "its input size is not known from the source" };
    const inputSize = typeof last === "number" ? last : 0;
    return { count: paramCount(config, inputSize, "keras"), other: paramCount(config, inputSize, "torch") };
  }
}

/**
 * The expressions of an option of a call written as an object literal (`{ outputs: [a, b] }` → a, b;
 * `{ outputs: out }` → out); `arg` picks the argument (default 1: `apply(x, { initialState })`).
 */
function optionsNode(call: ts.CallExpression, key: string, arg = 1): ts.Expression[] {
  const o = call.arguments[arg] && unwrap(call.arguments[arg]);
  if (!o || !ts.isObjectLiteralExpression(o)) return [];
  for (const p of o.properties) {
    const value = ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === key ? p.initializer
      : ts.isShorthandPropertyAssignment(p) && p.name.text === key ? p.name : undefined;
    if (!value) continue;
    const v = unwrap(value);
    return ts.isArrayLiteralExpression(v) ? v.elements.slice() : [v];
  }
  return [];
}

/** Strips parentheses, `as`, `!` and `await` around an expression. */
function unwrap(e: ts.Expression): ts.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x) || ts.isAwaitExpression(x) || ts.isSatisfiesExpression(x)) x = x.expression;
  return x;
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

/** Arithmetic a size may be written with (`2 * H`, `T + 1`, `V ** 2`): numbers only, finite results only. */
const ARITHMETIC: Partial<Record<ts.SyntaxKind, (a: number, b: number) => number>> = {
  [ts.SyntaxKind.PlusToken]: (a, b) => a + b,
  [ts.SyntaxKind.MinusToken]: (a, b) => a - b,
  [ts.SyntaxKind.AsteriskToken]: (a, b) => a * b,
  [ts.SyntaxKind.SlashToken]: (a, b) => a / b,
  [ts.SyntaxKind.PercentToken]: (a, b) => a % b,
  [ts.SyntaxKind.AsteriskAsteriskToken]: (a, b) => a ** b,
};

/** `Math.floor(T / 2)` and friends: pure functions of numbers a size is sometimes computed with. */
const MATH: Record<string, (...xs: number[]) => number> = {
  floor: Math.floor, ceil: Math.ceil, round: Math.round, trunc: Math.trunc, max: Math.max, min: Math.min, abs: Math.abs,
};

/**
 * Evaluates what can be known without running the cell: literals (numbers, strings, booleans, arrays,
 * objects, null), constants in scope, their fields (`cfg.units`, `shape[0]`, `arr.length`), arithmetic on
 * numbers and a few Math functions. Anything else (a call into rnn, a variable of unknown value) is
 * undefined, never a guess.
 */
function literal(e: ts.Expression | undefined): unknown {
  if (!e) return undefined;
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) return literal(e.expression);
  if (ts.isNumericLiteral(e)) return Number(e.text.replace(/_/g, ""));
  if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) {
    const v = literal(e.operand);
    return typeof v === "number" ? (e.operator === ts.SyntaxKind.MinusToken ? -v : v) : undefined;
  }
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isIdentifier(e)) return scope.get(e.text);
  if (ts.isArrayLiteralExpression(e)) return e.elements.map((x) => literal(x));
  if (ts.isObjectLiteralExpression(e)) {
    const o: Record<string, unknown> = {};
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) o[p.name.text] = literal(p.initializer);
      else if (ts.isShorthandPropertyAssignment(p)) o[p.name.text] = scope.get(p.name.text);
    }
    return o;
  }
  if (ts.isPropertyAccessExpression(e)) return field(literal(e.expression), e.name.text);
  if (ts.isElementAccessExpression(e)) {
    const key = literal(e.argumentExpression);
    return typeof key === "number" || typeof key === "string" ? field(literal(e.expression), String(key)) : undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const op = ARITHMETIC[e.operatorToken.kind];
    const a = literal(e.left);
    const b = literal(e.right);
    const v = op && typeof a === "number" && typeof b === "number" ? op(a, b) : undefined;
    return v !== undefined && Number.isFinite(v) ? v : undefined;
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression)
      && e.expression.expression.text === "Math" && !scope.has("Math") && Object.hasOwn(MATH, e.expression.name.text)) {
    const args = e.arguments.map((a) => literal(a));
    return args.every((a): a is number => typeof a === "number") ? MATH[e.expression.name.text](...args) : undefined;
  }
  return undefined;
}

/** An own field of a known object or array (`length` of an array), else undefined. */
function field(obj: unknown, key: string): unknown {
  if (Array.isArray(obj)) return key === "length" ? obj.length : /^\d+$/.test(key) ? obj[Number(key)] : undefined;
  if (obj && typeof obj === "object" && Object.hasOwn(obj, key)) return (obj as Record<string, unknown>)[key];
  return undefined;
}

function options(call: ts.CallExpression): Record<string, unknown> {
  return optionsAt(call, 0);
}

function optionsAt(call: ts.CallExpression, index: number): Record<string, unknown> {
  const v = literal(call.arguments[index]);
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

/** The call's options as the engine's layer config: `{ type, …literal options }`, a wrapper's `layer` likewise. */
function callConfig(factory: string, call: ts.CallExpression): LayerConfig {
  const config: LayerConfig = { type: factory, ...options(call) };
  if (factsOf(factory)?.wrapper) {
    const inner = call.arguments[0];
    config.layer = inner && ts.isCallExpression(inner) ? callConfig(factoryName(inner.expression) ?? "", inner) : undefined;
    Object.assign(config, optionsAt(call, 1));
  }
  return config;
}

/** The first size option of a config (its own, or its wrapped layer's) that is not known statically. */
function unknownSize(config: LayerConfig): string | undefined {
  const facts = factsOf(config.type);
  const own = facts?.sizes.find((k) => typeof config[k] !== "number");
  if (own) return own;
  const inner = config.layer as LayerConfig | undefined;
  return facts?.wrapper && inner ? unknownSize(inner) : undefined;
}

/** Counts a Keras-family layer given its input shape (no batch dim) and works out its output shape, all through the layer table. */
function kerasLayer(name: string, call: ts.CallExpression, input: Shape | undefined): Outcome {
  const facts = factsOf(name);
  if (!facts || facts.family !== "keras" || !facts.outputShape) return { problem: `rnn.${name} is not a layer this hover knows` };
  const config = callConfig(name, call);
  if (facts.wrapper && !(config.layer && factsOf((config.layer as LayerConfig).type))) return { problem: "the wrapped layer is not a literal call" };
  try {
    const outputShape = input ? facts.outputShape(config, input) : undefined;
    const missing = unknownSize(config);
    if (missing) return { outputShape, problem: `\`${missing}\` is not known from the source` };
    const last = input?.[input.length - 1];
    if (facts.sizedByModel && typeof last !== "number") return { outputShape, problem: "its input size is not known from the source" };
    const inputSize = typeof last === "number" ? last : 0;
    return { outputShape, count: paramCount(config, inputSize, "keras"), other: paramCount(config, inputSize, "torch") };
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
        return { ...s, problem: "`inputSize` and `hiddenSize` are not known from the source" };
      }
      const config = { type: name, ...opts };
      return { ...s, count: paramCount(config, opts.inputSize, "torch"), other: paramCount(config, opts.inputSize, "keras") };
    }
    if (name === "nn.RNNCell" || name === "nn.LSTMCell" || name === "nn.GRUCell") {
      // (inputSize, hiddenSize, options?) or ({ inputSize, hiddenSize, … }), as the engine takes them.
      const [a, b] = call.arguments.map((x) => literal(x));
      const opts = typeof a === "number" ? { ...optionsAt(call, 2), inputSize: a, hiddenSize: b } : options(call);
      if (typeof opts.inputSize !== "number" || typeof opts.hiddenSize !== "number") return { ...s, problem: "its sizes are not known from the source" };
      const config = { type: name, ...opts };
      return { ...s, count: paramCount(config, opts.inputSize, "torch"), other: paramCount(config, opts.inputSize, "keras") };
    }
    if (name === "nn.Linear" || name === "nn.Embedding") {
      const [a, b] = call.arguments.map((x) => literal(x));
      if (typeof a !== "number" || typeof b !== "number") return { ...s, problem: "its sizes are not known from the source" };
      const config = name === "nn.Linear" ? { type: name, inFeatures: a, outFeatures: b } : { type: name, numEmbeddings: a, embeddingDim: b };
      return { ...s, count: paramCount(config, a, "torch") };
    }
    if (factsOf(name)?.family === "keras" && factsOf(name)?.sizedByModel) {
      return { ...s, problem: "its input size is set by the model it is added to (count shown inside rnn.sequential)" };
    }
  } catch (e) {
    return { ...s, problem: e instanceof Error ? e.message : String(e) };
  }
  return undefined;
}

/**
 * Summaries of every `rnn.sequential` model in a source text, counted statically, in both conventions
 * (rows in the same order). Layers are auto-named as Keras does (`simple_rnn`, `simple_rnn_1`, …). A
 * layer whose size is not known from the source has `unknown` set (and 0 params, which is not a count):
 * the totals then cover only the counted layers, and whoever shows them must say so.
 */
export function staticSummaries(text: string, consts: ConstScope = new Map()): Map<string, { keras: SummaryPayload; torch: SummaryPayload }> {
  const byModel = new Map<string, LayerSite[]>();
  for (const s of analyzeSource(text, consts)) {
    if (s.index === undefined) continue;
    const key = s.model ?? "model";
    byModel.set(key, [...(byModel.get(key) ?? []), s]);
  }
  const out = new Map<string, { keras: SummaryPayload; torch: SummaryPayload }>();
  for (const [name, unordered] of byModel) {
    const sites = unordered.sort((a, b) => a.index! - b.index!); // a functional model's call order can differ from source order
    const seen = new Map<string, number>();
    const rows = (convention: "keras" | "torch"): SummaryRow[] => sites.map((s) => {
      const base = factsOf(s.factory)?.baseName ?? s.factory;
      const k = seen.get(base) ?? 0;
      if (convention === "keras") seen.set(base, k + 1);
      const c = convention === "keras" ? s.count : s.other ?? s.count;
      const row: SummaryRow = {
        name: k === 0 ? base : `${base}_${k}`, type: kerasType(s.factory), outputShape: [null, ...(s.outputShape ?? [])],
        params: c?.total ?? 0, breakdown: c?.tensors ?? [], formula: c?.formula ?? s.problem,
      };
      if (!c) row.unknown = s.problem ?? "its size is not known from the source";
      return row;
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
