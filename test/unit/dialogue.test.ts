import { describe, expect, it } from 'vitest';
import { chapterSegments, cuesOf } from '../../src/text/chapter-text.js';
import { quotedRuns, quoteMarksOf } from '../../src/text/dialogue.js';
import { voicedSegments } from '../../src/text/segments.js';

/** What is quoted in each paragraph, as the texts of its quoted runs. */
const quoted = (paragraphs: string[], language: string | null = 'en') =>
  quotedRuns(paragraphs, quoteMarksOf(language)).map((runs, p) =>
    runs.filter((r) => r.quoted).map((r) => paragraphs[p]?.slice(r.start, r.end)),
  );

describe('what is said inside quotation marks', () => {
  it.each([
    {
      case: 'curly quotes, told text between',
      language: 'en',
      text: ['“My dear,” said his lady, “have you heard?”'],
      said: [['“My dear,”', '“have you heard?”']],
    },
    {
      case: 'typewriter quotes (Project Gutenberg)',
      language: 'en',
      text: ['"But it is," returned she; "for Mrs. Long has been here."'],
      said: [['"But it is,"', '"for Mrs. Long has been here."']],
    },
    {
      case: 'British single quotes; apostrophes are neither',
      language: 'en-GB',
      text: ['‘I don’t know,’ said Alice, ‘it’s the boys’ turn.’ ’Tis late.'],
      said: [['‘I don’t know,’', '‘it’s the boys’ turn.’']],
    },
    {
      case: 'a quotation over paragraphs, reopened at each',
      language: 'en',
      text: ['“It began at dusk.', '“Then the lamp went out,” he said.', 'Nobody spoke.'],
      said: [['“It began at dusk.'], ['“Then the lamp went out,”'], []],
    },
    {
      case: 'a stray mark never closed is no quotation',
      language: 'en',
      text: ['He measured 6" of rope and tied it.', 'The end.'],
      said: [[], []],
    },
    {
      case: 'French guillemets',
      language: 'fr',
      text: ['« Oui », dit-il. « Non ! »'],
      said: [['« Oui »', '« Non ! »']],
    },
    {
      case: 'German low-high quotes, and »…«',
      language: 'de',
      text: ['„Ja“, sagte er. »Nein«, sagte sie.'],
      said: [['„Ja“', '»Nein«']],
    },
    {
      case: 'Japanese corner brackets',
      language: 'ja',
      text: ['彼は「おはよう」と言った。'],
      said: [['「おはよう」']],
    },
    {
      case: 'a mark inside a word opens nothing',
      language: 'en',
      text: ['The word re“write” is odd.'],
      said: [[]],
    },
  ])('$case', ({ text, language, said }) => {
    expect(quoted(text, language)).toEqual(said);
  });
});

describe('segments read in two voices', () => {
  const text = [
    '"My dear Mr. Bennet," said his lady to him one day, "have you heard that Netherfield Park is let at last?"',
    'Mr. Bennet replied that he had not.',
    '"Bingley."',
  ].join('\n\n');

  it('never puts quoted and told text in one request; a cut within a sentence goes on it', () => {
    expect(voicedSegments(text, 4000, 'packed', quoteMarksOf('en'))).toEqual([
      { text: '"My dear Mr. Bennet,"', dialogue: true, continues: false },
      { text: 'said his lady to him one day,', dialogue: false, continues: true },
      {
        text: '"have you heard that Netherfield Park is let at last?"',
        dialogue: true,
        continues: true,
      },
      { text: 'Mr. Bennet replied that he had not.', dialogue: false, continues: false },
      { text: '"Bingley."', dialogue: true, continues: false },
    ]);
  });

  it('reads one voice as before when no dialogue voice is asked for', () => {
    const segments = voicedSegments(text, 4000, 'packed');
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatchObject({ dialogue: false, continues: false });
  });

  it('gives each sentence one cue, from where its first word is said', () => {
    const book = { language: 'en', lexicon: {} };
    const speech = chapterSegments('Chapter 1', text, 4000, book, 'sentence', quoteMarksOf('en'));
    expect(speech.dialogue).toEqual([false, true, false, true, false, true]);
    const starts = [0, 1, 2, 3, 4, 5];
    expect(cuesOf(speech, starts)).toEqual([
      { start: 0, text: 'Chapter 1' },
      {
        start: 1,
        text: '"My dear Mr. Bennet," said his lady to him one day, "have you heard that Netherfield Park is let at last?"',
      },
      { start: 4, text: 'Mr. Bennet replied that he had not.' },
      { start: 5, text: '"Bingley."' },
    ]);
  });
});
