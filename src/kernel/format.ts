/**
 * Values as text, the way Node's util.inspect and util.format show them, in plain JavaScript: the
 * portable platform's formatter (platform.ts), for the browser Worker kernel where node:util is
 * missing. The same cell must print the same text in both kernels, so this follows Node 20's
 * lib/internal/util/inspect.js where cells' values go — primitives, arrays (with its grouping of
 * more than six short entries into aligned columns), typed arrays, plain objects and class instances,
 * Map, Set, Date, RegExp, errors, functions, promises shown as pending, circular references,
 * getters, the depth limit, and the `nodejs.util.inspect.custom` symbol the engine's modules use —
 * with the same line-breaking rule (compact 3: an object whose nesting is shallow goes on one line
 * when it fits in breakLength).
 *
 * Porting note: no colors, no showHidden (so `%o` shows no `[length]` of arrays), no Proxy or WeakMap internals, and a string is never split
 * over lines with `+`; what Node shows there is beyond what cells print.
 */

export interface InspectOptions {
  /** Levels of nesting shown before `[Object]` (Node's default 2). */
  depth?: number;
  /** Array entries shown before `... n more items` (default 100). */
  maxArrayLength?: number;
  /** String characters shown before `... n more characters` (default 10000). */
  maxStringLength?: number;
  /** Longest line before entries go one per line (default 80). */
  breakLength?: number;
  /** false: a value's own `nodejs.util.inspect.custom` method is not called (default true). */
  customInspect?: boolean;
  /** Accepted for util.inspect compatibility; never used. */
  colors?: boolean;
}

interface Context {
  depth: number;
  maxArrayLength: number;
  maxStringLength: number;
  breakLength: number;
  customInspect: boolean;
  indentationLvl: number;
  /** The depth of the object entered last (Node's ctx.currentDepth: how deep the nesting just shown went). */
  currentDepth: number;
  seen: object[];
  circular: Map<object, number>;
}

const COMPACT = 3;
const CUSTOM = Symbol.for("nodejs.util.inspect.custom");
const IDENTIFIER = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
const ESCAPES: Record<string, string> = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\\": "\\\\" };

/** util.inspect(value, options). */
export function inspectValue(value: unknown, options: InspectOptions = {}): string {
  const ctx: Context = {
    depth: options.depth ?? 2,
    maxArrayLength: options.maxArrayLength ?? 100,
    maxStringLength: options.maxStringLength ?? 10_000,
    breakLength: options.breakLength ?? 80,
    customInspect: options.customInspect ?? true,
    indentationLvl: 0,
    currentDepth: 0,
    seen: [],
    circular: new Map(),
  };
  return formatValue(ctx, value, 0);
}

/** util.format(...args): a format string's %s %d %i %f %j %o %O %c %%, then the other arguments. */
export function formatArgs(...args: unknown[]): string {
  const first = args[0];
  let out = "";
  let next = 0;
  if (typeof first === "string") {
    next = 1;
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first[i] !== "%") continue;
      const c = first[i + 1];
      if (c === "%") {
        out += first.slice(last, i) + "%";
        last = i + 2;
        i++;
        continue;
      }
      if (next >= args.length || !"sdifjoOc".includes(c)) continue;
      const a = args[next++];
      out += first.slice(last, i) + formatDirective(c, a);
      last = i + 2;
      i++;
    }
    out += first.slice(last);
  }
  for (let i = next; i < args.length; i++) {
    const a = args[i];
    out += (i > 0 ? " " : "") + (typeof a === "string" ? a : inspectValue(a));
  }
  return out;
}

function formatDirective(c: string, a: unknown): string {
  switch (c) {
    case "s":
      if (typeof a === "number") return formatNumber(a);
      if (typeof a === "bigint") return `${a}n`;
      if (typeof a === "object" && a !== null && !hasOwnToString(a)) return inspectValue(a, { depth: 0 });
      return String(a);
    case "d":
      if (typeof a === "bigint") return `${a}n`;
      if (typeof a === "symbol") return "NaN";
      return formatNumber(Number(a));
    case "i":
      if (typeof a === "bigint") return `${a}n`;
      if (typeof a === "symbol") return "NaN";
      return formatNumber(parseInt(String(a), 10));
    case "f":
      return typeof a === "symbol" ? "NaN" : formatNumber(parseFloat(String(a)));
    case "j":
      try {
        return JSON.stringify(a);
      } catch {
        return "[Circular]";
      }
    case "o":
      return inspectValue(a, { depth: 4 });
    case "O":
      return inspectValue(a);
    default: // %c: CSS, dropped
      return "";
  }
}

