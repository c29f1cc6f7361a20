import { describe, expect, it } from 'vitest';
import { applyLexicon, parseLexicon } from '../../src/text/lexicon.js';

describe('a pronunciation lexicon', () => {
  it.each([
    // Pride and Prejudice, chapter 1
    [
      { longbourn: 'Long-born' },
      'Mr. Bennet replied that he had not. "But it is," returned she; "for Mrs. Long has just been here, and she told me all about it." Longbourn was in an uproar.',
      'Mr. Bennet replied that he had not. "But it is," returned she; "for Mrs. Long has just been here, and she told me all about it." Long-born was in an uproar.',
    ],
    // whole words only: "Bennet" is not touched inside "Bennets"
    [
      { Bennet: 'Ben-it' },
      'Mr. Bennet was among the earliest of those who waited on Mr. Bingley; the Bennets were pleased.',
      'Mr. Ben-it was among the earliest of those who waited on Mr. Bingley; the Bennets were pleased.',
    ],
    // The Art of War: a phrase, and a longer entry winning over the shorter one it contains
    [
      { 'sun tzu': 'Sun Dzuh', sun: 'the star' },
      'Sun Tzu said: The art of war is of vital importance to the State. The sun rose.',
      'Sun Dzuh said: The art of war is of vital importance to the State. The the star rose.',
    ],
    // a capitalised entry matches only as written; a lower-case one in any case
    [
      { US: 'United States', cheshire: 'Chesh-er' },
      'Tell us about the US. The CHESHIRE Cat, the Cheshire Cat!',
      'Tell us about the United States. The Chesh-er Cat, the Chesh-er Cat!',
    ],
    // Spanish, from Todo es mío: accents are letters, so words end where they should
    [{ mío: 'mi-o' }, 'Todo es mío, dijo. Míos no.', 'Todo es mi-o, dijo. Míos no.'],
  ])('%j', (lexicon, text, said) => {
    expect(applyLexicon(text, lexicon)).toBe(said);
  });

  it('never replaces a replacement', () => {
    expect(applyLexicon('Darcy', { darcy: 'Mr Darcy', 'mr darcy': 'no' })).toBe('Mr Darcy');
  });

  it('drops characters nobody says (NUL, controls) from words and replacements', () => {
    expect(parseLexicon('{"Tana\\u0000ka": "Tah\\u0007-nah"}')).toEqual({ Tanaka: 'Tah-nah' });
  });

  it('reads JSON, or lines of word = replacement', () => {
    expect(parseLexicon('{"Tanaka": "Tah-nah-kah"}')).toEqual({ Tanaka: 'Tah-nah-kah' });
    expect(parseLexicon('# names\nTanaka = Tah-nah-kah\n\n sun tzu= Sun Dzuh ')).toEqual({
      Tanaka: 'Tah-nah-kah',
      'sun tzu': 'Sun Dzuh',
    });
    expect(parseLexicon('  ')).toEqual({});
  });

  it.each([
    ['{"a": 1}', /lexicon entry "a": the replacement must be text/],
    ['[1]', /a JSON lexicon is an object/],
    ['{oops', /not valid JSON/],
    ['Tanaka Tah-nah-kah', /lexicon line 1: write it as word = replacement/],
    ['!!! = bang', /lexicon entry "!!!": a word of 1 to 100 characters/],
  ])('refuses %s, saying why', (raw, message) => {
    expect(() => parseLexicon(raw)).toThrow(message);
  });
});
