import { describe, expect, it } from 'vitest';
import { PG_LICENCE, setAsideBoilerplate } from '../../src/epub/boilerplate.js';

const chapter = (n: number, text: string) => ({ n, title: `Chapter ${n}`, text, skipped: null });

describe('what is set aside as boilerplate', () => {
  it('leaves a book alone that only quotes the closing phrase, without the fences', () => {
    const text =
      'She scrolled to the last line, "End of the Project Gutenberg EBook of Emma", and smiled.';
    const { chapters, notes } = setAsideBoilerplate([chapter(1, text), chapter(2, 'More story.')]);
    expect(chapters.map((c) => [c.text, c.skipped])).toEqual([
      [text, null],
      ['More story.', null],
    ]);
    expect(notes).toEqual([]);
  });

  it('takes the END fence alone as the start of the licence', () => {
    const { chapters } = setAsideBoilerplate([
      chapter(
        1,
        'The story ends here.\n\n*** END OF THE PROJECT GUTENBERG EBOOK EMMA ***\n\nLicence text.',
      ),
      chapter(2, 'Section 1. General Terms of Use and Redistributing Project Gutenberg-tm'),
    ]);
    expect(chapters.map((c) => [c.text, c.skipped])).toEqual([
      ['The story ends here.', null],
      ['Section 1. General Terms of Use and Redistributing Project Gutenberg-tm', PG_LICENCE],
    ]);
  });
});
