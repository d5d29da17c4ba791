import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Request ids are ULIDs: unique across nodes and sortable by arrival. */
export function newRequestId(): string {
  return nextUlid();
}
