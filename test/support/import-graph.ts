import fs from 'node:fs/promises';
import path from 'node:path';

/** A file's imports and re-exports, type-only ones included, as written (`'../x.js'`, `'bullmq'`). */
export function importsOf(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gm)].map(
    (m) => m[1] as string,
  );
}

/** Every TypeScript file under `dir` with the files of `dir` it imports (relative imports). */
export async function importGraph(dir: string): Promise<Map<string, string[]>> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(await fs.readFile(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'))
      .filter((target) => target.startsWith(`${dir}${path.sep}`));
    graph.set(file, targets);
  }
  return graph;
}

/** The import cycles of a graph: each a list of files that import each other round (Tarjan). */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) visit(w);
      if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const cycle: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      cycle.push(w);
    } while (w !== v);
    if (cycle.length > 1 || graph.get(v)?.includes(v)) cycles.push(cycle);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
