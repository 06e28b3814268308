/**
 * TypeScript cell → JavaScript that behaves like a REPL line (DESIGN §2).
 *
 * We use the `typescript` package's transpileModule (pure JS, bundled into dist/kernel.js, so the
 * .vsix carries no per-platform binary). Transpile only: type errors never block a cell; syntax
 * errors do (they come back as `syntaxErrors`, mapped to the cell's line:column).
 *
 * On top of TypeScript's own emit, an `after` transformer (it sees plain JavaScript: enums and
 * namespaces are already IIFEs, types are gone) rewrites the cell's top level:
 *   - `const/let/var x = e` → `x = e`, destructuring → destructuring assignment; `function f(){}` →
 *     `f = function f(){}` hoisted to the top; `class C {}` → `C = class C {}`; `var` inside top-level
 *     blocks and loops likewise (functions keep theirs). Every such name is
 *     listed in `bindings` and is made a global before the cell runs, so later cells see it and
 *     re-running `const model = …` simply assigns again. (Porting note: like tslab and Node's REPL
 *     await mode, a `const` is not write-protected across cells and has no temporal dead zone.)
 *   - `import d, { a as b } from "m"` → `__m = await __rnnk$.import("m"); d = __rnnk$.default(__m);
 *     b = __m.a;` and dynamic `import("m")` → `__rnnk$.import("m")`, so specifiers resolve from the
 *     notebook's folder (see loader.ts). `export` is dropped.
 *   - the last top-level expression statement becomes `return { value: (expr) }` (Jupyter's
 *     "last expression is displayed"); wrapping in an object keeps a returned promise un-awaited.
 * The result is the body of `(async (__rnnk$) => { … })`, so top-level await and `for await` work.
 */
import ts from "typescript";
import { decodeMappings, type LineMappings } from "./sourceMap";

/** The name under which the kernel's helper object is passed to every cell function. */
export const KERNEL_PARAM = "__rnnk$";

export interface CellSyntaxError {
  message: string;
  /** 1-based line and column in the cell. */
  line: number;
  column: number;
}

export interface TranspiledCell {
  /** `(async (__rnnk$) => {\n…\n})` — evaluate it, call it with the kernel helper. */
  code: string;
  /** Top-level names the cell binds; the kernel declares them as globals before running it. */
  bindings: string[];
  /** Maps a 1-based generated line of `code` and 0-based column to the cell's 1-based line:column. */
  mappings: LineMappings;
  /** Line offset of the body inside `code` (the wrapper's first line). */
  lineOffset: number;
  syntaxErrors: CellSyntaxError[];
}

export interface TranspileOptions {
  /** The name the cell has in stack traces and in the source map, e.g. "cell3.ts". */
  fileName: string;
}

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  // Every cell is a module for the parser, so top-level await is accepted.
  moduleDetection: ts.ModuleDetectionKind.Force,
  // Keep imports whose names are only used in later cells (transpileModule would elide them).
  verbatimModuleSyntax: true,
  sourceMap: true,
  inlineSources: false,
  removeComments: false,
  newLine: ts.NewLineKind.LineFeed,
  experimentalDecorators: true,
  useDefineForClassFields: true,
};

/** Transpiles one cell. Never throws for bad user code: syntax errors are returned. */
export function transpileCell(source: string, options: TranspileOptions): TranspiledCell {
  const cell = transpileOnce(source, options);
  // `{ a: 1, b: 2 }` alone parses as a block (and fails); like Node's REPL, show it as an object.
  if (cell.syntaxErrors.length > 0 && /^\s*\{[\s\S]*\}\s*;?\s*$/.test(source)) {
    const asObject = transpileOnce(`(${source.trim().replace(/;$/, "")})`, options);
    if (asObject.syntaxErrors.length === 0) return asObject;
  }
  return cell;
}

