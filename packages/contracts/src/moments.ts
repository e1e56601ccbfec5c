import { Type } from '@sinclair/typebox';
import { ListOf, Nullable, PageOf, Time, View } from './reply-parts.ts';
import { CustomerBrief } from './customers.ts';
import { LANGUAGE_TAG } from './language-tag.ts';

// Moments: open, converse, route, hand off.
export const MomentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const AttachmentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const Priority = Type.Union((['low', 'normal', 'high', 'urgent'] as const).map((p) => Type.Literal(p)));
export const MomentStatus = Type.Union((['open', 'pending', 'snoozed', 'resolved', 'closed'] as const).map((s) => Type.Literal(s)));
/** A channel as moments name it (and SLA policies and rules match it): lower case. */
export const MomentChannel = Type.String({ pattern: '^[a-z0-9_-]{1,40}$', description: 'email, chat, whatsapp, sms, messenger, instagram, voice, social, api, …' });
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
    channel: MomentChannel,
    externalId: Type.Optional(ExternalId),
    subject: Type.Optional(Type.String({ maxLength: 500 })),
    message: Type.Object({ body: Body, externalId: Type.Optional(ExternalId), attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 10 })) }, { additionalProperties: false }),
    priority: Type.Optional(Priority),
    businessUnitId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    language: Type.Optional(Type.String({ pattern: LANGUAGE_TAG })),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

/** A WhatsApp template's language code, as Meta names them (en, en_US, pt_BR, zh_HK). */
const TemplateLanguageCode = Type.String({ minLength: 2, maxLength: 15 });

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
          // The code alone ("en_US"), or the Graph API's own object ({ "code": "en_US", "policy": "deterministic" }).
          language: Type.Union([
            TemplateLanguageCode,
            Type.Object({ code: TemplateLanguageCode, policy: Type.Optional(Type.Literal('deterministic')) }, { additionalProperties: false }),
          ]),
          // Each a component object as the Cloud API takes it ({ type: 'body', parameters: [...] }).
          components: Type.Optional(Type.Array(Type.Object({ type: Type.String({ minLength: 1, maxLength: 50 }) }, { additionalProperties: true }), { maxItems: 20 })),
        },
        { additionalProperties: false, description: 'WhatsApp: an approved template (the only reply allowed 24 hours after the customer last wrote)' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const MessagesQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 64, description: "the previous page's nextCursor, as on every list" })),
  after: Type.Optional(Type.String({ maxLength: 64, description: 'a message id: the messages after it (the same as cursor)' })),
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

const Id = Type.String();

/** A moment as the API and the stream show it. */
export const MomentView = View({
  id: Id,
  customerId: Id,
  channel: Type.String(),
  externalId: Nullable(Type.String()),
  subject: Type.String(),
  preview: Type.String(),
  status: Type.String({ description: 'open | pending | snoozed | resolved | closed' }),
  priority: Type.String({ description: 'low | normal | high | urgent' }),
  language: Nullable(Type.String()),
  businessUnitId: Nullable(Id),
  teamId: Nullable(Id),
  ownerId: Id,
  queued: Type.Boolean(),
  queuedAt: Nullable(Time),
  handoff: Nullable(
    View({
      fromOwnerId: Id,
      toTeamId: Nullable(Id),
      toAgentId: Nullable(Id),
      reason: Type.String(),
      note: Nullable(Type.String()),
      requestedAt: Time,
      requestedBy: Type.String(),
    }),
  ),
  tags: Type.Array(Type.String()),
  sla: View({
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

/**
 * One page of an inbox list. `customers`: with `include=customers`, the customer of each moment
 * on the page by its `customerId`, so a list can name them without asking once per row; null
 * when not asked.
 */
export const MomentPage = View({
  data: Type.Array(MomentView),
  nextCursor: Nullable(Type.String()),
  customers: Nullable(Type.Record(Type.String(), CustomerBrief)),
});

/** A message of a moment's thread. `meta` holds channel specifics: email threading headers, a WhatsApp template, a call's recording. */
export const MessageView = View({
  id: Id,
  momentId: Id,
  channel: Type.String(),
  direction: Type.String({ description: 'in: from the customer | out: a reply to them | note: internal' }),
  authorKind: Type.String({ description: 'customer | agent | system' }),
  authorId: Nullable(Id),
  body: Type.String(),
  mentions: Type.Array(Id, { description: 'agents a note mentions' }),
  externalId: Nullable(Type.String({ description: "the provider's message id" })),
  address: Nullable(Type.String({ description: "the customer's address on the channel: sender of an inbound message, recipient of a reply" })),
  meta: Type.Record(Type.String(), Type.Unknown()),
  delivery: Type.String({ description: 'received | internal | queued | sent | delivered | read | failed' }),
  deliveryError: Nullable(Type.String()),
  deliveryAt: Nullable(Time),
  attachments: Type.Array(
    View({ id: Id, fileName: Type.String(), contentType: Type.String(), size: Type.Integer({ description: 'bytes' }), sha256: Type.String({ description: 'hex' }) }, { description: 'GET /attachments/{id} downloads the file' }),
  ),
  createdAt: Time,
});

/** GET /moments/{id}/messages: the thread, oldest first. */
export const MessagePage = PageOf(MessageView);

/**
 * POST /moments: where the contact landed (201 when `opened`, 200 otherwise). A repeat delivery
 * stores nothing and answers with the message stored the first time.
 */
export const OpenMomentReply = View({
  outcome: Type.Union([Type.Literal('opened'), Type.Literal('continued'), Type.Literal('reopened'), Type.Literal('duplicate')]),
  moment: MomentView,
  message: MessageView,
});

/** POST /moments/{id}/messages: 201, or 200 with `duplicate` true when the externalId was already stored (the stored message). */
export const AddMessageReply = View({ moment: MomentView, message: MessageView, duplicate: Type.Boolean() });

/** One stretch of ownership; `to` is null for the current owner. */
export const OwnershipEntry = View({
  ownerId: Id,
  ownerName: Nullable(Type.String({ description: 'null when no agent of the workspace has that id' })),
  teamId: Nullable(Id),
  teamName: Nullable(Type.String()),
  reason: Type.String({ description: 'rule, round_robin, least_loaded, skills, returning_customer, capacity, came_online, fallback, manual, acceptance, take_over, escalation, agent_offline, member_removed, read_only, sla_breach, reopened, merged' }),
  actor: Type.String(),
  note: Nullable(Type.String()),
  from: Time,
  to: Nullable(Time),
});

/** GET /moments/{id}/ownership: the ledger, oldest first, with no gap or overlap. */
export const OwnershipLedger = ListOf(OwnershipEntry);

/** PUT /agents/{id}/presence: `moved` counts the moments handed back to their teams (offline) or taken from the waiting line (online). */
export const PresenceReply = View({ presence: PresenceBody.properties.presence, moved: Type.Integer() });
