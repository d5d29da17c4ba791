import { Type, type Static } from 'typebox';
import { DISPLAY_NAME_MAX_LENGTH } from '../display-names.js';

/**
 * A sync: one Customer.io destination of one project. This schema is the JSON the admin API, the
 * CLI and the config file take, and its static type is the config the service works with (same
 * snake_case shape). Every optional part carries its `default`; validation fills them in, so a
 * validated `SyncConfig` is always complete. Limits keep one sync's filtering cheap per event.
 */

export const SYNC_LIMITS = {
  /** In characters as people see them, checked with the other name rules (src/display-names.ts), not by the schema. */
  nameLength: DISPLAY_NAME_MAX_LENGTH,
  rows: 50,
  clausesPerRow: 20,
  valuesPerClause: 100,
  propertiesPerList: 1000,
  /** Amplitude's limit for strings (property names, event types, values). */
  textLength: 1024,
  credentialLength: 200,
} as const;

/** The value that matches a missing, null, empty-string or empty-array property. */
export const NONE_VALUE = '(none)';

/** Event type of a row that selects every event. */
export const ALL_EVENTS = '*';

/** A property selection that means every property. */
export const ALL_PROPERTIES = '*';

const Text = Type.String({ minLength: 1, maxLength: SYNC_LIMITS.textLength });
const Credential = Type.String({ minLength: 1, maxLength: SYNC_LIMITS.credentialLength, pattern: '^\\S+$' });

export const SYNC_OPERATORS = [
  'is',
  'is not',
  'contains',
  'does not contain',
  'less',
  'less or equal',
  'greater',
  'greater or equal',
  'set is',
  'set is not',
  'glob match',
  'glob does not match',
] as const;

export const WhereClauseSchema = Type.Object(
  {
    /** `event`: event_properties; `user`: the profile after this event; `field`: a top-level event field. */
    scope: Type.Enum(['event', 'user', 'field']),
    property: Text,
    op: Type.Enum(SYNC_OPERATORS),
    values: Type.Array(
      Type.Union([Type.String({ maxLength: SYNC_LIMITS.textLength }), Type.Number(), Type.Boolean()], {
        description: 'must be a string, a number or a boolean',
      }),
      { minItems: 1, maxItems: SYNC_LIMITS.valuesPerClause },
    ),
  },
  { additionalProperties: false },
);

export const EventRowSchema = Type.Object(
  {
    /** An event type, exactly as sent, or `*` for every event. */
    event_type: Text,
    where: Type.Array(WhereClauseSchema, { maxItems: SYNC_LIMITS.clausesPerRow, default: [] }),
  },
  { additionalProperties: false },
);

/** `"*"` for every property, or a list of exact top-level property names (`[]`: none). */
function propertySelection(defaultSelection: typeof ALL_PROPERTIES | []) {
  return Type.Union([Type.Literal(ALL_PROPERTIES), Type.Array(Text, { maxItems: SYNC_LIMITS.propertiesPerList })], {
    description: 'must be "*" (every property) or a list of property names',
    default: defaultSelection,
  });
}

export const CustomerIoSettingsSchema = Type.Object(
  {
    site_id: Credential,
    /** Write-only: never shown by the API (see `redactSync`). */
    api_key: Credential,
    region: Type.Enum(['us', 'eu'], { default: 'us' }),
  },
  { additionalProperties: false },
);

const IdentifierChoices = Type.Union([
  Type.Object({ from: Type.Literal('user_id') }, { additionalProperties: false }),
  Type.Object({ from: Type.Literal('user_property'), name: Text }, { additionalProperties: false }),
]);

/**
 * Where the Customer.io identifier comes from. A `oneOf` with ajv's discriminator on `from`, so an
 * error names the real problem (`identifier.name: required`) instead of every alternative's.
 */
export const IdentifierSchema = Type.Unsafe<Static<typeof IdentifierChoices>>({
  type: 'object',
  required: ['from'],
  discriminator: { propertyName: 'from' },
  oneOf: IdentifierChoices.anyOf,
  default: { from: 'user_id' },
  description: 'must be {"from":"user_id"} or {"from":"user_property","name":…}',
});

export const SendEventsSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** An event is sent when it matches any row; a row matches when all its clauses hold. */
    events: Type.Array(EventRowSchema, {
      minItems: 1,
      maxItems: SYNC_LIMITS.rows,
      default: [{ event_type: ALL_EVENTS, where: [] }],
    }),
    /** What goes into the event's data; on a name clash the event property wins. */
    properties: Type.Object(
      {
        event: propertySelection(ALL_PROPERTIES),
        user: propertySelection([]),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Events without an identifier go with `anonymous_id` = device_id instead of being discarded. */
    anonymous: Type.Boolean({ default: false }),
  },
  { additionalProperties: false, default: {} },
);

export const SendUsersSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** The user properties sent as person attributes, when one of them changes. */
    properties: propertySelection(ALL_PROPERTIES),
  },
  { additionalProperties: false, default: {} },
);

export const SyncOptionsSchema = Type.Object(
  {
    /** Strict ISO-8601 date strings become unix seconds. */
    convert_dates: Type.Boolean({ default: true }),
    /** Every value is sent as a string, as Amplitude's own destination does. */
    stringify_values: Type.Boolean({ default: false }),
  },
  { additionalProperties: false, default: {} },
);

export const SyncConfigSchema = Type.Object(
  {
    /** Trimmed, then checked by the rules for names (src/display-names.ts): length, characters. */
    name: Type.String(),
    /** Input may also give a numeric string; validation turns it into a number. */
    project_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    enabled: Type.Boolean({ default: true }),
    customerio: CustomerIoSettingsSchema,
    identifier: IdentifierSchema,
    send_events: SendEventsSchema,
    send_users: SendUsersSchema,
    options: SyncOptionsSchema,
  },
  { additionalProperties: false },
);

/** A complete, validated sync config. */
export type SyncConfig = Static<typeof SyncConfigSchema>;
export type WhereClause = Static<typeof WhereClauseSchema>;
export type EventRow = Static<typeof EventRowSchema>;
export type SyncOperator = (typeof SYNC_OPERATORS)[number];
export type PropertySelection = SyncConfig['send_users']['properties'];
export type SyncIdentifier = Static<typeof IdentifierChoices>;
export type ClauseValue = WhereClause['values'][number];

/** What the API shows of the Customer.io settings: never the key, only that one is set. */
export const CustomerIoSettingsViewSchema = Type.Object(
  {
    site_id: CustomerIoSettingsSchema.properties.site_id,
    region: CustomerIoSettingsSchema.properties.region,
    api_key_set: Type.Literal(true),
  },
  { additionalProperties: false },
);

/** A sync as the API shows it (see `redactSync`). */
export const SyncViewSchema = Type.Object(
  { ...SyncConfigSchema.properties, customerio: CustomerIoSettingsViewSchema },
  { additionalProperties: false },
);

export type SyncView = Static<typeof SyncViewSchema>;
