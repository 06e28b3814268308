/**
 * `rnn.nn.Module`: the base of PyTorch-style models written in a cell (the file is not module.ts
 * because lint reads an import of "./module" as Node's built-in `module`) —
 *
 *   class Seq2Seq extends rnn.nn.Module {
 *     constructor() { super(); this.enc = rnn.nn.LSTM({ inputSize: 4, hiddenSize: 8 }); this.w = rnn.nn.Parameter(rnn.randn([8, 3])); }
 *     forward(x) { … }
 *   }
 *
 * Registration (PyTorch's `__setattr__`): a Module finds its submodules and parameters by walking its
 * own enumerable properties in insertion order whenever it is asked (`namedParameters()`, …):
 *   - a Module                           → a submodule named after the property
 *   - a Parameter (parameter.ts)         → a parameter named after the property
 *   - an array of Modules / Parameters   → `name.0`, `name.1`, … (the names nn.ModuleList /
 *                                          nn.ParameterList give; `ModuleList` exists too)
 * Anything else (numbers, plain tensors, a layer's private buffers) is ignored, as in PyTorch. As
 * there, a module's own parameters come first, then each submodule's, recursively; reassigning a
 * property keeps its place. The walk was chosen over a Proxy around `this`: no trap on every
 * property read in a training loop's hot path, `this` stays the plain object the debugger and
 * `instanceof` show, and class fields (`enc = rnn.nn.LSTM(…)`) register like assignments.
 *
 * The nn layers (`rnn.nn.LSTM`, `Linear`, …: TorchParams) are Modules whose parameters are their
 * layer Params bridged to autograd leaves (`paramTensor`), named as in PyTorch's state dict.
 *
 * Calling: JavaScript cannot call an object, so `forward(...)` is the call (`model.forward(x)` where
 * PyTorch writes `model(x)`).
 */
import { asTensor, dtypeOf, Tensor, type TensorLike } from "../tensor";
import { isParameter } from "./parameter";
import { makeSummary, type Summary, type SummaryLayerInfo } from "../summary";
import { recordStep, type Recording } from "../recording";
import { recordModule, type ModuleRecordingOptions } from "../record";

/** What `loadStateDict` reports (PyTorch's `missing_keys` / `unexpected_keys`). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Base class of every PyTorch-style module; see the file header. */
export class Module {
  /** Training mode (the default) or evaluation mode; set by `train()` / `eval()` on the whole tree. */
  training = true;

