/**
 * What reading JSON text gave: the value, or the problem in words that quote none of the text
 * (with `field`, the dotted path of a refused key, when the problem is one).
 */
export type JsonTextResult = { ok: true; value: unknown } | { ok: false; problem: string; field?: string };

/**
 * The first key that could reach an object's prototype if the value were ever merged into another
 * object: `__proto__`, or a `constructor` object holding `prototype` (what fastify's own JSON parser
 * refuses). `JSON.parse` keeps them as plain data, but no sync, project or selection has such a
 * field, so they are refused with a message that says so rather than as "not valid JSON".
 */
function forbiddenKey(root: unknown): { field: string; problem: string } | undefined {
  // iterative: a deeply nested body must not overflow the stack
  const pending: { value: unknown; path: string }[] = [{ value: root, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (value === null || typeof value !== 'object') continue;
    const children = Object.entries(value).map(([key, child]) => ({ key, value: child, path: path === '' ? key : `${path}.${key}` }));
    for (const { key, value: child, path: field } of Array.isArray(value) ? [] : children) {
      if (key === '__proto__') return { field, problem: `${field}: a "__proto__" key is not allowed; remove it` };
      if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) {
        return { field, problem: `${field}: a "constructor" object holding "prototype" is not allowed; remove it` };
      }
    }
    // the first child is looked at next (document order); no spread, a list may be long
    for (let index = children.length - 1; index >= 0; index--) pending.push(children[index] as (typeof children)[number]);
  }
  return undefined;
}

/** Text without `"__proto__":` or `"constructor":` (escaped letters included) holds neither key: no walk needed. */
const MAY_HOLD_FORBIDDEN_KEY = /"(?:(?:_|\\u005[Ff]){2}(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff]){2}|(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072))"\s*:/;

/**
 * Parses JSON text from a file, stdin or an admin API body. V8's syntax errors quote the text
 * around the mistake (`Unexpected token 's', ..."api_key": sk_live_01"... is not valid JSON`), and
 * these texts hold Customer.io keys, so the problem names only the place: `not valid JSON (line 3,
 * column 18)`. A `__proto__` key (or `constructor.prototype`) is refused, naming where it is.
 */
export function parseJsonText(raw: string): JsonTextResult {
  // a byte order mark (editors on Windows write one) is not JSON, but is no mistake either; fastify skips it too
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
    if (position === null) return { ok: false, problem: 'not valid JSON' };
    const before = text.slice(0, Number(position[1])).split('\n');
    const line = before.length;
    const column = (before[before.length - 1] ?? '').length + 1;
    return { ok: false, problem: `not valid JSON (line ${line}, column ${column})` };
  }
  const forbidden = MAY_HOLD_FORBIDDEN_KEY.test(text) ? forbiddenKey(value) : undefined;
  return forbidden === undefined ? { ok: true, value } : { ok: false, ...forbidden };
}