const BUILTIN_TO_STRINGS: unknown[] = [Object.prototype.toString, Array.prototype.toString, Error.prototype.toString, Date.prototype.toString,
  RegExp.prototype.toString, Map.prototype.toString, Set.prototype.toString, Number.prototype.toString, String.prototype.toString,
  Symbol.prototype.toString, Function.prototype.toString, Promise.prototype.toString];

/** Whether an object's toString is a built-in's (Node's %s inspects those objects, and prints the rest with their toString). */
function hasOwnToString(a: object): boolean {
  const own = (a as { toString?: unknown }).toString;
  if (typeof own !== "function") return false;
  return !BUILTIN_TO_STRINGS.includes(own);
}

function formatNumber(n: number): string {
  return Object.is(n, -0) ? "-0" : `${n}`;
}

function quote(s: string): string {
  const q = !s.includes("'") ? "'" : !s.includes('"') ? '"' : !s.includes("`") && !s.includes("${") ? "`" : "'";
  const escaped = s.replace(new RegExp(`[\\x00-\\x1f\\x7f\\\\${q}]`, "g"), (ch) =>
    ESCAPES[ch] ?? (ch === q ? `\\${q}` : `\\x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`));
  return q + escaped + q;
}

function formatPrimitive(ctx: Context, v: unknown): string | undefined {
  switch (typeof v) {
    case "string": {
      const extra = v.length - ctx.maxStringLength;
      const shown = extra > 0 ? v.slice(0, ctx.maxStringLength) : v;
      return quote(shown) + (extra > 0 ? `... ${extra} more character${extra > 1 ? "s" : ""}` : "");
    }
    case "number": return formatNumber(v);
    case "bigint": return `${v}n`;
    case "boolean": return `${v}`;
    case "undefined": return "undefined";
    case "symbol": return v.toString();
    default: return v === null ? "null" : undefined;
  }
}

function formatValue(ctx: Context, value: unknown, recurseTimes: number): string {
  const primitive = formatPrimitive(ctx, value);
  if (primitive !== undefined) return primitive;
  const obj = value as object;
  const custom = ctx.customInspect ? (obj as Record<symbol, unknown>)[CUSTOM] : undefined;
  if (typeof custom === "function") {
    const ret = (custom as (depth: number, options: object, inspect: typeof inspectValue) => unknown)
      .call(obj, ctx.depth - recurseTimes, { depth: ctx.depth, breakLength: ctx.breakLength }, inspectValue);
    if (ret !== obj) {
      if (typeof ret === "string") return ret.replaceAll("\n", `\n${" ".repeat(ctx.indentationLvl)}`);
      return formatValue(ctx, ret, recurseTimes);
    }
  }
  if (ctx.seen.includes(obj)) {
    let index = ctx.circular.get(obj);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(obj, index);
    }
    return `[Circular *${index}]`;
  }
  return formatRaw(ctx, obj, recurseTimes);
}

/** The constructor name Node shows ("Object", "Float32Array", a class's name), or null for a null prototype. */
function constructorName(obj: object): string | null {
  // Read through the prototype chain like any property (Node walks the chain for an own `constructor`
  // that is a named function; the two differ only for objects that redefine `constructor`).
  if (!Object.prototype.isPrototypeOf.call(Object.prototype, obj) && typeof obj !== "function") return null;
  const c = (obj as { constructor?: unknown }).constructor;
  return typeof c === "function" && c.name !== "" ? c.name : "Object";
}

function prefix(constructor: string | null, tag: string, fallback: string, size = ""): string {
  if (constructor === null) return tag !== "" && tag !== fallback ? `[${fallback}${size}: null prototype] [${tag}] ` : `[${fallback}${size}: null prototype] `;
  return tag !== "" && constructor !== tag ? `${constructor}${size} [${tag}] ` : `${constructor}${size} `;
}