  /**
   * This module's own parameters (not its submodules'), in registration order. The nn layers
   * override it with their PyTorch-named layer parameters.
   */
  protected ownParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, v] of Object.entries(this)) {
      if (isParameter(v)) out.push([key, v]);
      else if (Array.isArray(v)) v.forEach((e: unknown, i) => { if (isParameter(e)) out.push([`${key}.${i}`, e]); });
    }
    return out;
  }

  /** Direct submodules with their names, in registration order (`namedChildren()` in PyTorch). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v)) v.forEach((e: unknown, i) => { if (e instanceof Module) out.push([`${key}.${i}`, e]); });
    }
    return out;
  }

  /** Direct submodules, in registration order. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module (name "") and every submodule below it, depth first, as `[dottedName, module]`;
   * a module reachable twice is listed once (its first name), as PyTorch does.
   */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, prefix: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([prefix, m]);
      for (const [name, c] of m.namedChildren()) visit(c, prefix ? `${prefix}.${name}` : name);
    };
    visit(this, "");
    return out;
  }

  /** This module and every submodule below it. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter as `[name, tensor]`, names as in PyTorch's state dict (`enc.weight_ih_l0`):
   * each module's own parameters, then its submodules' in registration order. A tensor shared by two
   * modules is listed once. The tensors are the live leaves (not copies): `.grad` after backward.
   * Porting note: a module parameter's `.grad` starts as a zero tensor, not null (see parameter.ts).
   */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m.ownParameters()) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${name}` : name, t]);
      }
    }
    return out;
  }

  /** Every parameter tensor (live leaves), in `namedParameters()` order: what an optimizer takes. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Number of parameter values (every parameter, trainable or not). */
  countParams(): number {
    let n = 0;
    for (const t of this.parameters()) n += t.size;
    return n;
  }

  /** Sets every parameter's gradient to zero (module parameters' `.grad` are zero tensors, never null). */
  zeroGrad(): void {
    for (const t of this.parameters()) t.grad?.data.fill(0);
  }

  /** Training mode on (default) or off for this module and every submodule. Returns this, like PyTorch. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (no dropout) for the whole tree: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Copies of every parameter keyed by its `namedParameters()` name, in that order. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of this.namedParameters()) out[name] = new Tensor(t.data.slice(), t.shape);
    return out;
  }

  /**
   * Copies `dict`'s values (tensors, nested arrays or mathjs matrices) into the parameters of the
   * same names. With `strict` (default, as PyTorch) the keys must match exactly; otherwise missing
   * and unexpected keys are reported and skipped. All or nothing: every key and shape is checked
   * before any value is written, so a bad entry leaves the module as it was.
   */
  loadStateDict(dict: Record<string, TensorLike>, options: { strict?: boolean } = {}): LoadStateDictResult {
    if (dict === null || typeof dict !== "object" || dict instanceof Tensor) {
      throw new Error(`${this.describe()}: loadStateDict expects an object of name → tensor, like model.stateDict() returns`);
    }
    const strict = options.strict ?? true;
    const named = this.namedParameters();
    const known = new Set(named.map(([n]) => n));
    const unexpectedKeys = Object.keys(dict).filter((k) => !known.has(k));
    const missingKeys = named.filter(([n]) => !(n in dict)).map(([n]) => n);
    if (strict && (unexpectedKeys.length || missingKeys.length)) {
      const parts = [missingKeys.length ? `missing keys ${missingKeys.join(", ")}` : "", unexpectedKeys.length ? `unexpected keys ${unexpectedKeys.join(", ")}` : ""];
      throw new Error(`${this.describe()}: loadStateDict: ${parts.filter(Boolean).join("; ")}`);
    }
    const writes: [Tensor, Tensor][] = [];
    for (const [name, p] of named) {
      if (!(name in dict)) continue;
      const t = asTensor(dict[name], dtypeOf(p.data)); // nested arrays keep the parameter's precision
      if (t.shape.join() !== p.shape.join()) {
        throw new Error(`${this.describe()}: loadStateDict: ${name} must have shape [${p.shape.join(", ")}] but got [${t.shape.join(", ")}]`);
      }
      writes.push([p, t]);
    }
    for (const [p, t] of writes) p.data.set(t.data);
    return { missingKeys: strict ? [] : missingKeys, unexpectedKeys: strict ? [] : unexpectedKeys };
  }

  /**
   * A summary table in PyTorch's convention: one row per built-in layer inside (its own row: class,
   * output shape, count and formula), one per other module that holds parameters itself (output
   * shape unknown until it runs). "Show Model Summary", hovers' live counts and `display(module)`
   * read it.
   */
  summary(): Summary {
    const rows: SummaryLayerInfo[] = [];
    const inside = new Set<Module>();
    for (const [prefix, m] of this.namedModules()) {
      if (inside.has(m)) continue;
      if (m !== this && m.summary !== Module.prototype.summary) {
        for (const sub of m.modules()) inside.add(sub);
        const layers = m.summary().layers;
        for (const row of layers) rows.push({ ...row, name: layers.length === 1 ? prefix : `${prefix}.${row.name}` });
        continue;
      }
      const own = m.ownParameters();
      if (own.length === 0) continue;
      rows.push({
        name: prefix || "(parameters)", type: m.reprName(), outputShape: [], params: own.reduce((a, [, t]) => a + t.size, 0),
        breakdown: own.map(([name, t]) => ({ name, shape: t.shape.slice(), count: t.size })), trainable: own.every(([, t]) => t.requiresGrad),
      });
    }
    return makeSummary(this.reprName(), "torch", rows);
  }

  /** The module's name in messages: its one-line repr, or its class name when that spans lines. */
  protected describe(): string {
    const s = this.toString();
    return s.includes("\n") ? this.reprName() : s;
  }

  /** The class name the repr shows (the JavaScript class's name unless a module says otherwise). */
  protected reprName(): string {
    return this.constructor.name || "Module";
  }

  /** Extra text inside the parentheses of the repr (PyTorch's `extra_repr`); none by default. */
  protected extraRepr(): string {
    return "";
  }

  /**
   * PyTorch's repr: `ClassName(extra)` for a module without submodules, else one `(name): child`
   * line per submodule, indented:
   *   Seq2Seq(
   *     (enc): LSTM(4, 8)
   *     (out): Linear(in_features=8, out_features=3, bias=True)
   *   )
   */
  toString(): string {
    const lines = this.namedChildren().map(([name, m]) => `(${name}): ${String(m).split("\n").join("\n  ")}`);
    const extra = this.extraRepr();
    const cls = this.reprName();
    if (lines.length === 0) return `${cls}(${extra})`;
    return `${cls}(\n  ${[...(extra ? extra.split("\n") : []), ...lines].join("\n  ")}\n)`;
  }

  /**
   * Recording, two ways (as the recording contract of rnn.show.gates / gradientNorms wants):
   * - inside `forward`, `this.record("f", f)` appends one step of a gate or state (a [batch, hidden]
   *   tensor; names i, f, g, o, c, h, r, z, n or input, forget, candidate, output, cell, hidden,
   *   reset, update) — nothing is kept unless a recording runs;
   * - `model.record(x, y?, options?)` runs forward (and with y the loss and backward) with a
   *   recording running and returns it: per recording cell and fused layer its gates and per-step
   *   ‖∂L/∂h_t‖. Options as Sequential's record, plus `lossFn(output, y)` (see record.ts).
   */
  record(name: string, value: Tensor): void;
  record(x: TensorLike | readonly Tensor[], y?: TensorLike, options?: ModuleRecordingOptions): Recording;
  record(a: string | TensorLike | readonly Tensor[], b?: TensorLike, options?: ModuleRecordingOptions): Recording | void {
    if (typeof a === "string") {
      recordStep(this, a, b as Tensor);
      return;
    }
    return recordModule(this, a, b, options);
  }

  /**
   * How Node's inspect (a cell's result, `display(model)`, console.log) shows a module: its repr, as
   * Python prints a torch module, rather than every internal buffer. A well-known symbol, not a Node
   * import: the engine stays free of Node built-ins.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /**
   * The forward pass: subclasses define it with their own arguments (PyTorch's `forward`), and it is
   * also how a module is called — `model.forward(x)` where PyTorch writes `model(x)`.
   */
  forward(..._args: unknown[]): unknown {
    throw new Error(`${this.constructor.name}: forward is not defined — a class extending rnn.nn.Module defines forward(...) and is called as model.forward(x)`);
  }
}

/** What `rnn.nn.ModuleList(...)` makes (see there). */
export class TorchModuleList extends Module {
  private readonly items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end; returns this, like PyTorch. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new Error(`ModuleList.append: expected an rnn.nn module but got ${String(m)}`);
    this.items.push(m);
    return this;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    const m = this.items.at(index);
    if (!m) throw new Error(`ModuleList: index ${index} out of range for ${this.items.length} modules`);
    return m;
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  namedChildren(): [string, Module][] {
    return this.items.map((m, i) => [String(i), m]);
  }

  protected ownParameters(): [string, Tensor][] {
    return [];
  }

  protected reprName(): string {
    return "ModuleList";
  }
}

/**
 * `rnn.nn.ModuleList(modules?)`: a list of submodules named `0`, `1`, … (torch.nn.ModuleList), so
 * `this.layers = rnn.nn.ModuleList([...])` gives `layers.0.weight`, …; a plain array of modules
 * registers under the same names. A plain function like the other nn constructors (`new` works too).
 */
export function ModuleList(modules?: Iterable<Module>): TorchModuleList {
  return new TorchModuleList(modules);
}
/** The type of `rnn.nn.ModuleList(...)`, for a field declaration (`layers: rnn.nn.ModuleList`). */
export type ModuleList = TorchModuleList;
