/**
 * The kernel's module loader, behind the `import` statements of cells (transpile.ts rewrites them to
 * `await __rnnk$.import(specifier)`). Cells have no `require`.
 *   - Node built-ins (`node:fs`, `fs`): Node's own modules.
 *   - packages: resolved from the notebook folder's node_modules (the kernel's cwd), CommonJS through
 *     require, ES-module-only packages through a real dynamic import().
 *   - relative and absolute files (`./helper.ts`, `../lib/util.js`, extension optional): transpiled on
 *     the fly with TypeScript to CommonJS and evaluated with their own `require` (so their imports
 *     work too); source maps are registered so their stack frames show their own line:column. A file
 *     changed on disk since it was loaded is loaded again by the next import of any file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { createRequire, isBuiltin } from "node:module";
import { pathToFileURL } from "node:url";
import { transpileModuleFile } from "./transpile";
import type { ScriptRegistry } from "./errors";
import type { CellImporter } from "./sandbox";

interface LoadedFile {
  mtimeMs: number;
  module: { exports: unknown };
}

const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"];

// A real import() even though this file is bundled as CommonJS (esbuild would turn a literal
// `import()` into require); used only for ES-module-only packages.
const dynamicImport = new Function("specifier", "return import(specifier)") as (s: string) => Promise<unknown>;

export class ModuleLoader implements CellImporter {
  private readonly files = new Map<string, LoadedFile>();

  constructor(private readonly cwd: string, private readonly registry: ScriptRegistry) {}

  /** `import … from specifier` in a cell (relative specifiers are relative to the notebook folder). */
  async import(specifier: unknown): Promise<unknown> {
    if (typeof specifier !== "string") throw new TypeError(`import: the module specifier must be a string (got ${typeof specifier})`);
    this.dropChangedFiles();
    if (isBuiltin(specifier)) return createRequire(path.join(this.cwd, "notebook.js"))(specifier);
    if (isPathLike(specifier)) return this.loadFile(this.resolveFile(specifier, this.cwd));
    return this.importPackage(specifier);
  }

  private async importPackage(specifier: string): Promise<unknown> {
    const req = createRequire(path.join(this.cwd, "notebook.js"));
    try {
      return req(specifier);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ERR_REQUIRE_ESM") return dynamicImport(pathToFileURL(req.resolve(specifier)).href);
      if (code === "ERR_PACKAGE_PATH_NOT_EXPORTED") {
        const entry = resolveEsmEntry(specifier, this.cwd);
        if (entry) return dynamicImport(pathToFileURL(entry).href);
      }
      if (code === "MODULE_NOT_FOUND" && (e as Error).message.includes(`'${specifier}'`)) {
        throw new Error(`Cannot find package "${specifier}" from the notebook folder ${this.cwd} ` +
          `(install it there with npm, or import a file with a relative path like "./${specifier}.ts").`);
      }
      throw e;
    }
  }

  private resolveFile(specifier: string, fromDir: string): string {
    const base = path.resolve(fromDir, specifier);
    const candidates = [base, ...SOURCE_EXTENSIONS.map((x) => base + x), ...SOURCE_EXTENSIONS.map((x) => path.join(base, "index" + x))];
    // `./util.js` written for a `util.ts` (TypeScript's ESM convention).
    if (/\.[cm]?js$/.test(base)) candidates.push(base.replace(/js$/, "ts"));
    for (const c of candidates) {
      try {
        if (fs.statSync(c).isFile()) return c;
      } catch {
        // not this one
      }
    }
    throw new Error(`Cannot find module "${specifier}" (looked for ${path.relative(this.cwd, base) || base} with extensions ${SOURCE_EXTENSIONS.join(", ")} from ${fromDir})`);
  }

  private loadFile(file: string): unknown {
    const cached = this.files.get(file);
    if (cached) return cached.module.exports;
    if (file.endsWith(".json")) {
      const module = { exports: JSON.parse(fs.readFileSync(file, "utf8")) as unknown };
      this.files.set(file, { mtimeMs: fs.statSync(file).mtimeMs, module });
      return module.exports;
    }
    const source = fs.readFileSync(file, "utf8");
    const { code, mappings, syntaxErrors } = transpileModuleFile(source, path.basename(file));
    if (syntaxErrors.length > 0) {
      const e = syntaxErrors[0];
      const err = new SyntaxError(`${e.message} (${path.relative(this.cwd, file) || file}:${e.line}:${e.column})`);
      err.stack = `SyntaxError: ${err.message}\n    at ${file}:${e.line}:${e.column}`;
      throw err;
    }
    const module: { exports: unknown } = { exports: {} };
    this.files.set(file, { mtimeMs: fs.statSync(file).mtimeMs, module });
    const wrapper = `(function (exports, require, module, __filename, __dirname) {\n${code}\n})`;
    this.registry.register(file, { displayName: path.relative(this.cwd, file) || file, mappings, lineOffset: 1 });
    try {
      const fn = vm.runInThisContext(wrapper, { filename: file }) as (...args: unknown[]) => void;
      fn.call(module.exports, module.exports, this.requireFrom(path.dirname(file)), module, file, path.dirname(file));
    } catch (e) {
      this.files.delete(file);
      throw e;
    }
    return module.exports;
  }

  /** `require` inside an imported helper file (TypeScript compiled its imports to require calls). */
  private requireFrom(dir: string): (specifier: string) => unknown {
    const nodeRequire = createRequire(path.join(dir, "module.js"));
    return (specifier: string) => {
      if (isBuiltin(specifier)) return nodeRequire(specifier);
      if (isPathLike(specifier)) return this.loadFile(this.resolveFile(specifier, dir));
      return nodeRequire(specifier);
    };
  }

  private dropChangedFiles(): void {
    for (const [file, loaded] of this.files) {
      let mtimeMs = -1;
      try {
        mtimeMs = fs.statSync(file).mtimeMs;
      } catch {
        // deleted
      }
      if (mtimeMs !== loaded.mtimeMs) {
        // Dependents may hold the old module: start over for all files.
        this.files.clear();
        return;
      }
    }
  }
}

function isPathLike(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === ".." ||
    path.isAbsolute(specifier) || specifier.startsWith("file:");
}

/** The ES-module entry of an `exports`-only package (`"exports": { "import": "./x.mjs" }`). */
function resolveEsmEntry(specifier: string, cwd: string): string | undefined {
  const parts = specifier.split("/");
  const nameLength = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const subpath = "." + (parts.length > nameLength ? "/" + parts.slice(nameLength).join("/") : "");
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, "node_modules", name);
    const pkgJson = path.join(pkgDir, "package.json");
    if (fs.existsSync(pkgJson)) {
      const pkg = JSON.parse(fs.readFileSync(pkgJson, "utf8")) as { exports?: unknown };
      const target = pickExport(pkg.exports, subpath);
      return target ? path.join(pkgDir, target) : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function pickExport(exports: unknown, subpath: string): string | undefined {
  if (typeof exports === "string") return subpath === "." ? exports : undefined;
  if (!exports || typeof exports !== "object") return undefined;
  const map = exports as Record<string, unknown>;
  const entry = Object.keys(map).some((k) => k.startsWith(".")) ? map[subpath] : subpath === "." ? map : undefined;
  return pickCondition(entry);
}

function pickCondition(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (!entry || typeof entry !== "object") return undefined;
  const conds = entry as Record<string, unknown>;
  for (const c of ["node", "import", "default"]) {
    const t = pickCondition(conds[c]);
    if (t) return t;
  }
  return undefined;
}
