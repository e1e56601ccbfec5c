import { Type } from '@sinclair/typebox';

const common = {
  userId: Type.Optional(Type.Union([Type.String(), Type.Number()])),
  anonymousId: Type.Optional(Type.Union([Type.String(), Type.Number()])),
  messageId: Type.Optional(Type.String({ description: 'idempotency key: the same messageId is stored once' })),
  timestamp: Type.Optional(Type.String({ format: 'date-time' })),
  sentAt: Type.Optional(Type.String({ format: 'date-time', description: 'when the client sent it; corrects clock skew' })),
  context: Type.Optional(Type.Object({}, { additionalProperties: true })),
  integrations: Type.Optional(Type.Object({}, { additionalProperties: true })),
  writeKey: Type.Optional(Type.String({ description: 'alternative to HTTP Basic auth' })),
};

/**
 * Tracking calls of the Segment spec. These schemas document the API (OpenAPI); validation
 * is done by the tracking module itself so that every problem names its field, batch items
 * included, and so gzip bodies under any content type are accepted.
 */
export const TrackBody = Type.Object({ ...common, event: Type.String(), properties: Type.Optional(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: true });
export const IdentifyBody = Type.Object({ ...common, traits: Type.Optional(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: true });
export const PageBody = Type.Object({ ...common, name: Type.Optional(Type.String()), properties: Type.Optional(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: true });
export const GroupBody = Type.Object({ ...common, groupId: Type.Union([Type.String(), Type.Number()]), traits: Type.Optional(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: true });
export const AliasBody = Type.Object({ ...common, previousId: Type.Union([Type.String(), Type.Number()]) }, { additionalProperties: true });
export const BatchBody = Type.Object(
  {
    batch: Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true })),
    context: Type.Optional(Type.Object({}, { additionalProperties: true })),
    sentAt: Type.Optional(Type.String({ format: 'date-time' })),
    writeKey: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const TrackingReply = Type.Object({ success: Type.Boolean() });
