// Build-time type generation for IntelliSense in cells. Never hand-edit the outputs.
//
// 1. The engine's declarations, emitted in memory from src/engine/index.ts with the TypeScript
//    compiler API (`emitDeclarationOnly` + `outFile`, which bundles every module the entry reaches
//    into one text of `declare module "engine/…" { … }` blocks — TypeScript's own .d.ts bundling).
// 2. One JSON bundle, dist/types/typings.json, with every declaration text the extension's language
//    service needs, so completion works offline in an installed .vsix with no node_modules:
//    the engine .d.ts, the kernel's hand-written additions (src/extension/intellisense/ambient/),
//    mathjs's own types (+ decimal.js / fraction.js, which they import) and TypeScript's ES2022 libs.
//    The engine .d.ts is also written beside it as dist/types/rnn-engine.d.ts for people to read.
// 3. The API reference, docs/api/README.md, from the same doc comments (written only when changed).
//
// Run by esbuild.config.mjs before bundling (skipped when the outputs are newer than every input),
// or alone: `node scripts/gen-dts.mjs [--force]`.
import ts from "typescript";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ENGINE_ENTRY = "src/engine/index.ts";
/** Module name of the entry inside the bundled .d.ts (outFile names modules by path under src/). */
export const ENGINE_MODULE = "engine/index";
const KERNEL_GLOBALS = "src/extension/intellisense/ambient/kernel-globals.d.ts";

/**
 * The generated texts name engine modules as the bundled .d.ts does (`import("engine/text").CharVocab`),
 * never by the absolute path of the checkout that built them: TypeScript prints a type that is not
 * in scope as `import("<absolute path>/src/engine/text")`, which would put the build machine's
 * folders into committed docs and shipped typings.
 * @param {string} text
 * @param {string} root
 */
export function portable(text, root = ROOT) {
  const src = join(root, "src").replaceAll("\\", "/");
  return text.replaceAll(`import("${src}/`, 'import("');
}

/**
 * Emits the engine's declarations as one text. Returns the text and any problems (compile errors in
 * the engine do not stop the emit; declaration-emit errors are reported as warnings).
 * @param {string} root
 */
export function emitEngineDts(root = ROOT) {
  const entry = join(root, ENGINE_ENTRY);
  if (!existsSync(entry)) {
    return { text: `declare module "${ENGINE_MODULE}" {}\n`, warnings: [`${ENGINE_ENTRY} not found: the engine types are empty`], program: undefined };
  }
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.AMD, // outFile needs AMD or System; only the declarations are kept
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ["lib.es2022.d.ts"],
    types: [],
    strict: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    stripInternal: true,
    outFile: join(root, "dist/types/rnn-engine.d.ts"),
    rootDir: join(root, "src"),
    ignoreDeprecations: "6.0",
  };
  let program = ts.createProgram({ rootNames: [entry], options });
  if (program.getOptionsDiagnostics().some((d) => d.code === 5103)) {
    // Older compilers reject ignoreDeprecations "6.0"; nothing of ours is deprecated there.
    delete options.ignoreDeprecations;
    program = ts.createProgram({ rootNames: [entry], options });
  }
  let text = "";
  const result = program.emit(undefined, (_name, data) => { text += data; }, undefined, true);
  const warnings = result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  return { text: portable(text + typesNamespace(program, root), root), warnings, program };
}

/**
 * `declare namespace rnn { export type Tensor = import("engine/index").Tensor; … }` for every type the
 * entry exports (interfaces, type aliases, classes' instance types), so cells can write
 * `const opts: rnn.FitOptions = …`. A types-only namespace merges with the kernel's `declare const rnn`.
 * Generic types are left out (their constraints would have to be restated).
 */
function typesNamespace(program, root) {
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(join(root, ENGINE_ENTRY));
  const moduleSym = sf && checker.getSymbolAtLocation(sf);
  if (!moduleSym) return "";
  const lines = [];
  for (const exp of checker.getExportsOfModule(moduleSym)) {
    const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    if (!(sym.flags & ts.SymbolFlags.Type) || sym.flags & ts.SymbolFlags.Enum || isInternal(sym)) continue;
    const generic = (sym.declarations ?? []).some((d) => d.typeParameters?.length);
    if (!generic) lines.push(`    export type ${exp.getName()} = import("${ENGINE_MODULE}").${exp.getName()};`);
  }
  return lines.length === 0 ? "" : ["", "/** The engine's types, for annotations in cells: `const opts: rnn.FitOptions = { … }`. */",
    "declare namespace rnn {", ...lines.sort(), "}", ""].join("\n");
}

/** The ES2022 libs (and the files they reference) by file name. */
function libFiles() {
  const dir = dirname(ts.getDefaultLibFilePath({}));
  const wanted = /^lib\.(es5|es20(1[5-9]|2[0-2])(\.[a-z.]+)?|decorators(\.legacy)?)\.d\.ts$/;
  const out = {};
  for (const name of readdirSync(dir).filter((n) => wanted.test(n)).sort()) out[name] = readFileSync(join(dir, name), "utf8");
  return out;
}

