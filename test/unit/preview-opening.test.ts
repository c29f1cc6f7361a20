import { describe, expect, it } from 'vitest';
import { countWords, openingOf } from '../../src/text/chapter-text.js';

const LONG =
  'We were seated at breakfast one morning, my wife and I, when the maid brought in a telegram, ' +
  'and it ran in this way: have you a couple of days to spare, have just been wired for from the ' +
  'west of England in connection with the Boscombe Valley tragedy, shall be glad if you will ' +
  'come with me, air and scenery perfect, leave Paddington by the eleven fifteen.';

describe("a preview's opening", () => {
  it('takes whole sentences while they fit', () => {
    const [title, body] = openingOf(
      ['Chapter one', 'It was dark. The wind blew. Rain fell all night long.'],
      10,
    );
    expect([title, body]).toEqual(['Chapter one', 'It was dark. The wind blew.']);
  });

  it('takes the clauses that fit of a first sentence too long for it (Sherlock Holmes)', () => {
    const [title, body = ''] = openingOf(['The Boscombe Valley Mystery', LONG], 31);
    expect(title).toBe('The Boscombe Valley Mystery');
    expect(body).toMatch(/^We were seated at breakfast one morning, my wife and I, when/);
    expect(body.endsWith(',…')).toBe(false);
    expect(body.endsWith('…')).toBe(true);
    expect(countWords(body)).toBeGreaterThanOrEqual(15);
    expect(countWords(body)).toBeLessThanOrEqual(31);
  });

  it('says something of the text after a short heading that opens it', () => {
    const [, body = ''] = openingOf(['A Scandal in Bohemia — IV', 'IV.', LONG], 31);
    expect(body).toMatch(/^IV\. We were seated at breakfast/);
    expect(countWords(body)).toBeGreaterThanOrEqual(15);
  });

  it('cuts a first clause longer than it all at a word', () => {
    const clause = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const [, body = ''] = openingOf(['Title', clause], 20);
    expect(countWords(body)).toBe(20);
    expect(body.endsWith('…')).toBe(true);
  });
});
