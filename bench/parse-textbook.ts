import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseEpubFile } from '../src/epub/epub-parser.js';
import { writeBook } from '../test/support/poison-books.js';

const round = (n: number) => Math.round(n * 10) / 10;

/** A display formula as MathML tools write it: prefixed, with semantics and its TeX. */
const formula = (i: number) =>
  `<m:math xmlns:m="http://www.w3.org/1998/Math/MathML" alttext="f(x)"><m:semantics><m:mrow><m:mi>f</m:mi><m:mo stretchy="false">(</m:mo><m:mi>x</m:mi><m:mo stretchy="false">)</m:mo><m:mo>=</m:mo><m:munderover><m:mo movablelimits="false">∑</m:mo><m:mrow><m:mi>k</m:mi><m:mo>=</m:mo><m:mn>0</m:mn></m:mrow><m:mi>n</m:mi></m:munderover><m:mfrac><m:msup><m:mi>x</m:mi><m:mi>k</m:mi></m:msup><m:mrow><m:mi>k</m:mi><m:mo>!</m:mo></m:mrow></m:mfrac><m:mo>+</m:mo><m:msqrt><m:mn>${i}</m:mn></m:msqrt></m:mrow><m:annotation encoding="application/x-tex">f(x)=\\sum_{k=0}^{n} \\frac{x^k}{k!}+\\sqrt{${i}}</m:annotation></m:semantics></m:math>`;
const PARA =
  'Consider the function defined below, whose series converges for every real number x. ';

/**
 * A textbook-shaped book (the size of one that failed on the parse deadline: ~800,000
 * characters of text) whose every paragraph carries MathML, three formulas to a paragraph:
 * `--docs` documents of `--paragraphs` each. Parsed as the parse thread parses it, in this
 * process: wall and CPU time. The text of the formulas is not read aloud (epub-text.ts).
 */
export async function benchParseTextbook(opts: Record<string, string>) {
  const docsCount = Number(opts.docs ?? 8);
  const paragraphs = Number(opts.paragraphs ?? 600);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-textbook-'));
  try {
    const doc = (d: number) =>
      `<section id="ch${d}"><h1>Chapter ${d}</h1>${Array.from(
        { length: paragraphs },
        (_, i) =>
          `<p id="p${d}-${i}">${PARA.repeat(2)}<span class="math">${formula(i)}</span> and ${formula(i + 1)}.</p><div class="equation">${formula(i + 2)}</div>`,
      ).join('')}</section>`;
    const docs = Object.fromEntries(
      Array.from({ length: docsCount }, (_, d) => [`c${d + 1}.xhtml`, doc(d + 1)]),
    );
    const file = path.join(dir, 'textbook.epub');
    await writeBook(file, { title: 'Textbook', docs });
    const runs: { wallMs: number; cpuMs: number; chars: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const book = await parseEpubFile(file);
      const cpu = process.cpuUsage(cpu0);
      runs.push({
        wallMs: performance.now() - t0,
        cpuMs: (cpu.user + cpu.system) / 1000,
        chars: book.chapters.reduce((s, c) => s + c.text.length, 0),
      });
    }
    const best = runs.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
    return {
      documents: docsCount,
      markupMb: round(Object.values(docs).reduce((s, x) => s + x.length, 0) / 1e6),
      textChars: best.chars,
      parseWallMs: Math.round(best.wallMs),
      parseCpuMs: Math.round(best.cpuMs),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
