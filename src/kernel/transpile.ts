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

function cellTransformer(bindings: Set<string>): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (file) => {
    const f = context.factory;
    let tempCounter = 0;
    const hoisted: ts.Statement[] = [];
    const body: ts.Statement[] = [];

    const visitDynamicImports = (node: ts.Node): ts.Node => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const call = f.createCallExpression(
          f.createPropertyAccessExpression(f.createIdentifier(KERNEL_PARAM), "import"),
          undefined,
          node.arguments.map((a) => ts.visitNode(a, visitDynamicImports) as ts.Expression),
        );
        return ts.setTextRange(call, node);
      }
      return ts.visitEachChild(node, visitDynamicImports, context);
    };
    const visit = <T extends ts.Node>(node: T): T => ts.visitNode(node, visitDynamicImports) as T;

    // `var` inside a top-level block or loop (`for (var i = 0; …)`) is a top-level binding too, as
    // in a script: its declarations become assignments and its names bindings. Functions and classes
    // keep their own `var`s.
    const isVarList = (list: ts.VariableDeclarationList) => (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
    const varAssignments = (list: ts.VariableDeclarationList): ts.Expression | undefined => {
      const parts: ts.Expression[] = [];
      for (const decl of list.declarations) {
        collectNames(decl.name, bindings);
        if (decl.initializer) parts.push(ts.setTextRange(f.createAssignment(bindingToTarget(decl.name), visitNested(decl.initializer) as ts.Expression), decl));
      }
      return parts.length === 0 ? undefined : parts.reduce((a, b) => f.createComma(a, b));
    };
    const visitNested = (node: ts.Node): ts.Node => {
      if (ts.isFunctionLike(node) || ts.isClassLike(node)) return visitDynamicImports(node);
      if (ts.isVariableStatement(node) && isVarList(node.declarationList)) {
        const expr = varAssignments(node.declarationList);
        return ts.setTextRange(expr ? f.createExpressionStatement(expr) : f.createEmptyStatement(), node);
      }
      if (ts.isForStatement(node) && node.initializer && ts.isVariableDeclarationList(node.initializer) && isVarList(node.initializer)) {
        return f.updateForStatement(node, varAssignments(node.initializer), node.condition && visitNested(node.condition) as ts.Expression,
          node.incrementor && visitNested(node.incrementor) as ts.Expression, visitNested(node.statement) as ts.Statement);
      }
      if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && ts.isVariableDeclarationList(node.initializer) && isVarList(node.initializer)) {
        const decl = node.initializer.declarations[0];
        collectNames(decl.name, bindings);
        const target = bindingToTarget(decl.name);
        const expr = visitNested(node.expression) as ts.Expression;
        const statement = visitNested(node.statement) as ts.Statement;
        return ts.isForInStatement(node) ? f.updateForInStatement(node, target, expr, statement)
          : f.updateForOfStatement(node, node.awaitModifier, target, expr, statement);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) return visitDynamicImports(node);
      return ts.visitEachChild(node, visitNested, context);
    };

    const assign = (target: ts.Expression, value: ts.Expression, range: ts.Node): ts.Statement =>
      ts.setTextRange(f.createExpressionStatement(f.createAssignment(target, value)), range);

    // The last statement that came from an expression statement of the cell (not one TypeScript
    // synthesized, e.g. an enum's IIFE) gets captured.
    const statements = file.statements;
    let lastIndex = statements.length - 1;
    // (`export {};` is what TypeScript appends to a module without imports or exports.)
    while (lastIndex >= 0 && (ts.isEmptyStatement(statements[lastIndex]) || ts.isExportDeclaration(statements[lastIndex]))) lastIndex--;
    const last = lastIndex >= 0 ? statements[lastIndex] : undefined;
    const captureLast = last !== undefined && ts.isExpressionStatement(last) &&
      ts.isExpressionStatement(ts.getOriginalNode(last));

    for (const stmt of statements) {
      if (ts.isImportDeclaration(stmt)) {
        body.push(...rewriteImport(stmt));
      } else if (ts.isVariableStatement(stmt)) {
        const isVar = (stmt.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
        for (const decl of stmt.declarationList.declarations) {
          collectNames(decl.name, bindings);
          if (decl.initializer) {
            body.push(assign(bindingToTarget(decl.name), visit(decl.initializer), decl));
          } else if (!isVar) {
            body.push(assign(bindingToTarget(decl.name), f.createVoidZero(), decl));
          }
        }
      } else if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
        bindings.add(stmt.name.text);
        const expr = f.createFunctionExpression(
          stmt.modifiers?.filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword) as ts.Modifier[] | undefined,
          stmt.asteriskToken, f.createIdentifier(stmt.name.text), undefined,
          ts.visitNodes(stmt.parameters, visitDynamicImports) as ts.NodeArray<ts.ParameterDeclaration>, undefined, visit(stmt.body));
        ts.setTextRange(expr, stmt);
        hoisted.push(assign(f.createIdentifier(stmt.name.text), expr, stmt));
      } else if (ts.isClassDeclaration(stmt) && stmt.name) {
        bindings.add(stmt.name.text);
        const expr = f.createClassExpression(
          stmt.modifiers?.filter((m) => ts.isDecorator(m)) as ts.ModifierLike[] | undefined,
          f.createIdentifier(stmt.name.text), undefined, stmt.heritageClauses?.map(visit), stmt.members.map(visit));
        ts.setTextRange(expr, stmt);
        body.push(assign(f.createIdentifier(stmt.name.text), expr, stmt));
      } else if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) && !stmt.name) {
        // `export default function () {}` / `export default class {}`: an unnamed value, like `export default expr`.
        const expr = ts.isFunctionDeclaration(stmt)
          ? f.createFunctionExpression(stmt.modifiers?.filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword) as ts.Modifier[] | undefined,
            stmt.asteriskToken, undefined, undefined, ts.visitNodes(stmt.parameters, visitDynamicImports) as ts.NodeArray<ts.ParameterDeclaration>,
            undefined, stmt.body ? visit(stmt.body) : f.createBlock([]))
          : f.createClassExpression(undefined, undefined, undefined, stmt.heritageClauses?.map(visit), stmt.members.map(visit));
        body.push(ts.setTextRange(f.createExpressionStatement(f.createParenthesizedExpression(expr)), stmt));
      } else if (ts.isExportDeclaration(stmt)) {
        // `export { a }` / `export * from "m"`: a cell has no importers; nothing to do.
      } else if (ts.isExportAssignment(stmt)) {
        body.push(ts.setTextRange(f.createExpressionStatement(visit(stmt.expression)), stmt));
      } else if (stmt === last && captureLast && ts.isExpressionStatement(stmt)) {
        const value = f.createObjectLiteralExpression([f.createPropertyAssignment("value", visit(stmt.expression))]);
        body.push(ts.setTextRange(f.createReturnStatement(value), stmt));
      } else {
        body.push(ts.visitNode(stmt, visitNested) as ts.Statement);
      }
    }
    return f.updateSourceFile(file, [...hoisted, ...body]);

    function rewriteImport(stmt: ts.ImportDeclaration): ts.Statement[] {
      const spec = stmt.moduleSpecifier;
      const load = f.createAwaitExpression(f.createCallExpression(
        f.createPropertyAccessExpression(f.createIdentifier(KERNEL_PARAM), "import"), undefined, [spec]));
      const clause = stmt.importClause;
      if (!clause) return [ts.setTextRange(f.createExpressionStatement(load), stmt)];
      if (clause.isTypeOnly) return [];
      // The module object is a local of the cell; only the imported names become bindings.
      const tmp = `__rnnm$${++tempCounter}`;
      const out: ts.Statement[] = [ts.setTextRange(f.createVariableStatement(undefined, f.createVariableDeclarationList(
        [f.createVariableDeclaration(tmp, undefined, undefined, load)], ts.NodeFlags.Const)), stmt)];
      if (clause.name) {
        bindings.add(clause.name.text);
        out.push(assign(f.createIdentifier(clause.name.text), f.createCallExpression(
          f.createPropertyAccessExpression(f.createIdentifier(KERNEL_PARAM), "default"), undefined, [f.createIdentifier(tmp)]), stmt));
      }
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) {
        bindings.add(nb.name.text);
        out.push(assign(f.createIdentifier(nb.name.text), f.createIdentifier(tmp), stmt));
      } else if (nb) {
        for (const el of nb.elements) {
          if (el.isTypeOnly) continue;
          bindings.add(el.name.text);
          const imported = el.propertyName ?? el.name;
          const access = ts.isIdentifier(imported)
            ? f.createPropertyAccessExpression(f.createIdentifier(tmp), imported.text)
            : f.createElementAccessExpression(f.createIdentifier(tmp), f.createStringLiteral(imported.text));
          out.push(assign(f.createIdentifier(el.name.text), access, el));
        }
      }
      return out;
    }

    /** A binding pattern as an assignment target: `{ a, b: [c] = d }` → the same as an expression. */
    function bindingToTarget(name: ts.BindingName): ts.Expression {
      if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
      if (ts.isObjectBindingPattern(name)) {
        return f.createObjectLiteralExpression(name.elements.map((el): ts.ObjectLiteralElementLike => {
          if (el.dotDotDotToken) return f.createSpreadAssignment(bindingToTarget(el.name));
          const init = el.initializer ? visit(el.initializer) : undefined;
          if (!el.propertyName && ts.isIdentifier(el.name)) {
            return f.createShorthandPropertyAssignment(el.name.text, init);
          }
          const target = bindingToTarget(el.name);
          const key = el.propertyName ?? (el.name as ts.Identifier);
          return f.createPropertyAssignment(visit(key) as ts.PropertyName, init ? f.createAssignment(target, init) : target);
        }));
      }
      return f.createArrayLiteralExpression(name.elements.map((el): ts.Expression => {
        if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
        const target = bindingToTarget(el.name);
        if (el.dotDotDotToken) return f.createSpreadElement(target);
        return el.initializer ? f.createAssignment(target, visit(el.initializer)) : target;
      }));
    }
  };
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