function transpileOnce(source: string, options: TranspileOptions): TranspiledCell {
  const bindings = new Set<string>();
  const out = ts.transpileModule(source, {
    compilerOptions,
    fileName: options.fileName,
    reportDiagnostics: true,
    transformers: { after: [cellTransformer(bindings)] },
  });
  const syntaxErrors = (out.diagnostics ?? [])
    .filter((d) => d.category === ts.DiagnosticCategory.Error && isBlockingDiagnostic(d.code))
    .map((d) => toCellError(d, source));
  const js = stripSourceMapComment(out.outputText);
  const mappings = out.sourceMapText ? decodeMappings(JSON.parse(out.sourceMapText).mappings as string) : [];
  return {
    code: `(async (${KERNEL_PARAM}) => {\n${js}\n})`,
    bindings: [...bindings],
    mappings,
    lineOffset: 1,
    syntaxErrors,
  };
}

/**
 * transpileModule reports only syntactic diagnostics, but a few of them are TypeScript-only rules
 * that JavaScript would accept or that we rewrite anyway; those must not block a cell.
 */
function isBlockingDiagnostic(code: number): boolean {
  const notBlocking = new Set([
    1208, // "cannot be compiled under '--isolatedModules'" (a file without imports)
    1286, 1287, 1288, 1484, 1485, // verbatimModuleSyntax: ESM syntax / type-only import rules
    1202, 1203, // "Import assignment / export assignment cannot be used when targeting ECMAScript modules"
    1375, 1378, // top-level await "only allowed when the file is a module" / target checks
    1431, 1432, // for-await at top level: same checks
    2792, 5110, 5095,
  ]);
  return !notBlocking.has(code);
}

function toCellError(d: ts.Diagnostic, source: string): CellSyntaxError {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (d.start === undefined) return { message, line: 1, column: 1 };
  const { line, column } = lineColumnOf(source, d.start);
  return { message, line, column };
}

