/**
 * Query parameters, read the same way by every face (admin API, web UI, CLI options):
 * - a parameter given more than once is refused, naming it: "project_id is given more than once;
 *   give it once" (which value was meant is anyone's guess). A route may add a hint for some
 *   names (the trace's look-up keys: "to trace several events, trace them one at a time");
 * - an empty value counts as not given where a route says so (a form sends its empty fields).
 */
import type { FastifyRequest } from 'fastify';
import { AmpstreamError } from './errors.js';

export function givenMoreThanOnce(name: string, hint?: string): string {
  return `${name} is given more than once; give it once${hint === undefined ? '' : ` (${hint})`}`;
}

/** The first parameter a query gives more than once (a query-string parser makes it a list), of `names` or of all. */
export function repeatedParameter(query: Record<string, unknown>, names?: readonly string[]): string | undefined {
  return (names ?? Object.keys(query)).find((name) => Array.isArray(query[name]));
}

/** What a route may say, in its `config`, about its query parameters. */
export interface QueryParamsConfig {
  /** A hint added to "given more than once" for these names. */
  repeatHints?: Readonly<Record<string, string>>;
  /** The route reads repeated parameters itself (to answer with its form, say): the hook lets them through. */
  readsRepeatedQuery?: boolean;
}

declare module 'fastify' {
  // a route's `config` may carry what it says about its query parameters
  interface FastifyContextConfig extends QueryParamsConfig {}
}

/**
 * A `preValidation` hook for a whole area (before the schema, which would say "must be integer" of
 * a parameter given twice): a parameter given more than once is a 400 `invalid_request` naming it.
 */
export async function refuseRepeatedQuery(request: FastifyRequest): Promise<void> {
  const config: QueryParamsConfig = request.routeOptions.config ?? {};
  if (config.readsRepeatedQuery === true) return;
  const query = request.query;
  if (typeof query !== 'object' || query === null) return;
  const repeated = repeatedParameter(query as Record<string, unknown>);
  if (repeated !== undefined) throw new AmpstreamError('invalid_request', givenMoreThanOnce(repeated, config.repeatHints?.[repeated]), { field: repeated });
}

/** Removes the parameters of `names` that are empty (`project_id=`): they count as not given. */
export function dropEmpty(query: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) if (query[name] === '') delete query[name];
}
