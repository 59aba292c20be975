import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * A JSON document serialised by the database (`json_build_object`, `json_agg`, cast to text),
 * typed by what it holds.
 */
export type JsonText<T> = string & { readonly jsonOf?: T };

/**
 * Sends JSON the database already built, byte for byte. A page of search results or weeks of
 * slots would otherwise be parsed into objects and serialised again for nothing, which costs the
 * function more than building the document cost the database.
 */
export function sendJsonText<T, S extends ContentfulStatusCode>(
  c: Context,
  body: JsonText<T>,
  status: S,
): TypedResponse<T, S, 'json'> {
  const response = c.body(body, status, { 'content-type': 'application/json' });
  // The body is the JSON of a T by construction of the query; the type only carries that over.
  return response as unknown as TypedResponse<T, S, 'json'>;
}
