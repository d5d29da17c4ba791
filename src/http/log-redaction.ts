/**
 * Secrets never reach a log line. Request logs carry the path and a query string whose values
 * are hidden for every parameter that can hold a key or token (the Identify API takes `api_key`
 * in the query string); headers and bodies are never logged.
 */
const SECRET_PARAMS = /^(api_key|apikey|key|token|access_token|secret|password|identification)$/i;

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const path = url.slice(0, q);
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return SECRET_PARAMS.test(decoded) ? `${name}=[redacted]` : pair;
    });
  return `${path}?${params.join('&')}`;
}

/**
 * Paths under which a log line could contain secrets in fields pino would otherwise print. Whole
 * `headers` objects are hidden wherever a library logs them (@fastify/multipart logs busboy's
 * options, headers included, at trace level), up to three levels deep.
 */
export const REDACTED_LOG_PATHS = [
  'headers',
  '*.headers',
  '*.*.headers',
  'req.headers',
  'api_key',
  'apiKey',
  '*.api_key',
  '*.apiKey',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
];
