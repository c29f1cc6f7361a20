import { AjvCompiler, type ValidatorFactory } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

/**
 * How requests are checked against their route schemas, one rule per part:
 * - a query string, path or header is text, so `?limit=5` is read as the number it means;
 * - a JSON body is already typed, so its types are what the schema says: `null` where text
 *   is asked is refused (Fastify's default would read it as "", an empty lexicon entry);
 * - nowhere is what a schema closes (`additionalProperties: false`) dropped in silence:
 *   an unknown field or parameter is refused (400), so that a typo such as `?staus=READY`
 *   is told rather than answered with every book.
 */
const requestValidators: ValidatorFactory = (externalSchemas) => {
  const pool = AjvCompiler();
  const compiler = (coerceTypes: boolean) =>
    pool(externalSchemas, { customOptions: { coerceTypes, removeAdditional: false } });
  const text = compiler(true);
  const json = compiler(false);
  return (route) => (route.httpPart === 'body' ? json(route) : text(route));
};

const PART_NAMES: Record<string, string> = { querystring: 'query parameter', body: 'field' };

/** Fastify's wording (`body/title must be string`), but an unknown name is named. */
const schemaErrorFormatter: FastifyServerOptions['schemaErrorFormatter'] = (errors, dataVar) =>
  new Error(
    errors
      .map((e) =>
        e.keyword === 'additionalProperties'
          ? `unknown ${PART_NAMES[dataVar] ?? `${dataVar} property`} ${JSON.stringify(e.params.additionalProperty)}${e.instancePath ? ` in ${e.instancePath}` : ''}`
          : `${dataVar}${e.instancePath} ${e.message}`,
      )
      .join(', '),
  );

/**
 * The Fastify options that say how requests are checked (above). A JSON body's `__proto__`
 * or `constructor.prototype` key is dropped rather than the body refused: it can never be a
 * field of ours, and Fastify's refusal says "Body is not valid JSON" of valid JSON.
 */
export const requestValidation = {
  schemaController: { compilersFactory: { buildValidator: requestValidators } },
  schemaErrorFormatter,
  onProtoPoisoning: 'remove',
  onConstructorPoisoning: 'remove',
} satisfies FastifyServerOptions;
