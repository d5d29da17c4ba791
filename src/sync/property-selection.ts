import { hasOwn, setOwn, type JsonObject } from '../amplitude/plain-data.js';
import { ALL_PROPERTIES, type PropertySelection } from './sync-schema.js';

/**
 * The selected properties of `source`: `"*"` is all of them, a list names exact top-level keys
 * (a dotted name is one flat key, never a path), `[]` is none. Names the source lacks are skipped.
 */
export function selectProperties(selection: PropertySelection, source: JsonObject): JsonObject {
  const selected: JsonObject = {};
  const names = selection === ALL_PROPERTIES ? Object.keys(source) : selection;
  for (const name of names) {
    if (hasOwn(source, name)) setOwn(selected, name, source[name]);
  }
  return selected;
}

/**
 * An event's data in Customer.io: the selected user properties, then the selected event
 * properties over them (an event property wins when both have the same name).
 */
export function selectEventAttributes(
  selection: { event: PropertySelection; user: PropertySelection },
  eventProperties: JsonObject,
  userProperties: JsonObject,
): JsonObject {
  const attributes = selectProperties(selection.user, userProperties);
  const fromEvent = selectProperties(selection.event, eventProperties);
  for (const name of Object.keys(fromEvent)) setOwn(attributes, name, fromEvent[name]);
  return attributes;
}
