import path from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import { PreviewPayload, type PreviewResult, requestHash } from '../../flows/index.js';
import type { AudioFormat } from '../audio/audio-format.js';
import { probeDuration } from '../audio/ffmpeg.js';
import { objectKeys } from '../storage/object-keys.js';
import { withTempDir } from '../temp-dir.js';
import { chapterSegments, openingOf, readChapterText } from '../text/chapter-text.js';
import { voicedSegments } from '../text/segments.js';
import { normalizeForSpeech } from '../text/speech-text.js';
import { PermanentTtsError } from '../tts/tts-engine.js';
import { sampleFor } from '../tts/voice-samples.js';
import { readersFor } from '../tts/voices.js';
import { encodeChapter } from './chapter-encoder.js';
import { runJob } from './run-job.js';
import type { ProcessorDeps } from './worker-deps.js';

type Deps = ProcessorDeps<'storage' | 'tts' | 'log', 'getBook' | 'getChapter'>;

/** Words of a chapter's opening a preview says at speed 1: about 12 s, 15–16 s with its pauses. */
const PREVIEW_WORDS = 31;

/** What a preview says, in which voice (and which segments the dialogue voice), language and speed, and where it is kept. */
interface Speech {
  segments: string[];
  voice: string;
  dialogue?: { voice: string; says: boolean[] };
  language: string;
  speed: number;
  format: AudioFormat;
  audioKey: string;
}

/**
 * Makes the short recordings people listen to before committing: a chapter's opening in the
 * book's voice and speed (or others), read as the book would be (normalized, its lexicon),
 * and a voice's sample sentence. Nothing of the book changes.
 */
export function createPreviewProcessor(deps: Deps) {
  const { books, storage, tts } = deps;

  async function chapterSpeech(p: Extract<PreviewPayload, { kind: 'chapter' }>): Promise<Speech> {
    const [book, chapter] = await Promise.all([
      books.getBook(p.bookId),
      books.getChapter(p.bookId, p.n),
    ]);
    if (!book || !chapter)
      throw new UnrecoverableError(`chapter ${p.n} of book ${p.bookId} is gone`);
    const text = await readChapterText(
      (range) => storage.get(objectKeys.chapterTexts(book.id), range),
      { start: chapter.textStart, end: chapter.textEnd },
    );
    if (text === null) throw new UnrecoverableError(`chapter ${p.n} has no text to read`);
    const speed = p.speed ?? book.speed;
    const readers = readersFor(book, tts, p);
    const [title = '', body] = openingOf(
      chapterSegments(chapter.title, text, readers.maxChars, book).segments,
      Math.round(PREVIEW_WORDS * speed),
    );
    // The opening as the book reads it: with a dialogue voice, its quotations apart.
    const opening = body ? voicedSegments(body, readers.maxChars, 'packed', readers.quotes) : [];
    const segments = [title, ...opening.map((s) => s.text)];
    const { narration: voice, dialogue: dialogueVoice } = readers.voices;
    const dialogue = dialogueVoice
      ? { voice: dialogueVoice, says: [false, ...opening.map((s) => s.dialogue)] }
      : undefined;
    const language = book.language ?? 'en';
    const hash = requestHash([tts.name, voice, speed, segments, ...(dialogue ? [dialogue] : [])]);
    const audioKey = objectKeys.preview(book.id, hash, book.format);
    return { segments, voice, dialogue, language, speed, format: book.format, audioKey };
  }

  function sampleSpeech(voiceId: string): Speech {
    const voice = tts.voices.find((v) => v.id === voiceId);
    if (!voice) throw new UnrecoverableError(`the engine offers no voice "${voiceId}"`);
    const { text, language } = sampleFor(voice);
    const segments = [normalizeForSpeech(text, language)];
    const audioKey = objectKeys.voiceSample(requestHash([tts.name, voice.id, segments]));
    return { segments, voice: voice.id, language, speed: 1, format: 'm4b', audioKey };
  }

  async function record(s: Speech, signal?: AbortSignal): Promise<PreviewResult> {
    return withTempDir(async (dir) => {
      const file = path.join(dir, `preview.${s.format}`);
      const open = (voice: string) => tts.open({ language: s.language, voice, speed: s.speed });
      const session = open(s.voice);
      const dialogue = s.dialogue && { session: open(s.dialogue.voice), says: s.dialogue.says };
      const { segments, format } = s;
      await encodeChapter({
        session,
        dialogue,
        segments,
        format,
        file,
        signal,
        onSegment: async () => {},
      });
      await storage.putFile(s.audioKey, file);
      return { kind: 'preview', audioKey: s.audioKey, durationSec: await probeDuration(file) };
    });
  }

  return (job: Job, _token?: string, signal?: AbortSignal) =>
    runJob(
      job,
      {
        payload: PreviewPayload,
        isPermanent: (err) => err instanceof PermanentTtsError,
        async run(p): Promise<PreviewResult> {
          const speech = p.kind === 'chapter' ? await chapterSpeech(p) : sampleSpeech(p.voice);
          return record(speech, signal);
        },
      },
      { signal, log: deps.log },
    );
}
