// The API's own description of what it takes (GET /openapi.json, built from the server's
// schemas): the upload form's fields with their ranges, choices and defaults, and the
// statuses a book can be in. The page reads them here and never spells them again.

let loaded;

/** The values a schema allows: an enum, a constant, or a union of those. */
export const choicesOf = (schema) =>
  schema?.anyOf
    ? schema.anyOf.flatMap(choicesOf)
    : (schema?.enum ?? (schema?.const === undefined ? [] : [schema.const]));

/** `{ upload: {field: schema}, statuses: [...] }`, fetched once per page. */
export function contract() {
  loaded ??= fetch('/openapi.json')
    .then((res) => res.json())
    .then((doc) => ({
      upload: doc.paths['/books'].post.requestBody.content['multipart/form-data'].schema.properties,
      statuses: choicesOf(
        doc.paths['/books'].get.parameters.find((p) => p.name === 'status').schema,
      ),
    }));
  return loaded;
}
