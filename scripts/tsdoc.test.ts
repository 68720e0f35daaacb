import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const coreIndex = path.resolve(import.meta.dirname, '../packages/core/src/index.ts');

/** The exports of `@tagwright/core` whose declaration carries no TSDoc comment. */
function undocumentedExports(): string[] {
  const program = ts.createProgram([coreIndex], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(coreIndex);
  const moduleSymbol = source ? checker.getSymbolAtLocation(source) : undefined;
  if (!moduleSymbol) throw new Error(`cannot read ${coreIndex}`);
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    if (!declaration) continue;
    const documented =
      symbol.getDocumentationComment(checker).length > 0 ||
      ts.getJSDocCommentsAndTags(declaration).length > 0 ||
      (ts.isVariableDeclaration(declaration) && ts.getJSDocCommentsAndTags(declaration.parent.parent).length > 0);
    if (!documented) missing.push(`${exported.name} (${path.relative(path.dirname(coreIndex), declaration.getSourceFile().fileName)})`);
  }
  return missing;
}

describe('@tagwright/core public API', () => {
  it('documents every export with TSDoc', () => {
    expect(undocumentedExports()).toEqual([]);
  }, 180_000);
});
