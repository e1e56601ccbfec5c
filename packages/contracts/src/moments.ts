import { Type } from '@sinclair/typebox';

// Moments: open, converse, route, hand off.
export const MomentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const AttachmentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const Priority = Type.Union(['low', 'normal', 'high', 'urgent'].map((p) => Type.Literal(p)));
export const MomentStatus = Type.Union(['open', 'pending', 'snoozed', 'resolved', 'closed'].map((s) => Type.Literal(s)));
const Channel = Type.String({ pattern: '^[a-z0-9_-]{1,40}$', description: 'email, chat, whatsapp, sms, messenger, instagram, voice, social, api, …' });
const Tag = Type.String({ minLength: 1, maxLength: 60 });
const Body = Type.String({ minLength: 1, maxLength: 100_000 });
const ExternalId = Type.String({ minLength: 1, maxLength: 500 });

export const AttachmentBody = Type.Object(
  {
    fileName: Type.String({ minLength: 1, maxLength: 255 }),
    contentType: Type.String({ pattern: '^[\\w.+-]+/[\\w.+-]+$', maxLength: 200 }),
    data: Type.String({ contentEncoding: 'base64', description: 'the file, base64; 5 MB per file, 10 MB per message' }),
  },
  { additionalProperties: false },
);

export const OpenMomentBody = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    identity: Type.Optional(Type.String({ minLength: 3, maxLength: 600, description: 'kind:value, e.g. email:ann@example.com; resolves or creates the customer' })),
    name: Type.Optional(Type.String({ maxLength: 200, description: "the customer's name, learned with a new identity" })),
    channel: Channel,
    externalId: Type.Optional(ExternalId),
    subject: Type.Optional(Type.String({ maxLength: 500 })),
    message: Type.Object({ body: Body, externalId: Type.Optional(ExternalId), attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 10 })) }, { additionalProperties: false }),
    priority: Type.Optional(Priority),
    businessUnitId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$' })),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export const AddMessageBody = Type.Object(
  {
    direction: Type.Union([Type.Literal('in'), Type.Literal('out'), Type.Literal('note')]),
    body: Body,
    externalId: Type.Optional(ExternalId),
    mentions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 })),
    attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 10 })),
    agentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'API keys: the agent the reply is sent as' })),
    email: Type.Optional(
      Type.Object(
        {
          subject: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          cc: Type.Optional(Type.Array(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 320 }), { maxItems: 20 })),
        },
        { additionalProperties: false, description: 'email replies: the subject line (default "Re: <moment subject>") and people to copy' },
      ),
    ),
    template: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 512 }),
          language: Type.String({ minLength: 2, maxLength: 15 }),
          components: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
        },
        { additionalProperties: false, description: 'WhatsApp: an approved template (the only reply allowed 24 hours after the customer last wrote)' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const MessagesQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

export const MomentPatchBody = Type.Object(
  {
    status: Type.Optional(MomentStatus),
    snoozedUntil: Type.Optional(Type.String({ format: 'date-time' })),
    priority: Type.Optional(Priority),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 50 })),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const HandoffBody = Type.Object(
  {
    toTeamId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    toAgentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    note: Type.Optional(Type.String({ maxLength: 10_000, description: 'context for the receiver' })),
  },
  { additionalProperties: false },
);

export const ActAsBody = Type.Object(
  {
    agentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'API keys and admins: the agent who acts' })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const EscalateBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }), raisePriority: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const AssignBody = Type.Object(
  { agentId: Type.String({ minLength: 1, maxLength: 64 }), teamId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])), note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

export const MergeMomentBody = Type.Object({ duplicateId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const PresenceBody = Type.Object({ presence: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]) }, { additionalProperties: false });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const Id = Type.String();

/** A moment as the API and the stream show it. */
export const MomentView = Type.Object({
  id: Id,
  customerId: Id,
  channel: Type.String(),
  externalId: Nullable(Type.String()),
  subject: Type.String(),
  preview: Type.String(),
  status: Type.String(),
  priority: Type.String(),
  language: Nullable(Type.String()),
  businessUnitId: Nullable(Id),
  teamId: Nullable(Id),
  ownerId: Id,
  queued: Type.Boolean(),
  queuedAt: Nullable(Time),
  handoff: Type.Union([
    Type.Object({
      fromOwnerId: Id,
      toTeamId: Nullable(Id),
      toAgentId: Nullable(Id),
      reason: Type.String(),
      note: Nullable(Type.String()),
      requestedAt: Time,
      requestedBy: Type.String(),
    }),
    Type.Null(),
  ]),
  tags: Type.Array(Type.String()),
  sla: Type.Object({
    state: Type.String({ description: 'none | running | due_soon | breached | paused | met' }),
    policyId: Nullable(Id),
    firstResponseDue: Nullable(Time),
    nextResponseDue: Nullable(Time),
    resolutionDue: Nullable(Time),
    dueAt: Nullable(Time),
    breachedAt: Nullable(Time),
    pausedAt: Nullable(Time),
  }),
  firstResponseAt: Nullable(Time),
  snoozedUntil: Nullable(Time),
  resolvedAt: Nullable(Time),
  closedAt: Nullable(Time),
  mergedInto: Nullable(Id),
  messageCount: Type.Integer(),
  lastMessageAt: Time,
  createdAt: Time,
  updatedAt: Time,
});

/** One page of an inbox list. */
export const MomentPage = Type.Object({ data: Type.Array(MomentView), nextCursor: Type.Union([Type.String(), Type.Null()]) });
