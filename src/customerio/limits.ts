/**
 * Customer.io Track API limits (reference §5.2). Where the reference leaves "KB" open, we read it
 * as 1000 bytes, the stricter reading, so anything we send fits either way.
 */

/** An identifier value (`id`, `email`, `cio_id`, `anonymous_id`). */
export const MAX_IDENTIFIER_BYTES = 150;
/** A person attribute name. */
export const MAX_ATTRIBUTE_NAME_BYTES = 150;
/** A person attribute value (serialized JSON for objects and arrays). */
export const MAX_ATTRIBUTE_VALUE_BYTES = 1000;
/** Attributes in one identify call. */
export const MAX_ATTRIBUTES_PER_IDENTIFY = 300;
/** An event name. */
export const MAX_EVENT_NAME_BYTES = 100;
/** Serialized event data (v1 `data`, v2 `attributes`). */
export const MAX_EVENT_DATA_BYTES = 100_000;
/** One v2 operation, serialized. */
export const MAX_ITEM_BYTES = 32_000;
/** One v2 batch request body. */
export const MAX_BATCH_BODY_BYTES = 500_000;
