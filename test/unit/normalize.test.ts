import { describe, expect, it } from 'vitest';
import { chapterSegments } from '../../src/text/chapter-text.js';
import { applyLexicon } from '../../src/text/lexicon.js';
import { cardinal, ordinal, romanValue, year } from '../../src/text/numbers-en.js';
import { SCENE_BREAK } from '../../src/text/segments.js';
import { normalizeForSpeech } from '../../src/text/speech-text.js';

const en = (text: string) => normalizeForSpeech(text, 'en');

/** Sentences as they stand in ../shared/fixtures/epub/, and how they are read. */
describe('English text read as a listener expects, sentences from the fixtures', () => {
  it.each([
    // idpf-georgia-pls-ssml.epub
    [
      'In 1908 the gold product was valued at $56,207 (it was $96,910 in 1905) and the silver product at $106.',
      'In nineteen oh eight the gold product was valued at fifty-six thousand two hundred and seven dollars (it was ninety-six thousand nine hundred and ten dollars in nineteen oh five) and the silver product at one hundred and six dollars.',
    ],
    [
      'The population of Georgia in 1880 was 1,542,180; in 1890 1,837,353, an increase of 19.1%;',
      'The population of Georgia in eighteen eighty was one million five hundred and forty-two thousand one hundred and eighty; in eighteen ninety one million eight hundred and thirty-seven thousand three hundred and fifty-three, an increase of nineteen point one percent;',
    ],
    [
      'The population of Georgia has a very slight foreign-born element (.6% in 1900)',
      'The population of Georgia has a very slight foreign-born element (point six percent in nineteen hundred)',
    ],
    [
      'On the 1st of January 1910 the bonded debt was $6,944,000',
      'On the first of January nineteen ten the bonded debt was six million nine hundred and forty-four thousand dollars',
    ],
    [
      'Agriculture in Georgia was in a state of transition at the beginning of the 20th century.',
      'Agriculture in Georgia was in a state of transition at the beginning of the twentieth century.',
    ],
    [
      'Georgia was the fourth state to ratify (January 2, 1788), and one of the three',
      'Georgia was the fourth state to ratify (January second, seventeen eighty-eight), and one of the three',
    ],
    [
      'Georgia derives its name from King George II.',
      'Georgia derives its name from King George the second.',
    ],
    // idpf-childrens-literature.epub
    [
      'Hans Christian Andersen (1805-1875), the Danish author',
      'Hans Christian Andersen (eighteen oh five to eighteen seventy-five), the Danish author',
    ],
    [
      'in Section V, while the stories at the end of Section VI shade off',
      'in Section five, while the stories at the end of Section six shade off',
    ],
    ['Rand McNally & Co.) This little book', 'Rand McNally and Co.) This little book'],
    ['CHAPTER IV', 'CHAPTER four'],
    // idpf-moby-dick.epub
    ['They are generally Richard III.', 'They are generally Richard the third.'],
    ['Last Updated: January 3, 2009', 'Last Updated: January third, two thousand and nine'],
    // idpf-epub30-spec.epub
    [
      'The documents canonically located at http://idpf.org/epub/30 reproduced in EPUB 3 format',
      'The documents canonically located at idpf dot org slash epub slash thirty reproduced in EPUB three format',
    ],
    ['William McCoy, bmccoy@idpf.org', 'William McCoy, bmccoy at idpf dot org'],
    [
      'the first byte of the key and 21st byte of the source.',
      'the first byte of the key and twenty-first byte of the source.',
    ],
    ['September 28, 2007.', 'September twenty-eighth, two thousand and seven.'],
    // pg-alice-single-file-epub2.epub
    ['business@pglaf.org.', 'business at pglaf dot org.'],
  ])('%s', (written, said) => {
    expect(en(written)).toBe(said);
  });
});

