/** What reading JSON text gave: the value, or the problem in words that quote none of the text. */
export type JsonTextResult = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * Parses JSON text from a file or stdin. V8's syntax errors quote the text around the mistake
 * (`Unexpected token 's', ..."api_key": sk_live_01"... is not valid JSON`), and these files hold
 * Customer.io keys, so the problem names only the place: `not valid JSON (line 3, column 18)`.
 */
export function parseJsonText(text: string): JsonTextResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
    if (position === null) return { ok: false, problem: 'not valid JSON' };
    const before = text.slice(0, Number(position[1])).split('\n');
    const line = before.length;
    const column = (before[before.length - 1] ?? '').length + 1;
    return { ok: false, problem: `not valid JSON (line ${line}, column ${column})` };
  }
}