function functionBase(fn: (...a: unknown[]) => unknown, constructor: string | null): string {
  const source = Function.prototype.toString.call(fn);
  if (source.startsWith("class") && /^class\s*[\s{A-Za-z_$]/.test(source)) {
    const ext = /^class\s+[\w$]*\s*extends\s+([\w$.]+)/.exec(source);
    return `[class ${fn.name || "(anonymous)"}${ext ? ` extends ${ext[1]}` : ""}]`;
  }
  const type = constructor === "AsyncFunction" || constructor === "GeneratorFunction" || constructor === "AsyncGeneratorFunction" ? constructor : "Function";
  return `[${type}${fn.name ? `: ${fn.name}` : " (anonymous)"}]`;
}

function formatRaw(ctx: Context, value: object, recurseTimes: number): string {
  const constructor = constructorName(value);
  let tag = (value as Record<symbol, unknown>)[Symbol.toStringTag];
  if (typeof tag !== "string" || (tag !== "" && Object.prototype.propertyIsEnumerable.call(value, Symbol.toStringTag))) tag = "";
  const tagText = tag as string;
  let keys: (string | symbol)[] = ownEnumerableKeys(value);
  let base = "";
  let braces: [string, string];
  let entries: (ctx: Context, recurseTimes: number) => string[] = () => [];
  let isArrayLike = false;

  if (Array.isArray(value)) {
    keys = keys.filter((k) => typeof k === "symbol" || !isIndex(k));
    const p = constructor !== "Array" || tagText !== "" ? prefix(constructor, tagText, "Array", `(${value.length})`) : "";
    braces = [`${p}[`, "]"];
    if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
    isArrayLike = true;
    entries = (c, r) => formatList(c, r, value.length, (i) => (Object.prototype.hasOwnProperty.call(value, i) ? value[i] : undefined));
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const typed = value as unknown as ArrayLike<number | bigint>;
    keys = keys.filter((k) => typeof k === "symbol" || !isIndex(k));
    braces = [`${prefix(constructor, tagText, tagText || "TypedArray", `(${typed.length})`)}[`, "]"];
    if (typed.length === 0 && keys.length === 0) return `${braces[0]}]`;
    isArrayLike = true;
    entries = (c, r) => formatList(c, r, typed.length, (i) => typed[i]);
  } else if (value instanceof Map) {
    braces = [`${prefix(constructor, tagText, "Map", `(${value.size})`)}{`, "}"];
    if (value.size === 0 && keys.length === 0) return `${braces[0]}}`;
    entries = (c, r) => {
      const out: string[] = [];
      c.indentationLvl += 2;
      for (const [k, v] of value) out.push(`${formatValue(c, k, r)} => ${formatValue(c, v, r)}`);
      c.indentationLvl -= 2;
      return out;
    };
  } else if (value instanceof Set) {
    braces = [`${prefix(constructor, tagText, "Set", `(${value.size})`)}{`, "}"];
    if (value.size === 0 && keys.length === 0) return `${braces[0]}}`;
    entries = (c, r) => {
      c.indentationLvl += 2;
      const out = [...value].map((v) => formatValue(c, v, r));
      c.indentationLvl -= 2;
      return out;
    };
  } else {
    braces = ["{", "}"];
    if (typeof value === "function") {
      base = functionBase(value as (...a: unknown[]) => unknown, constructor);
      if (keys.length === 0) return base;
    } else if (value instanceof Error) {
      base = errorBase(value);
      keys = keys.filter((k) => k !== "stack" && k !== "message");
      if (keys.length === 0) return base;
    } else if (value instanceof Date) {
      base = Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
      if (keys.length === 0) return base;
    } else if (value instanceof RegExp) {
      base = RegExp.prototype.toString.call(value);
      if (keys.length === 0) return base;
    } else if (value instanceof Promise) {
      // A promise's state cannot be read synchronously without Node's internals.
      braces = [`${prefix(constructor, tagText, "Promise")}{`, "}"];
      entries = () => ["<pending>"];
    } else if (value instanceof WeakMap || value instanceof WeakSet) {
      return `${prefix(constructor, tagText, value instanceof WeakMap ? "WeakMap" : "WeakSet")}{ <items unknown> }`;
    } else if (constructor === "Object") {
      if (tagText !== "") braces[0] = `${prefix(constructor, tagText, "Object")}{`;
      if (keys.length === 0) return `${braces[0]}}`;
    } else {
      braces[0] = `${prefix(constructor, tagText, "Object")}{`;
      if (keys.length === 0) return `${braces[0]}}`;
    }
  }

  if (recurseTimes > ctx.depth) {
    const name = prefix(constructor, tagText, "Object").slice(0, -1);
    return constructor === null ? name : `[${name}]`;
  }
  recurseTimes++;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  let output: string[];
  try {
    output = entries(ctx, recurseTimes);
    for (const k of keys) output.push(formatProperty(ctx, value, recurseTimes, k));
  } finally {
    ctx.seen.pop();
  }
  const index = ctx.circular.get(value);
  if (index !== undefined) {
    const ref = `<ref *${index}>`;
    if (base === "") braces[0] = `${ref} ${braces[0]}`;
    else base = `${ref} ${base}`;
  }
  return reduceToSingleString(ctx, output, base, braces, isArrayLike, recurseTimes, value);
}

function errorBase(e: Error): string {
  let stack: unknown;
  try {
    stack = e.stack;
  } catch {
    stack = undefined;
  }
  return typeof stack === "string" && stack !== "" ? stack : `[${Error.prototype.toString.call(e)}]`;
}

function isIndex(k: string): boolean {
  return /^(0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1;
}

function ownEnumerableKeys(value: object): (string | symbol)[] {
  const keys: (string | symbol)[] = Object.keys(value);
  for (const s of Object.getOwnPropertySymbols(value)) {
    if (Object.prototype.propertyIsEnumerable.call(value, s)) keys.push(s);
  }
  return keys;
}

/** Entries of an array-like, up to maxArrayLength, then `... n more items`. */
function formatList(ctx: Context, recurseTimes: number, length: number, at: (i: number) => unknown): string[] {
  const shown = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const out: string[] = [];
  ctx.indentationLvl += 2;
  for (let i = 0; i < shown; i++) out.push(formatValue(ctx, at(i), recurseTimes));
  ctx.indentationLvl -= 2;
  const remaining = length - shown;
  if (remaining > 0) out.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
  return out;
}

function formatProperty(ctx: Context, value: object, recurseTimes: number, key: string | symbol): string {
  const desc = Object.getOwnPropertyDescriptor(value, key) ?? { value: (value as Record<string | symbol, unknown>)[key], enumerable: true };
  let str: string;
  if (desc.value !== undefined) {
    ctx.indentationLvl += 2;
    str = formatValue(ctx, desc.value, recurseTimes);
    ctx.indentationLvl -= 2;
  } else if (desc.get !== undefined) {
    str = desc.set !== undefined ? "[Getter/Setter]" : "[Getter]";
  } else if (desc.set !== undefined) {
    str = "[Setter]";
  } else {
    str = "undefined";
  }
  let name: string;
  if (typeof key === "symbol") name = `[${key.toString()}]`;
  else if (IDENTIFIER.test(key)) name = key;
  else name = quote(key);
  return `${name}: ${str}`;
}

/** Node's groupArrayElements: more than six short entries go in aligned columns (numbers right-aligned). */
function groupArrayElements(ctx: Context, output: string[], value: unknown): string[] {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  if (/^\.\.\. \d+ more items?$/.test(output[output.length - 1])) outputLength--;
  const separatorSpace = 2; // ", "
  const dataLen: number[] = [];
  for (let i = 0; i < outputLength; i++) {
    const len = output[i].length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const approxCharHeights = 2.5;
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(approxCharHeights * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      COMPACT * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp: string[] = [];
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
      maxLineLength.push(lineLength + separatorSpace);
    }
    let padStart = true;
    const list = value as ArrayLike<unknown>;
    for (let i = 0; i < output.length; i++) {
      if (typeof list[i] !== "number" && typeof list[i] !== "bigint") {
        padStart = false;
        break;
      }
    }
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = "";
      let j = i;
      for (; j < max - 1; j++) {
        const cellText = `${output[j]}, `;
        str += padStart ? cellText.padStart(maxLineLength[j - i], " ") : cellText.padEnd(maxLineLength[j - i], " ");
      }
      str += padStart ? output[j].padStart(maxLineLength[j - i] - separatorSpace, " ") : output[j];
      tmp.push(str);
    }
    if (outputLength < output.length) tmp.push(output[outputLength]);
    return tmp;
  }
  return output;
}

function reduceToSingleString(ctx: Context, output: string[], base: string, braces: [string, string], isArrayLike: boolean,
                              recurseTimes: number, value: unknown): string {
  const entries = output.length;
  if (isArrayLike && entries > 6) output = groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < COMPACT && entries === output.length) {
    // Everything on one line when it fits (Node adds 10 to start beside the other factors).
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(ctx, output, start, base)) {
      const joined = output.join(", ");
      if (!joined.includes("\n")) return `${base ? `${base} ` : ""}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const indentation = `\n${" ".repeat(ctx.indentationLvl)}`;
  return `${base ? `${base} ` : ""}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

function isBelowBreakLength(ctx: Context, output: string[], start: number, base: string): boolean {
  let totalLength = output.length + start;
  if (totalLength + output.length > ctx.breakLength) return false;
  for (const o of output) {
    totalLength += o.length;
    if (totalLength > ctx.breakLength) return false;
  }
  return base === "" || !base.includes("\n");
}
