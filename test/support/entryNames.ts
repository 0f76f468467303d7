/**
 * The names a package entry exports, values and types alike, as the TypeScript compiler resolves
 * them from the entry's index.ts (re-exports followed).
 */
import ts from 'typescript';

/**
 * Every exported name of each entry file, sorted.
 * @example
 * entryNames(['src/index.ts'])['src/index.ts'] // ['ApiError', 'classify', …]
 */
export function entryNames(files: string[]): Record<string, string[]> {
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const names: Record<string, string[]> = {};
  for (const file of files) {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    if (!symbol) throw new Error(`${file} is not a module`);
    names[file] = checker.getExportsOfModule(symbol).map((s) => s.getName()).toSorted();
  }
  return names;
}
