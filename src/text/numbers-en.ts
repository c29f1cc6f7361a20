/** English number words: the building blocks of normalize-en.ts. */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [bigint, string][] = [
  [10n ** 12n, 'trillion'],
  [10n ** 9n, 'billion'],
  [10n ** 6n, 'million'],
  [1000n, 'thousand'],
];

function belowThousand(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const words: string[] = [];
  if (hundreds > 0) words.push(`${ONES[hundreds]} hundred`);
  if (rest > 0) {
    if (hundreds > 0) words.push('and');
    if (rest < 20) words.push(ONES[rest] as string);
    else words.push(TENS[Math.floor(rest / 10)] + (rest % 10 ? `-${ONES[rest % 10]}` : ''));
  }
  return words.join(' ');
}

/** Each digit by its name: how a number too long to be a quantity (or with leading zeros) is read. */
export const digitByDigit = (digits: string) =>
  [...digits].map((d) => (d === '0' ? 'zero' : ONES[Number(d)])).join(' ');

/** "2,345" → "two thousand three hundred and forty-five"; past the trillions, digit by digit. */
export function cardinal(digits: string): string {
  const clean = digits.replace(/,/g, '');
  if (clean.length > 15) return digitByDigit(clean);
  let n = BigInt(clean);
  if (n === 0n) return 'zero';
  const words: string[] = [];
  for (const [size, name] of SCALES) {
    if (n >= size) {
      words.push(`${belowThousand(Number(n / size))} ${name}`);
      n %= size;
    }
  }
  if (n > 0n) {
    // "one thousand and five": British and American readers both say the "and" here.
    if (words.length > 0 && n < 100n) words.push('and');
    words.push(belowThousand(Number(n)));
  }
  return words.join(' ');
}

const ORDINAL_WORDS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** "twenty-three" → "twenty-third": the last word made ordinal. */
export function ordinalOf(words: string): string {
  return words.replace(/[a-z]+$/, (last) => {
    if (ORDINAL_WORDS[last]) return ORDINAL_WORDS[last];
    if (last.endsWith('y')) return `${last.slice(0, -1)}ieth`;
    return `${last}th`;
  });
}

export const ordinal = (digits: string) => ordinalOf(cardinal(digits));

/** "1886" → "eighteen eighty-six", "1900" → "nineteen hundred", "2005" → "two thousand and five". */
export function year(digits: string): string {
  const n = Number(digits);
  if (n >= 2000 && n < 2010) return cardinal(digits);
  const high = Math.floor(n / 100);
  const low = n % 100;
  if (low === 0) return `${cardinal(String(high))} hundred`;
  const tail = low < 10 ? `oh ${ONES[low]}` : cardinal(String(low));
  return `${cardinal(String(high))} ${tail}`;
}

/** "eighteen eighty" → "eighteen eighties" (the 1880s), "nineteen hundred" → "nineteen hundreds". */
export const plural = (words: string) =>
  words.endsWith('y') ? `${words.slice(0, -1)}ies` : `${words}s`;

/** "3.14" → "three point one four": the whole part as a number, the decimals digit by digit. */
export function decimal(whole: string, fraction: string): string {
  const point = `point ${digitByDigit(fraction)}`;
  return whole ? `${cardinal(whole)} ${point}` : point;
}

/** A number as it is written: "1,000" or "42" (cardinal), "007" (digit by digit), "3.5". */
export function numberWords(text: string): string {
  const [whole = '', fraction] = text.split('.');
  if (fraction !== undefined) return decimal(whole, fraction);
  if (/^0\d/.test(whole)) return digitByDigit(whole);
  return cardinal(whole);
}

const ROMAN: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/** The value of a well-formed Roman numeral (upper case), or undefined. */
export function romanValue(numeral: string): number | undefined {
  if (!/^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$/.test(numeral) || !numeral)
    return undefined;
  let total = 0;
  for (let i = 0; i < numeral.length; i++) {
    const v = ROMAN[numeral[i] as string] as number;
    const next = ROMAN[numeral[i + 1] as string] ?? 0;
    total += v < next ? -v : v;
  }
  return total;
}
