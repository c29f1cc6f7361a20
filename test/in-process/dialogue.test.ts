import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { createTtsEngine } from '../../src/tts/engines.js';
import { PAUSE_AFTER_TITLE, ROOM_TONE_BEFORE } from '../../src/workers/chapter-encoder.js';
import { fixture } from '../support/fixtures.js';
import { writeBook } from '../support/poison-books.js';
import {
  type SpeechRequest,
  type SpeechServer,
  startSpeechServer,
} from '../support/speech-server.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

/** Pride and Prejudice's first chapter from its first words said aloud, as a book of its own. */
async function dialogueBook(file: string): Promise<string[]> {
  const pride = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
  const text = pride.chapters.find((c) => c.text.includes('My dear Mr. Bennet'))?.text ?? '';
  const paragraphs = text.slice(text.indexOf('"My dear Mr. Bennet')).split('\n\n').slice(0, 14);
  const xml = (p: string) => p.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  await writeBook(file, {
    title: 'Netherfield Park',
    docs: { 'c1.xhtml': paragraphs.map((p) => `<p>${xml(p)}</p>`).join('') },
  });
  return paragraphs;
}

/** The speech server's tone for an input: 0.05 s a word, half a second at least. */
const toneSec = (input: string) => Math.max(0.5, input.split(/\s+/).length * 0.05);

/**
 * A book with a dialogue voice, read by an OpenAI-compatible speech server: its log says
 * which voice was asked to say which text.
 */
describe('narration and dialogue in two voices', () => {
  let t: TestApp;
  let speech: SpeechServer;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  let paragraphs: string[];
  let id: string;

  beforeAll(async () => {
    speech = await startSpeechServer();
    const engine = createTtsEngine(
      loadConfig({
        TTS_ENGINE: 'openai',
        TTS_BASE_URL: speech.url,
        TTS_API_KEY: 'test-key',
        TTS_VOICES: 'alloy,echo',
      }).tts,
    );
    t = await buildTestApp({ engine });
    workers = await startInProcessWorkers(t, engine);
    const file = `${t.dir}/dialogue.epub`;
    paragraphs = await dialogueBook(file);
    const upload = await injectUpload(t.app, file, {}, { voice: 'alloy', dialogueVoice: 'echo' });
    expect(upload.statusCode).toBe(202);
    id = upload.json().id;
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
    await speech?.close();
  });

  const book = async () => (await t.app.inject(`/books/${id}`)).json();
  const inputs = (rs: SpeechRequest[], voice: string) =>
    rs.filter((r) => r.body.voice === voice).map((r) => r.body.input);
  const quoteMarks = (texts: string[]) => texts.join('').split('"').length - 1;

  it('reads what is inside quotation marks in the dialogue voice, the rest in the voice', async () => {
    let b = await book();
    for (let i = 0; i < 300 && !['READY', 'FAILED'].includes(b.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      b = await book();
    }
    expect(b.status).toBe('READY');
    expect(b).toMatchObject({ voice: 'alloy', dialogueVoice: 'echo' });
    const said = inputs(speech.requests, 'echo');
    const told = inputs(speech.requests, 'alloy');
    expect(said.length).toBeGreaterThan(5);
    // Each dialogue request is quotations only; no narration request holds a quotation mark.
    for (const s of said) expect(s.replace(/"[^"]*"/g, '').trim()).toBe('');
    for (const s of told) expect(s).not.toContain('"');
    // And every quotation of the chapter was said: all its marks went to the dialogue voice.
    expect(quoteMarks(said)).toBe(quoteMarks(paragraphs));
    expect(told).toContain('Mister Bennet replied that he had not.'); // (as English is said)
  });

  it('keeps one cue a sentence, starting exactly where its first word is said', async () => {
    const vtt = (await t.app.inject(`/books/${id}/chapters/1/subtitles.vtt`)).body;
    const cues = vtt.split('\n\n').map((block) => {
      const lines = block.split('\n');
      const [h, m, sec] = (lines.find((l) => l.includes('-->'))?.split(' ')[0] ?? '').split(':');
      return { text: lines.at(-1) ?? '', start: Number(h) * 3600 + Number(m) * 60 + Number(sec) };
    });
    /** Where the chapter's request `input` starts: every tone before it, and the pauses. */
    const startOf = (input: string) => {
      let at = ROOM_TONE_BEFORE;
      for (const [i, r] of speech.requests.entries()) {
        if (r.body.input === input) return at;
        at += toneSec(r.body.input) + (i === 0 ? PAUSE_AFTER_TITLE : 0);
      }
      throw new Error(`never asked: ${input}`);
    };
    for (const [sentence, first] of [
      [
        '"My dear Mr. Bennet," said his lady to him one day, "have you heard that Netherfield Park is let at last?"',
        '"My dear Mister Bennet,"',
      ],
      [
        '"Do you not want to know who has taken it?" cried his wife impatiently.',
        '"Do you not want to know who has taken it?"',
      ],
    ] as const) {
      const cue = cues.find((c) => c.text === sentence);
      expect(cue, sentence).toBeDefined();
      expect(cue?.start).toBeCloseTo(startOf(first), 2);
    }
  });

  it('previews the opening in both voices', async () => {
    const before = speech.requests.length;
    const res = await t.app.inject({ method: 'POST', url: `/books/${id}/chapters/1/preview` });
    expect(res.statusCode).toBe(200);
    const asked = speech.requests.slice(before);
    expect(inputs(asked, 'echo')[0]).toBe('"My dear Mister Bennet,"');
    expect(inputs(asked, 'alloy')).toContain('said his lady to him one day,');
  });
});
