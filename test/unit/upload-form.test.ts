import { describe, expect, it } from 'vitest';
import { readUploadFields, UPLOAD_FIELDS, uploadForm } from '../../src/books/upload-form.js';

const form = (fields: Record<string, string>) => readUploadFields(new Map(Object.entries(fields)));

describe('the upload form, read by its one schema', () => {
  it('gives each absent or empty field its default', () => {
    const f = form({ speed: '  ' });
    expect([f.number('speed'), f.choice('format'), f.number('priority')]).toEqual([1, 'm4b', 5]);
    expect([f.flag('altText'), f.flag('autostart'), f.choice('deliver')]).toEqual([
      false,
      true,
      undefined,
    ]);
  });

  it.each([
    [{ speed: '1.25' }, 'speed', 1.25],
    [{ priority: '10' }, 'priority', 10],
    [{ format: 'mp3' }, 'format', 'mp3'],
    [{ deliver: 'abs' }, 'deliver', 'abs'],
    [{ autostart: 'false' }, 'autostart', false],
    [{ splitHours: '0.5' }, 'splitHours', 0.5],
  ] as const)('reads %j', (fields, name, value) => {
    const f = form(fields);
    const read = typeof value === 'boolean' ? f.flag(name) : f.string(name);
    expect(read).toEqual(value);
  });

  it.each([
    [{ speed: '9' }, 'speed must be a number from 0.5 to 2'],
    [{ speed: 'fast' }, 'speed must be a number from 0.5 to 2'],
    [{ priority: '2.5' }, 'priority must be a whole number from 1 to 10'],
    [{ format: 'ogg' }, 'format must be one of m4b, mp3'],
    [{ boilerplate: 'drop' }, 'boilerplate must be skip or keep'],
    [{ deliver: 'dropbox' }, 'deliver must be abs (Audiobookshelf)'],
    [{ altText: 'yes' }, 'altText must be true or false'],
    [{ voice: 'v'.repeat(201) }, 'voice must be at most 200 characters'],
  ] as const)('refuses %j', (fields, message) => {
    const [name] = Object.keys(fields) as (keyof typeof UPLOAD_FIELDS)[];
    const f = form(fields);
    const read = () => (name === 'altText' ? f.flag(name) : f.string(name as 'voice'));
    expect(read).toThrow(message);
  });

  it('narrows a bound where the caller must (an owner’s priority)', () => {
    const f = form({ priority: '2' });
    expect(() => f.number('priority', { minimum: 5, why: ' (admins only)' })).toThrow(
      'priority must be a whole number from 5 to 10 (admins only)',
    );
  });

  it('documents every field it reads, and the file', () => {
    const form = uploadForm(['abs']);
    expect(Object.keys(form.properties).sort()).toEqual(
      ['file', ...Object.keys(UPLOAD_FIELDS)].sort(),
    );
    expect(form.required).toEqual(['file']);
  });

  it('offers deliver only where a target is configured', () => {
    expect(Object.keys(uploadForm([]).properties)).not.toContain('deliver');
    const { properties } = uploadForm(['abs']) as { properties: Record<string, unknown> };
    expect(properties.deliver).toMatchObject({ const: 'abs' });
  });
});