/**
 * Every declaration text the notebook language service loads, keyed by the virtual path it is
 * served under (see src/extension/intellisense/typeFiles.ts, which reads this bundle).
 * @param {string} engineDts
 * @param {string} root
 */
export function typingsBundle(engineDts, root = ROOT) {
  const mod = (p) => readFileSync(join(root, "node_modules", p), "utf8");
  return {
    version: 1,
    engineModule: ENGINE_MODULE,
    files: {
      "rnn-engine.d.ts": engineDts,
      "kernel-globals.d.ts": readFileSync(join(root, KERNEL_GLOBALS), "utf8"),
      "node_modules/mathjs/types/index.d.ts": mod("mathjs/types/index.d.ts"),
      "node_modules/decimal.js/decimal.d.ts": mod("decimal.js/decimal.d.ts"),
      "node_modules/fraction.js/fraction.d.ts": mod("fraction.js/fraction.d.mts"),
    },
    libs: libFiles(),
  };
}

// ---- API reference ------------------------------------------------------------------------------

/** @param {ts.Symbol} sym @param {ts.TypeChecker} checker */
function docOf(sym, checker) {
  const text = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
  const tags = sym.getJsDocTags(checker)
    .filter((t) => t.name !== "internal")
    .map((t) => `*@${t.name}* ${ts.displayPartsToString(t.text ?? []).trim()}`.trim());
  return [text, ...tags].filter(Boolean).join("\n\n");
}

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.WriteArrowStyleSignature;

/** One-line declaration of an exported symbol, as a reader would write it. */
function signatureOf(name, sym, checker, decl) {
  const type = checker.getTypeOfSymbolAtLocation(sym, decl);
  const calls = type.getCallSignatures();
  if (sym.flags & ts.SymbolFlags.Function && calls.length > 0) {
    return calls.map((s) => `function ${name}${checker.signatureToString(s, decl, ts.TypeFormatFlags.NoTruncation)}`).join("\n");
  }
  if (sym.flags & ts.SymbolFlags.Class) return `class ${name}`;
  if (sym.flags & ts.SymbolFlags.Interface) return `interface ${name}`;
  if (sym.flags & ts.SymbolFlags.TypeAlias) {
    return `type ${name} = ${checker.typeToString(checker.getDeclaredTypeOfSymbol(sym), decl, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias)}`;
  }
  if (sym.flags & ts.SymbolFlags.Enum) return `enum ${name}`;
  return `const ${name}: ${checker.typeToString(type, decl, FORMAT)}`;
}

/**
 * Marked `@internal` in its doc comment: engine plumbing (e.g. Sequential.forwardPass). `stripInternal`
 * already drops it from the cell typings; this keeps it out of docs/api and the undocumented count too.
 */
function isInternal(sym) {
  return sym.getJsDocTags().some((t) => t.name === "internal");
}

/** A member readers can use: not private/protected, not `#private`, not `_internal`, not `@internal`. */
function isPublicMember(m) {
  const hidden = ts.ModifierFlags.Private | ts.ModifierFlags.Protected;
  return !m.getName().startsWith("_") && !m.getName().startsWith("__#") && !isInternal(m) &&
    !(m.declarations ?? []).some((d) => ts.getCombinedModifierFlags(d) & hidden || (d.name && ts.isPrivateIdentifier(d.name)));
}

/** Members worth listing under a symbol: class/interface members, properties of a namespace object. */
function membersOf(sym, checker, decl) {
  let props = [];
  if (sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) {
    props = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(sym));
  } else if (sym.flags & ts.SymbolFlags.Variable) {
    const type = checker.getTypeOfSymbolAtLocation(sym, decl);
    const listLike = checker.isArrayType?.(type) || checker.isTupleType?.(type);
    if (type.getCallSignatures().length === 0 && type.flags & ts.TypeFlags.Object && !listLike) props = checker.getPropertiesOfType(type);
  }
  return props.filter(isPublicMember).map((m) => [m.getName(), m]);
}

/** Public names without a doc comment, found while writing the reference (reported by generate()). */
const undocumented = [];

function memberLine(name, m, checker, decl, owner) {
  const type = checker.getTypeOfSymbolAtLocation(m, decl);
  const calls = type.getCallSignatures();
  const optional = m.flags & ts.SymbolFlags.Optional ? "?" : "";
  const sig = m.flags & ts.SymbolFlags.Method || (calls.length > 0 && !(m.flags & ts.SymbolFlags.Property))
    ? calls.map((s) => `${name}${checker.signatureToString(s, decl, ts.TypeFormatFlags.NoTruncation)}`).join("; ")
    : `${name}${optional}: ${checker.typeToString(type, decl, FORMAT)}`;
  const doc = docOf(m, checker).replace(/\n+/g, " ");
  if (!doc) undocumented.push(`${owner}.${name}`);
  return `- \`${sig}\`${doc ? ` — ${doc}` : ""}`;
}

