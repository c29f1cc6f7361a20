import {
  ABBREVIATIONS,
  BARE_TITLES,
  MONTHS,
  NUMBERED_WORDS,
  REGNAL_NAMES,
} from './abbreviations-en.js';
import { escapeRegExp } from './lexicon.js';
import {
  cardinal,
  digitByDigit,
  numberWords,
  ordinal,
  plural,
  romanValue,
  year,
} from './numbers-en.js';

type Rule = [RegExp, (...groups: string[]) => string];

/** What follows a full stop that ends a sentence: a capital, a new line, or the end. */
const SENTENCE_NEXT = /^\s*(?:$|\n|["“‘'(]?\p{Lu})/u;
const endsSentence = (whole: unknown, at: unknown) =>
  SENTENCE_NEXT.test(String(whole).slice(Number(at)));

const CURRENCIES: Record<string, [string, string]> = {
  $: ['dollar', 'dollars'],
  '£': ['pound', 'pounds'],
  '€': ['euro', 'euros'],
  '¥': ['yen', 'yen'],
};
const CENTS: Record<string, string> = { $: 'cents', '€': 'cents', '£': 'pence' };

/** "$5.50" → "five dollars and fifty cents", "£3 million" → "three million pounds". */
function money(symbol: string, amount: string, scale = ''): string {
  const [one, many] = CURRENCIES[symbol] as [string, string];
  const [whole = '0', cents] = amount.replace(/,/g, '').split('.');
  if (scale) return `${numberWords(amount.replace(/,/g, ''))} ${scale} ${many}`;
  const unit = whole === '1' ? one : many;
  const main = `${cardinal(whole)} ${unit}`;
  if (!cents || /^0+$/.test(cents) || cents.length !== 2 || !CENTS[symbol]) {
    return cents && !/^0+$/.test(cents) ? `${numberWords(amount)} ${many}` : main;
  }
  return `${main} and ${cardinal(cents)} ${CENTS[symbol]}`;
}

/** "3:30" → "three thirty", "7:00" → "seven o'clock", "10:05 pm" → "ten oh five p m". */
function time(h: string, m: string, half?: string): string {
  const hour = cardinal(String(Number(h)));
  const suffix = half ? ` ${half.toLowerCase()} m` : '';
  if (m === '00') return half ? `${hour}${suffix}` : `${hour} o'clock`;
  const minutes = m.startsWith('0') ? `oh ${cardinal(m.slice(1))}` : cardinal(m);
  return `${hour} ${minutes}${suffix}`;
}

const MONTH_NAMES = MONTHS.split('|');
const DENOMINATORS: Record<string, [string, string]> = {
  '2': ['half', 'halves'],
  '4': ['quarter', 'quarters'],
};

/** "1/2" → "one half", "3/4" → "three quarters", "2/3" → "two thirds". */
function fraction(a: string, b: string): string {
  const [one, many] = DENOMINATORS[b] ?? [ordinal(b), `${ordinal(b)}s`];
  return `${cardinal(a)} ${a === '1' ? one : many}`;
}

/** A plain number: four digits from 1100 to 2099 are read as a year, others as quantities. */
function plainNumber(minus: string, digits: string, decimals?: string): string {
  const sign = minus ? 'minus ' : '';
  const n = Number(digits);
  if (!decimals && /^\d{4}$/.test(digits) && n >= 1000 && n < 2100 && n % 1000 !== 0)
    return sign + year(digits);
  return sign + numberWords(decimals ? `${digits}.${decimals}` : digits);
}

/** Spoken web addresses: "https://www.gutenberg.org/ebooks/1342" → "gutenberg dot org slash ebooks slash 1342". */
function url(address: string): string {
  const bare = address.replace(/^[a-z]+:\/\//i, '').replace(/^www\./i, '');
  const [host = '', ...path] = bare.replace(/[?#].*$/, '').split('/');
  const spokenPath = path.filter(Boolean).map((p) =>
    p
      .replace(/[-_.]+/g, ' ')
      .replace(/\d+/g, (d) => ` ${d.length > 3 ? digitByDigit(d) : cardinal(d)} `)
      .trim(),
  );
  return [host.split('.').join(' dot '), ...spokenPath].join(' slash ');
}

const email = (local: string, domain: string) =>
  `${local.replace(/[._]/g, ' ')} at ${domain.split('.').join(' dot ')}`;

/** Words after a four-digit number that make it a quantity rather than a year. */
const COUNTED =
  'ft|feet|foot|miles?|km|metres?|meters?|yards?|tons?|lbs?|pounds|acres|men|women|people|persons|inhabitants|soldiers|troops|copies|pages|words|horses|ships|guns|bales|bushels|dollars|square|cubic';

const NUMBER = '\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|(?<!\\d)\\.\\d+';

/** Roman numerals after a word that numbers things, and after names; see README "Text for speech". */
const ROMAN_RULES: Rule[] = [
  [
    new RegExp(`\\b(${NUMBERED_WORDS})(\\s+)([IVXL]+)\\b(?!['’])`, 'gi'),
    (m, word, space, numeral) => {
      const v = numeral === numeral.toUpperCase() ? romanValue(numeral) : undefined;
      // "the book I read", "the letter X": one letter is a numeral only after a capital.
      const single = numeral.length === 1 && !/^\p{Lu}/u.test(word);
      return v && !single ? `${word}${space}${cardinal(String(v))}` : m;
    },
  ],
  [
    /\b(\p{Lu}\p{Ll}+)(\s+)([IVX]+)\b(?!['’])/gu,
    (m, name, space, numeral) => {
      const v = romanValue(numeral);
      const regnal = REGNAL_NAMES.has(name) || numeral.length > 1;
      return v && regnal ? `${name}${space}the ${ordinal(String(v))}` : m;
    },
  ],
];

const ABBREVIATION_RULES: Rule[] = ABBREVIATIONS.map(({ written, said, end, before }) => {
  const next = before === 'digit' ? '(?=\\s*\\d)' : before === 'name' ? '(?=\\s+\\p{Lu})' : '';
  const start = /^\p{L}/u.test(written) ? '(?<![\\p{L}\\p{N}.])' : '';
  const pattern = new RegExp(`${start}${escapeRegExp(written)}${next}`, 'gu');
  return [
    pattern,
    (...args: unknown[]) => {
      if (!end) return said;
      const [offset, whole] = args.slice(-2);
      return endsSentence(whole, Number(offset) + written.length) ? `${said}.` : said;
    },
  ];
});

/**
 * English text as a listener expects it read, rule by rule, most specific first: addresses,
 * abbreviations (before the numbers they point at are spelled out: "No. 5", "pp. 3–4"),
 * money, percentages, times, dates, ordinals, decades, ranges, fractions, Roman numerals,
 * symbols, then the numbers left. Table-tested in test/unit/normalize.test.ts.
 */
export const ENGLISH_RULES: Rule[] = [
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, (m) => email(...(m.split('@') as [string, string]))],
  [/\b(?:https?:\/\/|www\.)[^\s<>"]*[^\s<>".,;:!?)\]]/gi, (m) => url(m)],
  ...ABBREVIATION_RULES,
  [/\b(Mr|Mrs|Dr|Messrs)(?=\s+\p{Lu})/gu, (t) => BARE_TITLES[t] as string],
  [/\bSt\.?(?=\s+\p{Lu})/gu, () => 'Saint'],
  [
    /(?<=\p{Lu}\p{Ll}*\s+)St\./gu,
    (_m, offset, whole) => (endsSentence(whole, Number(offset) + 3) ? 'Street.' : 'Street'),
  ],
  [
    new RegExp(`([$£€¥])\\s?(${NUMBER})(?:\\s+(thousand|million|billion|trillion)\\b)?`, 'g'),
    (_m, symbol, amount, scale) => money(symbol, amount, scale),
  ],
  [/\b(\d+)¢/g, (_m, n) => `${cardinal(n)} ${n === '1' ? 'cent' : 'cents'}`],
  [new RegExp(`(${NUMBER})\\s?%`, 'g'), (_m, n) => `${numberWords(n.replace(/,/g, ''))} percent`],
  [
    /\b([01]?\d|2[0-4]):([0-5]\d)\b(?!:\d)(?:\s*([ap])\.?\s?m\b\.?)?/gi,
    (match, h, m, half, offset, whole) =>
      time(h, m, half) +
      (match.endsWith('.') && endsSentence(whole, Number(offset) + match.length) ? '.' : ''),
  ],
  [
    /\b(\d{4})-(\d{2})-(\d{2})\b/g,
    (m, y, mo, d) => {
      const month = MONTH_NAMES[Number(mo) - 1];
      return month && Number(d) >= 1 && Number(d) <= 31
        ? `${month} ${ordinal(String(Number(d)))}, ${year(y)}`
        : m;
    },
  ],
  [
    new RegExp(`\\b(${MONTHS})\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?!:)`, 'g'),
    (_m, month, d) => `${month} ${ordinal(d)}`,
  ],
  [
    new RegExp(`\\b(?:([Tt]he)\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${MONTHS})\\b`, 'g'),
    (_m, the, d, month) => `${the ?? 'the'} ${ordinal(d)} of ${month}`,
  ],
  [/\b(\d+)(?:st|nd|rd|th)\b/gi, (_m, n) => ordinal(n)],
  [/\b(1[1-9]\d0|20\d0)['’]?s\b/g, (_m, y) => plural(year(y))],
  [
    /\b(1[1-9]\d\d|20\d\d)\s?[–-]\s?(\d{4}|\d{2})\b/g,
    (_m, from, to) => `${year(from)} to ${to.length === 4 ? year(to) : cardinal(to)}`,
  ],
  [/(?<![\d/])\b(\d+)\/([2-9]|10)\b(?![/\d])/g, (_m, a, b) => fraction(a, b)],
  [
    new RegExp(`\\b(${NUMBER})\\s?–\\s?(${NUMBER})\\b`, 'g'),
    (_m, a, b) => `${numberWords(a)} to ${numberWords(b)}`,
  ],
  ...ROMAN_RULES,
  [/\s*&\s*/g, () => ' and '],
  [/§§\s*/g, () => 'sections '],
  [/§\s*/g, () => 'section '],
  [/#(?=\d)/g, () => 'number '],
  [/°\s?([CF])\b/g, (_m, s) => (s === 'C' ? ' degrees Celsius' : ' degrees Fahrenheit')],
  [/°/g, () => ' degrees'],
  [/½/g, () => ' and a half'],
  [/¼/g, () => ' and a quarter'],
  [/¾/g, () => ' and three quarters'],
  // Four digits that count things are a quantity, not a year ("1248 tons", "1686 ft.").
  [new RegExp(`(?<![\\d,.])(\\d{4})(?=\\s+(?:${COUNTED})\\b)`, 'g'), (_m, n) => cardinal(n)],
  [
    /((?<=^|[\s(])[-−])?(?<![\p{L}\p{N}_.,/:])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\p{L}\p{N}]|[.,:]\d)/gmu,
    (_m, minus, digits, decimals) => plainNumber(minus ?? '', digits.replace(/,/g, ''), decimals),
  ],
];

/** A heading that opens with its Roman number ("XIV. The Escape"): the number said as one. */
export function englishHeading(title: string): string {
  return title.replace(/^[IVXLCDM]+(?=[.:]|$)/, (numeral) => {
    const v = romanValue(numeral);
    return v ? cardinal(String(v)) : numeral;
  });
}
