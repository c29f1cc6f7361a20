import { type TSchema, Type } from '@sinclair/typebox';
import { DELIVERY_TARGETS, type DeliveryTarget, SPEED_RANGE } from '../../flows/index.js';
import { AUDIO_FORMATS } from '../audio/audio-format.js';
import { InvalidInputError } from '../errors.js';
import { PRIORITY_RANGE } from './chapter-schedule.js';

const literals = <T extends string>(values: readonly T[], opts: object = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    opts,
  );

/**
 * The fields an upload (`POST /books`, multipart) may send beside its file: declared once.
 * The form is read with them (readUploadFields), the OpenAPI document shows them
 * (http/api-docs.ts), and the web app's form takes its ranges and choices from that
 * document (web/contract.js). `default` is what an absent or empty field means.
 */
export const UPLOAD_FIELDS = {
  voice: Type.String({ maxLength: 200, description: 'one of GET /voices' }),
  dialogueVoice: Type.String({
    maxLength: 200,
    description: 'one of GET /voices: reads what is inside quotation marks, the voice the rest',
  }),
  speed: Type.Number({ ...SPEED_RANGE, default: 1 }),
  format: literals(AUDIO_FORMATS, { default: 'm4b' }),
  priority: Type.Integer({
    minimum: PRIORITY_RANGE.min,
    maximum: PRIORITY_RANGE.max,
    default: PRIORITY_RANGE.default,
    description: `1 soonest, ${PRIORITY_RANGE.default} by default; below ${PRIORITY_RANGE.ownersMin} for admin tokens only`,
  }),
  altText: Type.Boolean({
    default: false,
    description: "read pictures' alt text (a manga's dialogue)",
  }),
  boilerplate: literals(['skip', 'keep'], {
    default: 'skip',
    description: "keep: read Project Gutenberg's header and licence and printed contents pages",
  }),
  lexicon: Type.String({
    description:
      'pronunciation lexicon: JSON {"word": "replacement"} or lines word = replacement; whole words; all-lowercase words match any case',
  }),
  autostart: Type.Boolean({
    default: true,
    description:
      'false: stop at REVIEW once parsed, to pick chapters (PATCH /books/{id}/chapters/{n}) and start it (POST /books/{id}/start)',
  }),
  splitHours: Type.Number({
    minimum: 0.001,
    maximum: 1000,
    description: 'longer than this many hours: also delivered in parts at chapter boundaries',
  }),
  deliver: literals(DELIVERY_TARGETS, {
    description: 'push the book to the configured Audiobookshelf once READY',
  }),
};

/** Refusals worded for people where the plain one ("must be m4b or mp3") would not do. */
const MUST_BE: Partial<Record<keyof typeof UPLOAD_FIELDS, string>> = {
  format: `must be one of ${AUDIO_FORMATS.join(', ')}`,
  deliver: 'must be abs (Audiobookshelf)',
};

type FieldName = keyof typeof UPLOAD_FIELDS;

/**
 * The multipart form as the OpenAPI document shows it: the file, then the optional fields,
 * `deliver` only where a delivery target is configured (`targets`).
 */
export const uploadForm = (targets: readonly DeliveryTarget[]) =>
  Type.Object({
    file: Type.String({ format: 'binary', description: 'the EPUB' }),
    ...Object.fromEntries(
      Object.entries(UPLOAD_FIELDS)
        .filter(([name]) => name !== 'deliver' || targets.length > 0)
        .map(([name, schema]) => [
          name,
          Type.Optional(
            name === 'deliver' ? literals(targets, { description: schema.description }) : schema,
          ),
        ]),
    ),
  });

/**
 * Reads the form's fields by their schemas: a value of the schema's kind within its bounds,
 * its default when absent or empty (undefined when it has none), or an InvalidInputError
 * naming the field and what it must be. `minimum` may be narrowed (an owner's priority).
 */
export function readUploadFields(fields: Map<string, string>) {
  function read(name: FieldName, bounds: { minimum?: number; why?: string } = {}): unknown {
    const schema: TSchema = UPLOAD_FIELDS[name];
    const raw = fields.get(name)?.trim();
    if (!raw) return schema.default;
    const value = parsed(schema, raw, bounds.minimum);
    if (value !== undefined) return value;
    const must = MUST_BE[name] ?? mustBe(schema, bounds.minimum);
    throw new InvalidInputError(`${name} ${must}${bounds.why ?? ''}`);
  }
  return {
    string: (name: FieldName) => read(name) as string | undefined,
    number: (name: FieldName, bounds?: { minimum?: number; why?: string }) =>
      read(name, bounds) as number | undefined,
    flag: (name: FieldName) => read(name) as boolean,
    choice: <T extends string>(name: FieldName) => read(name) as T | undefined,
  };
}

/** The raw text as the schema's kind, or undefined when it is not one. */
function parsed(schema: TSchema, raw: string, minimum = schema.minimum): unknown {
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  if (schema.type === 'number' || schema.type === 'integer') {
    const n = Number(raw);
    const whole = schema.type === 'number' || Number.isInteger(n);
    return Number.isFinite(n) && whole && n >= minimum && n <= schema.maximum ? n : undefined;
  }
  const choices = choicesOf(schema);
  if (choices) return choices.includes(raw) ? raw : undefined;
  return raw.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY) ? raw : undefined;
}

/** A choice's values: a union of literals, or one literal (TypeBox folds a union of one). */
const choicesOf = (schema: TSchema): string[] | undefined =>
  schema.anyOf
    ? (schema.anyOf as TSchema[]).map((s) => String(s.const))
    : schema.const !== undefined
      ? [String(schema.const)]
      : undefined;

function mustBe(schema: TSchema, minimum = schema.minimum): string {
  if (schema.type === 'boolean') return 'must be true or false';
  const kind = schema.type === 'integer' ? 'a whole number' : 'a number';
  if (schema.maximum !== undefined) return `must be ${kind} from ${minimum} to ${schema.maximum}`;
  const choices = choicesOf(schema);
  if (choices) return `must be ${choices.join(' or ')}`;
  return `must be at most ${schema.maxLength} characters`;
}
