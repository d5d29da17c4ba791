import { isPlainObject, type JsonObject } from '../amplitude/plain-data.js';
import { jsonByteLength } from '../customerio/utf8.js';
import { eventViolations, identifierViolation, identifyViolations, type ValidEvent, type Violation } from './validation.js';
import type { EventTarget, PersonAddress, WorkspaceState } from './workspace-state.js';

const PERSON_ACTIONS: ReadonlySet<string> = new Set([
  'identify',
  'delete',
  'event',
  'page',
  'screen',
  'add_relationships',
  'delete_relationships',
  'add_device',
  'delete_device',
  'merge',
  'suppress',
  'unsuppress',
]);
const MODELLED_ACTIONS: ReadonlySet<string> = new Set(['identify', 'delete', 'event', 'page', 'screen']);
const EVENT_ACTIONS: ReadonlySet<string> = new Set(['event', 'page', 'screen']);
const KNOWN_TYPES: ReadonlySet<string> = new Set(['person', 'object', 'delivery']);

/** A v2 operation that passed validation, ready to apply. */
export type ValidOperation =
  | { action: 'identify'; address: PersonAddress; attributes: JsonObject; timestamp: number | null }
  | { action: 'delete'; address: PersonAddress }
  | { action: 'event'; target: EventTarget; event: ValidEvent; timestamp: unknown };

function invalid(field: string, message: string): Violation[] {
  return [{ reason: 'invalid', field, message }];
}

function required(field: string): Violation[] {
  return [{ reason: 'required', field, message: `${field} is required` }];
}

/** The person (or anonymous id) an operation names: exactly one identifier, a non-empty string. */
function operationTarget(identifiers: unknown, action: string): { target: EventTarget } | { violations: Violation[] } {
  if (identifiers === undefined) return { violations: required('identifiers') };
  if (!isPlainObject(identifiers)) return { violations: invalid('identifiers', 'identifiers must be an object') };
  const keys = Object.keys(identifiers);
  if (keys.length !== 1) return { violations: invalid('identifiers', 'identifiers must hold exactly one of id, email, phone, cio_id') };
  const key = keys[0] as string;
  const value = identifiers[key];
  const field = `identifiers.${key}`;
  if (typeof value !== 'string' || value === '') return { violations: invalid(field, `${field} must be a non-empty string`) };
  const tooLong = identifierViolation(value, field);
  if (tooLong !== undefined) return { violations: [tooLong] };
  switch (key) {
    case 'id':
    case 'email':
    case 'cio_id':
      return { target: { person: { kind: key, value } } };
    case 'anonymous_id':
      return EVENT_ACTIONS.has(action)
        ? { target: { anonymousId: value } }
        : { violations: invalid(field, 'anonymous_id identifies only event, page and screen operations') };
    case 'phone':
      return { violations: invalid(field, 'phone is not enabled as an identifier in this workspace') };
    default:
      return { violations: invalid(field, `unknown identifier ${key}`) };
  }
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** Validates one v2 operation against the shape and limit rules (reference §10 item 31). */
export function validateOperation(op: unknown, maxItemBytes: number): { operation: ValidOperation } | { violations: Violation[] } {
  if (!isPlainObject(op)) return { violations: [{ reason: 'parse_error', field: '', message: 'operation must be a JSON object' }] };
  const bytes = jsonByteLength(op);
  if (bytes > maxItemBytes) return { violations: invalid('', `operation is ${bytes} bytes, more than the ${maxItemBytes}-byte limit`) };
  if (op.type === undefined) return { violations: required('type') };
  if (typeof op.type !== 'string' || !KNOWN_TYPES.has(op.type)) return { violations: invalid('type', 'type must be one of person, object, delivery') };
  if (op.type !== 'person') return { violations: invalid('type', `the simulator does not model ${op.type} operations`) };
  if (op.action === undefined) return { violations: required('action') };
  if (typeof op.action !== 'string' || !PERSON_ACTIONS.has(op.action)) return { violations: invalid('action', `unknown person action ${JSON.stringify(op.action)}`) };
  if (!MODELLED_ACTIONS.has(op.action)) return { violations: invalid('action', `the simulator does not model the person action ${op.action}`) };
  const action = op.action;
  const target = operationTarget(op.identifiers, action);
  if ('violations' in target) return target;

  if (EVENT_ACTIONS.has(action)) {
    const { violations, event } = eventViolations({ name: op.name, data: op.attributes, id: op.id, type: action }, 'attributes');
    return violations.length > 0 ? { violations } : { operation: { action: 'event', target: target.target, event, timestamp: op.timestamp } };
  }
  if (!('person' in target.target)) return { violations: invalid('identifiers', 'anonymous_id identifies only events') };
  const address = target.target.person;
  if (action === 'delete') return { operation: { action: 'delete', address } };
  const attributes = op.attributes ?? {};
  if (!isPlainObject(attributes)) return { violations: invalid('attributes', 'attributes must be an object') };
  const violations = identifyViolations(attributes, 'attributes.');
  if (violations.length > 0) return { violations };
  return { operation: { action: 'identify', address, attributes, timestamp: integerOrNull(op.timestamp) } };
}

/** Applies a validated operation to the workspace. */
export function applyOperation(state: WorkspaceState, operation: ValidOperation): void {
  switch (operation.action) {
    case 'identify':
      state.identify(operation.address, operation.attributes, { timestamp: operation.timestamp, updateOnly: operation.attributes._update === true });
      return;
    case 'delete':
      state.deletePerson(operation.address);
      return;
    case 'event':
      state.recordEvent(operation.target, { ...operation.event, timestamp: operation.timestamp });
      return;
  }
}
