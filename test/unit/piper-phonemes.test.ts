import { describe, expect, it } from 'vitest';
import {
  adaptToPiperEspeak,
  phonemesToIds,
  sentencePhonemes,
  splitClauses,
} from '../../src/tts/piper-phonemes.js';

describe("Piper's phonemes and ids", () => {
  it.each([
    [
      'Hello, world. How are you?',
      [
        { text: 'Hello', terminator: ',', endOfSentence: false },
        { text: 'world', terminator: '.', endOfSentence: true },
        { text: 'How are you', terminator: '?', endOfSentence: true },
      ],
    ],
    [
      'Wait; no: stop!',
      [
        { text: 'Wait', terminator: ';', endOfSentence: false },
        { text: 'no', terminator: ':', endOfSentence: false },
        { text: 'stop', terminator: '!', endOfSentence: true },
      ],
    ],
    ['no end', [{ text: 'no end', terminator: '', endOfSentence: true }]],
    [
      'What?! Really...',
      [
        { text: 'What', terminator: '?', endOfSentence: true },
        { text: 'Really', terminator: '.', endOfSentence: true },
      ],
    ],
  ])('splits %j into clauses as espeak-ng does', (text, clauses) => {
    expect(splitClauses(text)).toEqual(clauses);
  });

  it('keeps the terminator as a phoneme, a space after a comma, and decomposes accents', () => {
    const phonemes = sentencePhonemes([
      { phonemes: 'həlˈoʊ', terminator: ',' },
      { phonemes: '(fr)kafˈe(en)', terminator: '.' },
    ]);
    expect(phonemes).toEqual([
      'h',
      'ə',
      'l',
      'ˈ',
      'o',
      'ʊ',
      ',',
      ' ',
      'k',
      'a',
      'f',
      'ˈ',
      'e',
      '.',
    ]);
    expect(sentencePhonemes([{ phonemes: 'é', terminator: '' }])).toEqual(['e', '\u0301']);
  });

  it('wraps ids in BOS and EOS, pads every phoneme, and skips unknown ones', () => {
    const map = { _: [0], '^': [1], $: [2], h: [20], ə: [59], '?': [13] };
    expect(phonemesToIds(['h', 'ə', 'X', '?'], map)).toEqual([1, 0, 20, 0, 59, 0, 13, 0, 2]);
  });

  it.each([
    ['mˈʌst biː ɪn wˈɔnt', 'mˈʌst biːʲ ɪn wˈɔnt'],
    ['jˌuːnɪvˈɜːsəli ɐknˈɑːlɪdʒd', 'jˌuːnɪvˈɜːsəliʲ ɐknˈɑːlɪdʒd'],
    ['hˈɜːɹiɪŋ', 'hˈɜːɹiʲɪŋ'],
    ['kjˌʊɹɹɪˈɔsᵻɾi', 'kjˌʊɹɹɪʲˈɔsᵻɾi'],
    ['foːɹsˈiː', 'fɔːɹsˈiː'],
    // diphthongs end in ɪ but take no glide; nor does an /i/ before a consonant
    ['maɪ ˈæŋɡɹi', 'maɪ ˈæŋɡɹi'],
    ['fˈæmɪliz ðæt', 'fˈæmɪliz ðæt'],
  ])("adapts older espeak-ng's %s to Piper's", (ours, piper) => {
    expect(adaptToPiperEspeak(ours)).toBe(piper);
  });
});
