import { openEpubZip } from '../../src/epub/epub-zip.js';
import type { Entry } from './epub-maker.js';

/** A small seeded PRNG (mulberry32): the same seed makes the same books. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(list: T[]): T => list[int(0, list.length - 1)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

/** Every entry of an EPUB, decompressed. */
export async function readEntries(file: string): Promise<{ name: string; data: Buffer }[]> {
  const zip = await openEpubZip(file);
  try {
    const out: { name: string; data: Buffer }[] = [];
    for (const name of zip.names()) out.push({ name, data: await zip.read(name) });
    return out;
  } finally {
    zip.close();
  }
}

const isMarkup = (name: string) => /\.(x?html?|opf|ncx|xml)$/i.test(name);
const isDocument = (name: string) => /\.x?html?$/i.test(name);

/** A random entry that passes `test`; a mutation has nothing to do when there is none. */
function pickEntry(
  entries: { name: string; data: Buffer }[],
  rng: Rng,
  test: (n: string) => boolean,
) {
  const list = entries.filter((x) => test(x.name));
  return list.length > 0 ? rng.pick(list) : undefined;
}

/** Inserts `text` after the first match of `after` (or at a random place) in a markup entry. */
function insert(data: Buffer, text: string, rng: Rng, after = /<body[^>]*>/i): Buffer {
  const s = data.toString('utf8');
  const m = after.exec(s);
  const at = m ? m.index + m[0].length : rng.int(0, s.length);
  return Buffer.from(s.slice(0, at) + text + s.slice(at));
}

type Mutation = (entries: { name: string; data: Buffer }[], rng: Rng) => string;

/**
 * The kinds of damage a hostile or broken file carries, each applied to a real
 * book: random bytes, cut entries, deep nesting, huge and deep tables of
 * contents, repeated spine items, enormous text, NUL characters, lost entries.
 */
export const MUTATIONS: Record<string, Mutation> = {
  flipBytes(entries, rng) {
    const e = pickEntry(entries, rng, () => true);
    if (!e) return 'no entry to flip';
    const data = Buffer.from(e.data);
    const n = rng.int(1, 64);
    for (let i = 0; i < n && data.length > 0; i++)
      data[rng.int(0, data.length - 1)] = rng.int(0, 255);
    e.data = data;
    return `${n} bytes of ${e.name}`;
  },
  truncate(entries, rng) {
    const e = pickEntry(entries, rng, isMarkup);
    if (!e) return 'nothing to cut';
    e.data = e.data.subarray(0, rng.int(0, e.data.length));
    return `${e.name} cut to ${e.data.length} bytes`;
  },
  deepNesting(entries, rng) {
    const e = pickEntry(entries, rng, isDocument);
    if (!e) return 'no document to nest in';
    const depth = rng.int(500, 60_000);
    const tag = rng.pick(['div', 'span', 'b', 'a href="#x"', 'sup', 'p', 'table', 'ol']);
    e.data = insert(e.data, `<${tag}>`.repeat(depth), rng);
    return `${depth} nested <${tag}> in ${e.name}`;
  },
  hugeToc(entries, rng) {
    const docs = entries.filter((x) => isDocument(x.name));
    if (docs.length === 0) return 'no document to point at';
    const target = rng.pick(docs).name.split('/').pop();
    const n = rng.int(2000, 50_000);
    const items = Array.from(
      { length: n },
      (_, i) => `<li><a href="${target}#p${i}">Part ${i}</a></li>`,
    );
    const nav = entries.find((x) => /nav|toc/i.test(x.name) && /\.x?html?$/i.test(x.name));
    const host = nav ?? rng.pick(docs);
    host.data = insert(host.data, `<nav epub:type="toc"><ol>${items.join('')}</ol></nav>`, rng);
    return `${n} TOC entries in ${host.name}`;
  },
  deepToc(entries, rng) {
    const nav = entries.find((x) => /\.ncx$/i.test(x.name)) ?? pickEntry(entries, rng, isMarkup);
    if (!nav) return 'no markup to nest a TOC in';
    const depth = rng.int(1000, 100_000);
    const point = '<navPoint><navLabel><text>x</text></navLabel><content src="a.xhtml"/>';
    nav.data = insert(nav.data, point.repeat(depth), rng, /<navMap[^>]*>/i);
    return `${depth}-deep TOC in ${nav.name}`;
  },
  spineRepeat(entries, rng) {
    const opf = entries.find((x) => /\.opf$/i.test(x.name));
    if (!opf) return 'no package document';
    const s = opf.data.toString('utf8');
    const ref = /<itemref[^>]*\/>/i.exec(s)?.[0] ?? '<itemref idref="x"/>';
    const k = rng.int(11, 20_000);
    opf.data = insert(opf.data, ref.repeat(k), rng, /<spine[^>]*>/i);
    return `spine repeats an item ${k} times`;
  },
  hugeText(entries, rng) {
    const e = pickEntry(entries, rng, isDocument);
    if (!e) return 'no document to grow';
    const mb = rng.int(1, 4); // the 38 MB case is in poison-books.test.ts
    e.data = insert(e.data, `<p>${'All work and no play. '.repeat((mb * 1048576) / 22)}</p>`, rng);
    return `${mb} MB text node in ${e.name}`;
  },
  nul(entries, rng) {
    const e = pickEntry(entries, rng, isMarkup);
    if (!e) return 'no markup for NULs';
    const s = e.data.toString('utf8');
    const n = rng.int(1, 20);
    let out = s;
    for (let i = 0; i < n; i++) {
      const at = rng.int(0, out.length);
      out = `${out.slice(0, at)}\u0000${out.slice(at)}`;
    }
    e.data = Buffer.from(out.replace(/<dc:title>/i, '<dc:title>\u0000'));
    return `${n} NULs in ${e.name}`;
  },
  dropEntry(entries, rng) {
    const i = rng.int(0, entries.length - 1);
    const [gone] = entries.splice(i, 1);
    return `${gone?.name} removed`;
  },
  markupSoup(entries, rng) {
    const e = pickEntry(entries, rng, isMarkup);
    if (!e) return 'no markup to soil';
    const s = e.data.toString('utf8').split('');
    const n = rng.int(1, 200);
    for (let i = 0; i < n; i++)
      s.splice(
        rng.int(0, s.length),
        0,
        rng.pick(['<', '>', '&', '"', '</', '<!--', ']]>', '&#0;', '&#xD800;']),
      );
    e.data = Buffer.from(s.join(''));
    return `${n} stray markup characters in ${e.name}`;
  },
};

/** One mutated book from `entries` (not changed): its entries and what was done to it. */
export function mutate(
  entries: { name: string; data: Buffer }[],
  rng: Rng,
): { entries: Entry[]; what: string[] } {
  const copy = entries.map((e) => ({ ...e }));
  const names = Object.keys(MUTATIONS);
  const what: string[] = [];
  for (let i = rng.int(1, 2); i > 0; i--) {
    const name = rng.pick(names);
    what.push(`${name}: ${(MUTATIONS[name] as Mutation)(copy, rng)}`);
  }
  // The mimetype entry first, as a real EPUB has it (unless a mutation removed it).
  copy.sort((a, b) => Number(b.name === 'mimetype') - Number(a.name === 'mimetype'));
  return { entries: copy, what };
}
