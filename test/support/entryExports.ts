/**
 * What the package's entries export, read with the TypeScript compiler from the sources the
 * package.json "exports" map builds them from (types included), and what a snippet of TypeScript
 * imports and leaves undeclared: how the documentation tests tell a name the docs may show, and a
 * snippet that runs alone from a fragment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * Each entry's specifier (`mx-lifecycle`, `mx-lifecycle/machines`, …) with the names it exports.
 * @example
 * entryExports(root).get('mx-lifecycle')?.has('createRuntime') // true
 */
export function entryExports(root: string): Map<string, Set<string>> {
  const sources = entrySources(root);
  const program = ts.createProgram([...sources.values()], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const exports = new Map<string, Set<string>>();
  for (const [entry, file] of sources) {
    const source = program.getSourceFile(file);
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (symbol === undefined) throw new Error(`${entry}: cannot read ${file}`);
    exports.set(entry, new Set(checker.getExportsOfModule(symbol).map((s) => s.name)));
  }
  return exports;
}

/**
 * Each entry's specifier with the source file its build comes from, through the package.json
 * "exports" map (`./dist/src/index.d.ts` is built from `src/index.ts`).
 * @example
 * entrySources(root).get('mx-lifecycle/machines') // '/…/machines/index.ts'
 */
export function entrySources(root: string): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const sources = new Map<string, string>();
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string' || target.types === undefined) continue;
    const source = target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts');
    sources.set(key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`, join(root, source));
  }
  return sources;
}

/** One import of a snippet: the module and the names it takes. */
export interface SnippetImport {
  from: string;
  names: string[];
}

/** What a snippet imports, and the names it uses without declaring or importing them. */
export interface SnippetNames {
  imports: SnippetImport[];
  free: string[];
}

/** What a snippet may use without declaring: the globals of Node and the language. */
const GLOBALS = new Set([
  'console', 'process', 'fetch', 'Date', 'JSON', 'Object', 'Promise', 'Math', 'URL', 'setTimeout', 'clearTimeout',
  'Buffer', 'Error', 'TypeError', 'undefined', 'Number', 'String', 'Array', 'Set', 'Map', 'globalThis', 'Symbol',
  'AbortController', 'AbortSignal', 'TextEncoder', 'Boolean', 'RegExp', 'structuredClone', 'NaN', 'Infinity',
]);

/**
 * Reads a TypeScript snippet's imports and the value names it uses without declaring them.
 * @example
 * snippetNames("import { openStore } from 'mx-lifecycle';\nawait openStore(url).close();")
 * // { imports: [{ from: 'mx-lifecycle', names: ['openStore'] }], free: ['url'] }
 */
export function snippetNames(code: string): SnippetNames {
  const source = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: SnippetImport[] = [];
  const declared = new Set<string>();
  const used = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const names: string[] = [];
      const clause = node.importClause;
      if (clause?.name !== undefined) names.push(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) declared.add(bindings.name.text);
      if (bindings !== undefined && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          names.push((element.propertyName ?? element.name).text);
          declared.add(element.name.text);
        }
      }
      if (clause?.name !== undefined) declared.add(clause.name.text);
      imports.push({ from: node.moduleSpecifier.text, names });
      return;
    }
    if (ts.isTypeNode(node)) return;
    if (ts.isIdentifier(node)) {
      if (isDeclaration(node)) declared.add(node.text);
      else if (isReference(node)) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, free: [...used].filter((name) => !declared.has(name) && !GLOBALS.has(name)) };
}

/** Whether an identifier is the name a declaration gives (a variable, function, class or parameter). */
function isDeclaration(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    ((ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent) ||
      ts.isParameter(parent) || ts.isFunctionExpression(parent)) && parent.name === node) ||
    (ts.isBindingElement(parent) && parent.name === node)
  );
}

/** Whether an identifier reads a value (not a property name, a label or a key of an object literal). */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isPropertyAssignment(parent) && parent.name === node) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isLabeledStatement(parent)) return false;
  if (ts.isBreakOrContinueStatement(parent) || ts.isQualifiedName(parent)) return false;
  return true;
}
