/** How the delivery page names a delivery in a table cell: what it sends, to whom, why it was dead-lettered, and its error in one line. */
import { readStoredItem } from '../../../store/delivery-error.js';
import type { DeliveryRecord } from '../../../store/delivery-types.js';

/** Why a delivery was dead-lettered, as a person reads it. */
export const DEAD_LETTER_CAUSES: Record<string, string> = { rejected: 'Refused by Customer.io', expired: 'Expired (out of attempts or time)', too_large: 'Too large to send' };

/** The text, cut to `max` characters (an ellipsis ends a cut one). */
export function shorten(text: string, max = 240): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `207 · invalid · attributes.note · property value cannot be …`: an error as stored (JSON or text), in one line. */
export function errorSummary(error: unknown): string {
  if (error === null || error === undefined) return '—';
  if (typeof error !== 'object') return shorten(String(error));
  const e = error as Record<string, unknown>;
  const parts = [e.status, e.reason ?? e.cause ?? e.problem, e.field, e.message, e.expired].filter((p) => p !== undefined && p !== null && p !== '');
  return shorten(parts.length === 0 ? JSON.stringify(error) : parts.map(String).join(' · '));
}

/** What a delivery sends: the event's name, or a user update (Send Users' identify). */
export function itemLabel(d: DeliveryRecord): string {
  if (d.action === 'identify') return 'User update (identify)';
  const item = readStoredItem(d.itemJson);
  if (item !== null && typeof item === 'object') {
    const named = (item as { name?: unknown; event_type?: unknown }).name ?? (item as { event_type?: unknown }).event_type;
    if (typeof named === 'string') return named;
  }
  return 'event';
}

/** `user 42` or `device abc`: the person a delivery goes to. */
export function personLabel(person: string): string {
  return person.replace(/^user:/, 'user ').replace(/^device:/, 'device ');
}
