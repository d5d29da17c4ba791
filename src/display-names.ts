/**
 * Names people give things (projects, syncs) are shown in lists, pages and terminals: control
 * characters would break a line or a terminal, and bidirectional overrides would make a name read
 * as something else (`U+202E` turns "gnp.exe" around). Pure.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Why a display name cannot be used, or undefined when it can. */
export function displayNameProblem(name: string): string | undefined {
  if (UNSAFE.test(name)) return 'must not contain control characters or bidirectional overrides';
  return undefined;
}