/**
 * Markdown API reference of the engine entry's exports, from the doc comments.
 * @param {ts.Program | undefined} program
 */
export function apiMarkdown(program, root = ROOT) {
  const header = [
    "<!-- Generated by scripts/gen-dts.mjs from the doc comments in src/engine — do not edit. -->",
    "# `rnn` API reference",
    "",
    "The engine as cells see it: the global `rnn` in every notebook cell. File methods (`model.save`, `rnn.load`,",
    "`rnn.data.*`, `exportPyTorch`, …) are the engine's and use the kernel's files; the kernel adds display",
    "helpers (`rnn.show.*`, `rnn.toMath`, `rnn.signal`) and the globals `display` and `math` (mathjs); see",
    "[kernel additions](#kernel-additions). In cells, the engine's types are",
    "available as `rnn.<Type>` (e.g. `const options: rnn.FitOptions = { … }`).",
    "",
  ];
  if (!program) return [...header, "_The engine entry (src/engine/index.ts) does not exist yet._", ""].join("\n");
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(join(root, ENGINE_ENTRY));
  const moduleSym = sf && checker.getSymbolAtLocation(sf);
  if (!moduleSym) return header.join("\n");
  const exports = checker.getExportsOfModule(moduleSym).sort((a, b) => a.getName().localeCompare(b.getName()));
  const values = [], types = [];
  for (const exp of exports) {
    const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    if (isInternal(target)) continue;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(exp);
  }
  const out = [...header, "## Contents", "", "- [Functions and values](#functions-and-values)", "- [Types](#types)", "- [Kernel additions](#kernel-additions)", ""];
  const section = (title, list) => {
    out.push(`## ${title}`, "");
    for (const exp of list) {
      const name = exp.getName();
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      const decl = sym.declarations?.[0] ?? sf;
      out.push(`### ${name}`, "", "```ts", signatureOf(name, sym, checker, decl), "```", "");
      const doc = docOf(sym, checker);
      if (!doc) undocumented.push(name);
      if (doc) out.push(doc, "");
      const members = membersOf(sym, checker, decl);
      if (members.length > 0) out.push(...members.map(([n, m]) => memberLine(n, m, checker, decl, name)), "");
    }
  };
  section("Functions and values", values);
  section("Types", types);
  out.push("## Kernel additions", "", "Declared in `src/extension/intellisense/ambient/kernel-globals.d.ts` (the kernel implements them):", "",
    "```ts", readFileSync(join(root, KERNEL_GLOBALS), "utf8").trim(), "```", "");
  return portable(out.join("\n"), root);
}

function writeIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, "utf8") === text) {
    utimesSync(path, new Date(), new Date()); // fresh for the up-to-date check
    return false;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return true;
}

/** Newest modification time of the inputs: src/engine, src/shared, the kernel globals, this script. */
function newestInput(root) {
  const walk = (dir) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [statSync(join(dir, e.name)).mtimeMs]) : []);
  return Math.max(0, ...walk(join(root, "src/engine")), ...walk(join(root, "src/shared")),
    statSync(join(root, KERNEL_GLOBALS)).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
}

/**
 * Generates dist/types/{typings.json,rnn-engine.d.ts} and docs/api/README.md — unless they are newer
 * than every input (the declaration emit type-checks the engine: seconds, not worth it on every build).
 */
export function generate(root = ROOT, log = console, { force = false } = {}) {
  const started = Date.now();
  const outputs = [join(root, "dist/types/typings.json"), join(root, "docs/api/README.md")];
  if (!force && outputs.every(existsSync) && Math.min(...outputs.map((f) => statSync(f).mtimeMs)) >= newestInput(root)) {
    log.log("[gen-dts] engine types are up to date");
    return;
  }
  const { text, warnings, program } = emitEngineDts(root);
  for (const w of warnings) log.warn(`[gen-dts] warning: ${w}`);
  writeIfChanged(join(root, "dist/types/rnn-engine.d.ts"), text);
  writeIfChanged(join(root, "dist/types/typings.json"), JSON.stringify(typingsBundle(text, root)));
  undocumented.length = 0;
  writeIfChanged(join(root, "docs/api/README.md"), apiMarkdown(program, root));
  if (undocumented.length > 0) {
    const shown = undocumented.slice(0, 12).join(", ");
    log.warn(`[gen-dts] ${undocumented.length} public names of rnn have no doc comment (hover and docs/api show nothing): ${shown}${undocumented.length > 12 ? ", …" : ""}`);
  }
  log.log(`[gen-dts] engine types (${(text.length / 1024).toFixed(1)} KB) and docs/api in ${Date.now() - started} ms`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) generate(ROOT, console, { force: process.argv.includes("--force") });
