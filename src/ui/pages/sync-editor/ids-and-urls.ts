/** The URLs and element ids by which the editor's parts point at one another: where htmx posts, what it swaps, the pickers' lists. */
import { fieldId } from '../../components.js';

/** Where the row buttons post (htmx): the part they change comes back, nothing is saved. */
export const ROWS_URL = '/ui/syncs/editor/rows';
/** Where the project picker asks for the names seen in the chosen project (htmx). */
export const CATALOG_URL = '/ui/syncs/editor/catalog';
/** The event rows' fieldset: the part the row buttons swap. */
export const EVENTS_EDITOR_ID = fieldId('send_events.events');
/** The ids of the editor's datalists: the names its pickers suggest. */
export const LIST_IDS = { eventTypes: 'list-event-types', eventProperties: 'list-event-properties', userProperties: 'list-user-properties', fields: 'list-fields' };
