import { ulid } from 'ulid';

/** This process's prefix: a ULID taken at start, so ids are unique across nodes and restarts. */
const BOOT = ulid();
let counter = 0;

/**
 * Request ids: the process's start ULID and a counter (`01J…-1a`). Cheaper than a ULID a request
 * (which draws random bytes each time) and still unique and, within a process, in arrival order.
 */
export function newRequestId(): string {
  counter++;
  return `${BOOT}-${counter.toString(36)}`;
}
