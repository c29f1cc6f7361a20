import fs from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/fixtures.js';

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;

/**
 * Exceptions, each named with its reason in the README of its folder. A
 * factory whose body is its named functions is measured by those functions.
 */
const LONG_FUNCTIONS = new Set<string>([]);

async function sources(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ['src', 'flows']) {
    const entries = await fs.readdir(path.join(REPO, dir), {
      recursive: true,
      withFileTypes: true,
    });
    for (const e of entries)
      if (e.isFile() && e.name.endsWith('.ts')) files.push(path.join(e.parentPath, e.name));
  }
  return files;
}

/** Functions whose own body (not counting the named functions inside it) is too long. */
function longFunctions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      let lines = lineOf(node.end) - lineOf(node.getStart()) + 1;
      // Inner named functions are functions of their own: a factory is the sum of its parts.
      node.body.forEachChild(function sub(child) {
        if (ts.isFunctionDeclaration(child))
          lines -= lineOf(child.end) - lineOf(child.getStart()) + 1;
      });
      const name =
        (node as ts.FunctionDeclaration).name?.getText() ?? `(line ${lineOf(node.getStart()) + 1})`;
      if (lines > MAX_FUNCTION_LINES)
        out.push(`${path.relative(REPO, file)}: ${name} (${lines} lines)`);
    }
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

describe('files you can read in one sitting', () => {
  it(`no file in src/ or flows/ over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES}`, async () => {
    const problems: string[] = [];
    for (const file of await sources()) {
      const text = await fs.readFile(file, 'utf8');
      const lines = text.split('\n').length;
      if (lines > MAX_FILE_LINES) problems.push(`${path.relative(REPO, file)}: ${lines} lines`);
      problems.push(
        ...longFunctions(file, text).filter((f) => !LONG_FUNCTIONS.has(f.split(' (')[0] ?? '')),
      );
    }
    expect(problems).toEqual([]);
  });
});