describe('each English rule', () => {
  it.each([
    // numbers, decimals, years, ordinals, decades, ranges, fractions, negatives
    ['0 and 7 and 13 and 100', 'zero and seven and thirteen and one hundred'],
    ['1,000,001 grains', 'one million and one grains'],
    ['3.14 and 007', 'three point one four and zero zero seven'],
    [
      'in 1066, 1900, 2005 and 2024',
      'in ten sixty-six, nineteen hundred, two thousand and five and twenty twenty-four',
    ],
    ['the 2nd, 3rd, 11th and 101st', 'the second, third, eleventh and one hundred and first'],
    ['the 1880s and 1920’s', 'the eighteen eighties and nineteen twenties'],
    ['1914–18 and pages 5–10', 'nineteen fourteen to eighteen and pages five to ten'],
    [
      'in 1908, 1248 tons and (1686 ft.)',
      'in nineteen oh eight, one thousand two hundred and forty-eight tons and (one thousand six hundred and eighty-six ft.)',
    ],
    [
      '1/2 a cup and 3/4 of it, 2/3 left',
      'one half a cup and three quarters of it, two thirds left',
    ],
    ['it fell to -7 at night', 'it fell to minus seven at night'],
    ['COVID-19, H2O and MP3 stay', 'COVID-nineteen, H2O and MP3 stay'],
    // money, percentages, times, dates
    [
      '$1, $2.50, £3 and €10',
      'one dollar, two dollars and fifty cents, three pounds and ten euros',
    ],
    [
      '£5.50 and 50¢ and $3 million',
      'five pounds and fifty pence and fifty cents and three million dollars',
    ],
    ['50% and 3.5 %', 'fifty percent and three point five percent'],
    [
      'at 7:00, 10:05 pm and 3:30 a.m. sharp',
      "at seven o'clock, ten oh five p m and three thirty a m sharp",
    ],
    ['at 3:30 p.m. Then he left', 'at three thirty p m. Then he left'],
    ['on 12 March 1886 and March 3', 'on the twelfth of March eighteen eighty-six and March third'],
    ['dated 2024-03-05', 'dated March fifth, twenty twenty-four'],
    ['5 may go', 'five may go'],
    // abbreviations
    ['Mr. and Mrs. Bennet met Dr. Jekyll', 'Mister and Missus Bennet met Doctor Jekyll'],
    ['Mr Utterson and Dr Lanyon', 'Mister Utterson and Doctor Lanyon'],
    // headings in capitals, and the plural of Mr.
    ['SEARCH FOR MR. HYDE', 'SEARCH FOR Mister HYDE'],
    ['DR. LANYON AND MRS. POOLE', 'Doctor LANYON AND Missus POOLE'],
    ['MESSRS. UTTERSON AND ENFIELD', 'Messieurs UTTERSON AND ENFIELD'],
    ['Messrs. Utterson and Enfield walked', 'Messieurs Utterson and Enfield walked'],
    ['ST. PAUL’S AND THE STRAND', 'Saint PAUL’S AND THE STRAND'],
    [
      'apples, pears, etc. Then more, etc., and so on',
      'apples, pears, et cetera. Then more, et cetera, and so on',
    ],
    [
      'fruit, e.g. apples, i.e. food, cats vs. dogs',
      'fruit, for example apples, that is food, cats versus dogs',
    ],
    ['see No. 5 on p. 12 and pp. 3–4', 'see number five on page twelve and pages three to four'],
    [
      'to St. Paul’s, then Baker St. and back; St John',
      'to Saint Paul’s, then Baker Street and back; Saint John',
    ],
    ['He lived on Baker St.', 'He lived on Baker Street.'],
    ['in 44 B.C. The end', 'in forty-four B C. The end'],
    // Roman numerals
    ['Chapter XIV and BOOK II', 'Chapter fourteen and BOOK two'],
    [
      'Henry VIII, Louis XIV, Elizabeth I and World War II',
      'Henry the eighth, Louis the fourteenth, Elizabeth the first and World War two',
    ],
    ['then I went; the book I read; the letter X', 'then I went; the book I read; the letter X'],
    ['Part C and Appendix D', 'Part C and Appendix D'],
    // symbols and addresses
    [
      'Smith & Sons, § 4, §§ 2–3, #5',
      'Smith and Sons, section four, sections two to three, number five',
    ],
    [
      '30°C, 451°F and 90°',
      'thirty degrees Celsius, four hundred and fifty-one degrees Fahrenheit and ninety degrees',
    ],
    ['2½ miles', 'two and a half miles'],
    [
      'Visit https://www.gutenberg.org/ebooks/1342. Then',
      'Visit gutenberg dot org slash ebooks slash one three four two. Then',
    ],
  ])('%s', (written, said) => {
    expect(en(written)).toBe(said);
  });

  it('spells numbers, ordinals, years and Roman numerals', () => {
    expect(cardinal('999999999999999')).toMatch(/^nine hundred and ninety-nine trillion/);
    expect(cardinal('1234567890123456')).toBe(
      'one two three four five six seven eight nine zero one two three four five six',
    );
    expect(ordinal('12')).toBe('twelfth');
    expect(ordinal('40')).toBe('fortieth');
    expect(year('1905')).toBe('nineteen oh five');
    expect([
      romanValue('XIV'),
      romanValue('MCMXCIX'),
      romanValue('IIII'),
      romanValue('MIXED'),
    ]).toEqual([14, 1999, undefined, undefined]);
  });
});

describe('rules by language', () => {
  it.each([
    // sigil-todo-es-mio-es-epub2.epub
    ['es', 'Hoy es 20 de Marzo. Han pasado 42 años desde la guerra.'],
    // idpf-regime-anticancer-arabic.epub
    ['ar', 'ويُقدّر حصول أكثر من 10 آلاف طفرة لدنا كلّ من خلايانا يوميًّا!'],
    ['fr', 'Le 3 mai 1886, M. Dupont a payé 5 € & 50 %.'],
    [null, 'Mr. Hyde paid $5 in 1886.'],
  ])('%s passes through unchanged, never mangled by English rules', (language, text) => {
    expect(normalizeForSpeech(text, language)).toBe(text);
  });

  it('takes English rules for every English tag', () => {
    for (const tag of ['en', 'en-GB', 'EN-us'])
      expect(normalizeForSpeech('Dr. 5', tag)).toBe('Doctor five');
  });
});

describe('what a chapter sends to the engine', () => {
  const book = { language: 'en', lexicon: { Doctor: 'Doc', hyde: 'Hide' } };

  it('normalizes the title and the body, then applies the lexicon (after normalization)', () => {
    const text =
      'XIV. The Escape\n\nDr. Jekyll met Mr. Hyde at 10:30 🙂.\n\n♦ ♦ ♦\n\nHYDE fled in 1886.';
    expect(chapterSegments('XIV. The Escape', text, 4000, book).segments).toEqual([
      'fourteen. The Escape',
      'Doc Jekyll met Mister Hide at ten thirty.',
      SCENE_BREAK,
      'Hide fled in eighteen eighty-six.',
    ]);
  });

  it('keeps the lexicon’s case rules (text/lexicon.ts) on normalized text', () => {
    expect(
      applyLexicon(en('Mr. Tanaka paid $5.'), { tanaka: 'Tah-nah-kah', dollars: 'bucks' }),
    ).toBe('Mister Tah-nah-kah paid five bucks.');
  });
});
