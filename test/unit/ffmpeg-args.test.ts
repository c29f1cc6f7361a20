import { describe, expect, it } from 'vitest';
import {
  COVER_MAX_SIDE,
  concatList,
  coverJob,
  encodeChapterJob,
  escapeMetadata,
  ffmetadata,
  mergeJob,
  toArgv,
} from '../../src/audio/ffmpeg-args.js';

describe('ffmpeg command lines', () => {
  it.each([
    [
      { sampleRate: 22050, channels: 1 },
      ['-f', 's16le', '-ar', '22050', '-ac', '1', '-i', 'pipe:0'],
    ],
    [
      { sampleRate: 16000, channels: 2 },
      ['-f', 's16le', '-ar', '16000', '-ac', '2', '-i', 'pipe:0'],
    ],
  ])('encodes raw PCM %o from stdin to AAC with the fast coder', (format, input) => {
    const argv = toArgv(encodeChapterJob(format, 'm4b', '/tmp/1.m4a'));
    expect(argv.join(' ')).toContain(input.join(' '));
    expect(argv.join(' ')).toContain('-c:a aac -aac_coder fast');
    expect(argv.slice(-2)).toEqual(['-y', '/tmp/1.m4a']);
  });

  it('encodes MP3 at a constant bit rate, so chapters concatenate cleanly', () => {
    const argv = toArgv(encodeChapterJob({ sampleRate: 24000, channels: 1 }, 'mp3', '/tmp/1.mp3'));
    expect(argv.join(' ')).toContain('-c:a libmp3lame -b:a 64k -f mp3');
  });

  it('merges by stream copy only, with tags and chapters from the metadata input', () => {
    const argv = toArgv(
      mergeJob({ list: '/w/list.txt', metadata: '/w/meta.txt' }, 'm4b', '/w/book.m4b'),
    );
    expect(argv.join(' ')).toContain('-f concat -safe 0 -i /w/list.txt -i /w/meta.txt');
    expect(argv.join(' ')).toContain('-map 0:a -map_metadata 1 -map_chapters 1 -c copy');
    expect(argv).not.toContain('-c:a');
    expect(argv).not.toContain('aac');
  });

  it('adds the cover image as attached cover art, still copying every stream', () => {
    const argv = toArgv(
      mergeJob(
        { list: '/w/list.txt', metadata: '/w/meta.txt', cover: '/w/cover.jpg' },
        'm4b',
        '/w/book.m4b',
      ),
    );
    expect(argv.join(' ')).toContain('-i /w/meta.txt -i /w/cover.jpg');
    expect(argv.join(' ')).toContain('-map 0:a -map 2:v -disposition:v:0 attached_pic');
    expect(argv.join(' ')).toContain('-c copy');
  });

  it('writes an MP3 with ID3v2.3 (chapter frames, cover picture) by stream copy', () => {
    const argv = toArgv(
      mergeJob(
        { list: '/w/list.txt', metadata: '/w/meta.txt', cover: '/w/c.png' },
        'mp3',
        '/w/book.mp3',
      ),
    );
    expect(argv.join(' ')).toContain('-map_chapters 1 -c copy -id3v2_version 3 -f mp3');
    expect(argv).not.toContain('libmp3lame');
  });

  it.each([
    ['plain', 'plain'],
    ['a=b', 'a\\=b'],
    ['x;y#z', 'x\\;y\\#z'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines', 'two\\\nlines'],
  ])('escapes ffmetadata value %j', (raw, escaped) => {
    expect(escapeMetadata(raw)).toBe(escaped);
  });

  it('lays chapters back to back in milliseconds', () => {
    const meta = ffmetadata({ title: 'Book', artist: 'Ann', narrator: 'nova' }, [
      { title: 'One', durationSec: 1.5 },
      { title: 'Two', durationSec: 2.25 },
    ]);
    expect(meta).toBe(
      [
        ';FFMETADATA1',
        'title=Book',
        'album=Book',
        'artist=Ann',
        'album_artist=Ann',
        'composer=nova',
        'genre=Audiobook',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=0',
        'END=1500',
        'title=One',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=1500',
        'END=3750',
        'title=Two',
        '',
      ].join('\n'),
    );
  });

  it('quotes concat list paths', () => {
    expect(concatList(['/a/1.m4a', "/b/it's.m4a"])).toBe(
      "file '/a/1.m4a'\nfile '/b/it'\\''s.m4a'\n",
    );
  });

  it('re-encodes a cover as one bounded JPEG frame, so the merge only copies a known picture', () => {
    const argv = toArgv(coverJob('/tmp/in', '/tmp/cover.jpg'));
    expect(argv.join(' ')).toContain('-i /tmp/in -frames:v 1');
    expect(argv.join(' ')).toContain(`scale='min(${COVER_MAX_SIDE},iw)':-2`);
    expect(argv.join(' ')).toContain('-c:v mjpeg');
    expect(argv.slice(-2)).toEqual(['-y', '/tmp/cover.jpg']);
  });

  it("tags an mp3's cover as the front cover (ID3 picture type 3)", () => {
    const mp3 = toArgv(mergeJob({ list: 'l', metadata: 'm', cover: 'c.jpg' }, 'mp3', 'o.mp3'));
    expect(mp3.join(' ')).toContain('-metadata:s:v:0 comment=Cover (front)');
    const m4b = toArgv(mergeJob({ list: 'l', metadata: 'm', cover: 'c.jpg' }, 'm4b', 'o.m4b'));
    expect(m4b.join(' ')).not.toContain('Cover (front)');
  });
});