export function lineColumnOf(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function stripSourceMapComment(js: string): string {
  return js.replace(/\n?\/\/# sourceMappingURL=.*\s*$/, "");
}

/** The transformer that rewrites a cell's top level (see the header); one CellRewriter per cell. */
function cellTransformer(bindings: Set<string>): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (file) => new CellRewriter(context, bindings).rewrite(file);
}

/**
 * The steps of the rewrite, in the order a statement meets them: `rewrite` picks the last expression
 * to capture and sends each top-level statement to its kind's step; every step adds the names it
 * binds to `bindings` and rewrites nested dynamic imports (and nested top-level `var`s) on the way.
 */
class CellRewriter {
  private readonly f: ts.NodeFactory;
  /** Module objects of rewritten imports are locals `__rnnm$1`, `__rnnm$2`, … of the cell. */
  private tempCounter = 0;
  /** Function declarations, moved to the top as JavaScript hoists them. */
  private readonly hoisted: ts.Statement[] = [];
  private readonly body: ts.Statement[] = [];

  constructor(private readonly context: ts.TransformationContext, private readonly bindings: Set<string>) {
    this.f = context.factory;
  }

  rewrite(file: ts.SourceFile): ts.SourceFile {
    const last = capturedLastStatement(file.statements);
    for (const stmt of file.statements) {
      if (stmt === last) this.lastExpression(last);
      else this.statement(stmt);
    }
    return this.f.updateSourceFile(file, [...this.hoisted, ...this.body]);
  }

  /** One top-level statement of the cell, by kind. */
  private statement(stmt: ts.Statement): void {
    if (ts.isImportDeclaration(stmt)) {
      this.body.push(...this.importDeclaration(stmt));
    } else if (ts.isVariableStatement(stmt)) {
      this.variableStatement(stmt);
    } else if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
      this.functionDeclaration(stmt, stmt.name);
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      this.classDeclaration(stmt, stmt.name);
    } else if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) && !stmt.name) {
      this.anonymousDefault(stmt);
    } else if (ts.isExportDeclaration(stmt)) {
      // `export { a }` / `export * from "m"`: a cell has no importers; nothing to do.
    } else if (ts.isExportAssignment(stmt)) {
      this.body.push(ts.setTextRange(this.f.createExpressionStatement(this.visit(stmt.expression)), stmt));
    } else {
      this.body.push(ts.visitNode(stmt, this.visitNested) as ts.Statement);
    }
  }

  /** `const/let/var x = e` → `x = e` (destructuring → destructuring assignment); `let x;` → `x = void 0`. */
  private variableStatement(stmt: ts.VariableStatement): void {
    const isVar = (stmt.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
    for (const decl of stmt.declarationList.declarations) {
      collectNames(decl.name, this.bindings);
      if (decl.initializer) {
        this.body.push(this.assign(this.bindingToTarget(decl.name), this.visit(decl.initializer), decl));
      } else if (!isVar) {
        this.body.push(this.assign(this.bindingToTarget(decl.name), this.f.createVoidZero(), decl));
      }
    }
  }

  /** `function f(){}` → `f = function f(){}`, hoisted to the top. */
  private functionDeclaration(stmt: ts.FunctionDeclaration, name: ts.Identifier): void {
    const f = this.f;
    this.bindings.add(name.text);
    const expr = f.createFunctionExpression(asyncModifier(stmt), stmt.asteriskToken, f.createIdentifier(name.text), undefined,
      this.parameters(stmt), undefined, this.visit(stmt.body!));
    ts.setTextRange(expr, stmt);
    this.hoisted.push(this.assign(f.createIdentifier(name.text), expr, stmt));
  }

  /** `class C {}` → `C = class C {}` (decorators kept), in place. */
  private classDeclaration(stmt: ts.ClassDeclaration, name: ts.Identifier): void {
    const f = this.f;
    this.bindings.add(name.text);
    const expr = f.createClassExpression(
      stmt.modifiers?.filter((m) => ts.isDecorator(m)) as ts.ModifierLike[] | undefined,
      f.createIdentifier(name.text), undefined, stmt.heritageClauses?.map(this.visit), stmt.members.map(this.visit));
    ts.setTextRange(expr, stmt);
    this.body.push(this.assign(f.createIdentifier(name.text), expr, stmt));
  }

  /** `export default function () {}` / `export default class {}`: an unnamed value, like `export default expr`. */
  private anonymousDefault(stmt: ts.FunctionDeclaration | ts.ClassDeclaration): void {
    const f = this.f;
    const expr = ts.isFunctionDeclaration(stmt)
      ? f.createFunctionExpression(asyncModifier(stmt), stmt.asteriskToken, undefined, undefined, this.parameters(stmt),
        undefined, stmt.body ? this.visit(stmt.body) : f.createBlock([]))
      : f.createClassExpression(undefined, undefined, undefined, stmt.heritageClauses?.map(this.visit), stmt.members.map(this.visit));
    this.body.push(ts.setTextRange(f.createExpressionStatement(f.createParenthesizedExpression(expr)), stmt));
  }

  /** The cell's last expression `e` → `return { value: (e) }` (the object keeps a promise un-awaited). */
  private lastExpression(stmt: ts.ExpressionStatement): void {
    const f = this.f;
    const value = f.createObjectLiteralExpression([f.createPropertyAssignment("value", this.visit(stmt.expression))]);
    this.body.push(ts.setTextRange(f.createReturnStatement(value), stmt));
  }

  /** `import d, { a as b } from "m"` → `const __m = await __rnnk$.import("m"); d = __rnnk$.default(__m); b = __m.a;` */
  private importDeclaration(stmt: ts.ImportDeclaration): ts.Statement[] {
    const f = this.f;
    const load = f.createAwaitExpression(f.createCallExpression(
      f.createPropertyAccessExpression(f.createIdentifier(KERNEL_PARAM), "import"), undefined, [stmt.moduleSpecifier]));
    const clause = stmt.importClause;
    if (!clause) return [ts.setTextRange(f.createExpressionStatement(load), stmt)];
    if (clause.isTypeOnly) return [];
    // The module object is a local of the cell; only the imported names become bindings.
    const tmp = `__rnnm$${++this.tempCounter}`;
    const out: ts.Statement[] = [ts.setTextRange(f.createVariableStatement(undefined, f.createVariableDeclarationList(
      [f.createVariableDeclaration(tmp, undefined, undefined, load)], ts.NodeFlags.Const)), stmt)];
    if (clause.name) {
      this.bindings.add(clause.name.text);
      out.push(this.assign(f.createIdentifier(clause.name.text), f.createCallExpression(
        f.createPropertyAccessExpression(f.createIdentifier(KERNEL_PARAM), "default"), undefined, [f.createIdentifier(tmp)]), stmt));
    }
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) {
      this.bindings.add(nb.name.text);
      out.push(this.assign(f.createIdentifier(nb.name.text), f.createIdentifier(tmp), stmt));
    } else if (nb) {
      for (const el of nb.elements) {
        if (el.isTypeOnly) continue;
        this.bindings.add(el.name.text);
        const imported = el.propertyName ?? el.name;
        const access = ts.isIdentifier(imported)
          ? f.createPropertyAccessExpression(f.createIdentifier(tmp), imported.text)
          : f.createElementAccessExpression(f.createIdentifier(tmp), f.createStringLiteral(imported.text));
        out.push(this.assign(f.createIdentifier(el.name.text), access, el));
      }
    }
    return out;
  }

  /** Dynamic `import("m")` anywhere below `node` → `__rnnk$.import("m")` (resolved from the notebook's folder). */
  private readonly visitDynamicImports = (node: ts.Node): ts.Node => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const call = this.f.createCallExpression(
        this.f.createPropertyAccessExpression(this.f.createIdentifier(KERNEL_PARAM), "import"),
        undefined,
        node.arguments.map((a) => ts.visitNode(a, this.visitDynamicImports) as ts.Expression),
      );
      return ts.setTextRange(call, node);
    }
    return ts.visitEachChild(node, this.visitDynamicImports, this.context);
  };

  private readonly visit = <T extends ts.Node>(node: T): T => ts.visitNode(node, this.visitDynamicImports) as T;

  private parameters(stmt: ts.FunctionDeclaration): ts.NodeArray<ts.ParameterDeclaration> {
    return ts.visitNodes(stmt.parameters, this.visitDynamicImports) as ts.NodeArray<ts.ParameterDeclaration>;
  }

  /**
   * A statement nested in the top level (a block, a loop, an `if`): `var` inside it is a top-level
   * binding too, as in a script, so its declarations become assignments and its names bindings.
   * Functions and classes keep their own `var`s.
   */
  private readonly visitNested = (node: ts.Node): ts.Node => {
    const f = this.f;
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return this.visitDynamicImports(node);
    if (ts.isVariableStatement(node) && isVarList(node.declarationList)) {
      const expr = this.varAssignments(node.declarationList);
      return ts.setTextRange(expr ? f.createExpressionStatement(expr) : f.createEmptyStatement(), node);
    }
    if (ts.isForStatement(node) && node.initializer && ts.isVariableDeclarationList(node.initializer) && isVarList(node.initializer)) {
      return f.updateForStatement(node, this.varAssignments(node.initializer), node.condition && this.visitNested(node.condition) as ts.Expression,
        node.incrementor && this.visitNested(node.incrementor) as ts.Expression, this.visitNested(node.statement) as ts.Statement);
    }
    if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && ts.isVariableDeclarationList(node.initializer) && isVarList(node.initializer)) {
      const decl = node.initializer.declarations[0];
      collectNames(decl.name, this.bindings);
      const target = this.bindingToTarget(decl.name);
      const expr = this.visitNested(node.expression) as ts.Expression;
      const statement = this.visitNested(node.statement) as ts.Statement;
      return ts.isForInStatement(node) ? f.updateForInStatement(node, target, expr, statement)
        : f.updateForOfStatement(node, node.awaitModifier, target, expr, statement);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) return this.visitDynamicImports(node);
    return ts.visitEachChild(node, this.visitNested, this.context);
  };

  /** `var a = 1, b, c = 2` (nested) → `a = 1, c = 2`; undefined when nothing is assigned. */
  private varAssignments(list: ts.VariableDeclarationList): ts.Expression | undefined {
    const parts: ts.Expression[] = [];
    for (const decl of list.declarations) {
      collectNames(decl.name, this.bindings);
      if (decl.initializer) {
        parts.push(ts.setTextRange(this.f.createAssignment(this.bindingToTarget(decl.name), this.visitNested(decl.initializer) as ts.Expression), decl));
      }
    }
    return parts.length === 0 ? undefined : parts.reduce((a, b) => this.f.createComma(a, b));
  }

  private assign(target: ts.Expression, value: ts.Expression, range: ts.Node): ts.Statement {
    return ts.setTextRange(this.f.createExpressionStatement(this.f.createAssignment(target, value)), range);
  }

  /** A binding pattern as an assignment target: `{ a, b: [c] = d }` → the same as an expression. */
  private bindingToTarget(name: ts.BindingName): ts.Expression {
    const f = this.f;
    if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
    if (ts.isObjectBindingPattern(name)) {
      return f.createObjectLiteralExpression(name.elements.map((el): ts.ObjectLiteralElementLike => {
        if (el.dotDotDotToken) return f.createSpreadAssignment(this.bindingToTarget(el.name));
        const init = el.initializer ? this.visit(el.initializer) : undefined;
        if (!el.propertyName && ts.isIdentifier(el.name)) {
          return f.createShorthandPropertyAssignment(el.name.text, init);
        }
        const target = this.bindingToTarget(el.name);
        const key = el.propertyName ?? (el.name as ts.Identifier);
        return f.createPropertyAssignment(this.visit(key) as ts.PropertyName, init ? f.createAssignment(target, init) : target);
      }));
    }
    return f.createArrayLiteralExpression(name.elements.map((el): ts.Expression => {
      if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
      const target = this.bindingToTarget(el.name);
      if (el.dotDotDotToken) return f.createSpreadElement(target);
      return el.initializer ? f.createAssignment(target, this.visit(el.initializer)) : target;
    }));
  }
}

/**
 * The statement whose value the cell shows: the last one, when it came from an expression statement
 * of the cell (not one TypeScript synthesized, e.g. an enum's IIFE). Trailing empty statements and
 * the `export {};` TypeScript appends to a module without imports or exports are skipped.
 */
function capturedLastStatement(statements: ts.NodeArray<ts.Statement>): ts.ExpressionStatement | undefined {
  let lastIndex = statements.length - 1;
  while (lastIndex >= 0 && (ts.isEmptyStatement(statements[lastIndex]) || ts.isExportDeclaration(statements[lastIndex]))) lastIndex--;
  const last = lastIndex >= 0 ? statements[lastIndex] : undefined;
  return last !== undefined && ts.isExpressionStatement(last) && ts.isExpressionStatement(ts.getOriginalNode(last)) ? last : undefined;
}

/** A function declaration's `async`, the one modifier its expression form keeps. */
function asyncModifier(stmt: ts.FunctionDeclaration): ts.Modifier[] | undefined {
  return stmt.modifiers?.filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword) as ts.Modifier[] | undefined;
}

/** `var`, not `let`/`const`. */
function isVarList(list: ts.VariableDeclarationList): boolean {
  return (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
}

function collectNames(name: ts.BindingName, into: Set<string>): void {
  if (ts.isIdentifier(name)) {
    into.add(name.text);
    return;
  }
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) collectNames(el.name, into);
}

/**
 * Transpiles a module file imported by a cell (a relative .ts/.js next to the notebook) to
 * CommonJS, for the loader's synchronous module wrapper. Returns the code and its mappings.
 */
export function transpileModuleFile(source: string, fileName: string): { code: string; mappings: LineMappings; syntaxErrors: CellSyntaxError[] } {
  const out = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      allowJs: true,
      sourceMap: true,
      newLine: ts.NewLineKind.LineFeed,
      experimentalDecorators: true,
    },
    fileName,
    reportDiagnostics: true,
  });
  const syntaxErrors = (out.diagnostics ?? [])
    .filter((d) => d.category === ts.DiagnosticCategory.Error && isBlockingDiagnostic(d.code))
    .map((d) => toCellError(d, source));
  const mappings = out.sourceMapText ? decodeMappings(JSON.parse(out.sourceMapText).mappings as string) : [];
  return { code: stripSourceMapComment(out.outputText), mappings, syntaxErrors };
}
