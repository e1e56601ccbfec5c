import type { ExpressionBuilder, Insertable } from 'kysely';
import type { MomentTable, Tables } from '../../platform/db/tables.ts';
import { AppError } from '../../platform/errors.ts';
import { compiledOnce } from '../../platform/db/compiled-once.ts';
import { checkBusinessUnit } from '../workspaces/index.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { ACTIVE_STATUSES } from './agent-load.ts';
import { recordOnTimeline, resolveCustomer, type CustomerRef, type ResolvedCustomer } from './customer-touchpoints.ts';
import { findMessageByExternalId, insertMessage, previewOf, subjectFromBody, checkAttachments, storedMessageView, type MessageView } from './messages.ts';
import { inMomentTx, type MomentsCtx, type MomentWrite } from './moment-tx.ts';
import { handoffColumns, type MomentRow } from './moment-view.ts';
import { audienceOf, momentPayload, startLedger } from './ownership.ts';
import { routeMoment } from './route-moment.ts';
import { customerWrote, type InboundMessage } from './customer-wrote.ts';
import { inScope, scopeOf, type ChannelScope } from './channel-scope.ts';
import { unsentAhead } from './unsent-ahead.ts';
import { startSla } from './sla-hooks.ts';
import { announceCustomerChanged } from './customer-changed.ts';
import { cleanTags, storeTags, tagsColumn } from './moment-tags.ts';
import { maySee, type Viewer } from './visibility.ts';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export type OpenMomentInput = {
  readonly workspaceId: string;
  readonly actor: string;
  readonly customer: CustomerRef;
  readonly channel: string;
  /** The configured channel it arrived on (an inbox address, a number, a page). */
  readonly channelId?: string | null;
  /** The provider's conversation id: the same one twice opens one moment. */
  readonly externalId?: string | null;
  /** A moment the channel knows this message belongs to (email threading headers, a reply token). */
  readonly threadMomentId?: string | null;
  /**
   * The channel threads its conversations itself (email by headers, token and subject; chat by
   * the visitor's own session): without a thread it names, a new moment opens, instead of the
   * customer's active one. An email typed into a chat, or a new mail on another subject, must
   * not land in someone's ongoing conversation.
   */
  readonly threadsItself?: boolean;
  /** The channel lets customers take messages back (Messenger, Instagram): one unsent before it came is not stored. */
  readonly unsendable?: boolean;
  readonly subject?: string | null;
  readonly message: InboundMessage;
  readonly priority?: Priority;
  readonly businessUnitId?: string | null;
  readonly language?: string | null;
  readonly tags?: readonly string[];
  /**
   * Who records it, when that is an agent through the API: a moment they may not see is not
   * theirs to continue, nor to read back as a repeat delivery (409 instead).
   */
  readonly viewer?: Viewer;
};

/** How an inbound contact landed: a new moment, an open one continued, a resolved one reopened, or a repeat delivery. */
export type OpenOutcome = 'opened' | 'continued' | 'reopened' | 'duplicate';

export type OpenResult = { readonly outcome: OpenOutcome; readonly moment: MomentRow; readonly message: MessageView };

/**
 * A customer reaches out. The same provider conversation or message id is stored once; a
 * customer who writes while a moment of theirs is active on the channel continues it; within
 * the reopen window after resolution the moment reopens; otherwise a new moment opens, routed
 * and owned in the same transaction that creates it.
 */
export async function openMoment(ctx: MomentsCtx, input: OpenMomentInput): Promise<OpenResult> {
  checkAttachments(input.message.attachments);
  let renamed: string | null = null;
  const result = await inMomentTx(ctx, input.workspaceId, async (w): Promise<OpenResult> => {
    const repeat = await findMessageByExternalId(w, arrivedOn(input), input.message.externalId);
    if (repeat) {
      const moment = await loadRow(w, repeat.moment_id);
      mayContinue(input.viewer, moment, 'message.externalId', 'that message is already stored, on a moment you may not see');
      return { outcome: 'duplicate', moment, message: await storedMessageView(w, repeat) };
    }
    if (input.unsendable && input.message.externalId && (await unsentAhead(w.tx, w.workspaceId, arrivedOn(input), input.message.externalId))) {
      throw new AppError('conflict', 'the customer unsent it before it arrived', 'message.externalId');
    }
    if (input.businessUnitId) await checkBusinessUnit(w.tx, w.workspaceId, input.businessUnitId);

    const thread = await threadOf(w, input);
    const known = thread?.moment;
    if (known) mayContinue(input.viewer, known, thread.by, `the ${thread.by} names a moment you may not see`);
    const customer = thread ? await customerOfThread(w, input, thread) : await resolveCustomer(w, input.customer, input.channel);
    renamed = customer.renamed ? customer.id : null;
    // Someone this message made has no moment to continue and no previous owner to go back to.
    const existing = known ?? (customer.isNew || input.threadsItself ? undefined : await continuable(w, customer.id, input));
    if (existing && existing.status !== 'closed') {
      if (!known) mayContinue(input.viewer, existing, 'customerId' in input.customer ? 'customerId' : 'identity', `the customer's ${existing.channel} moment is one you may not see: its team adds to it`);
      const result = await customerWrote(w, existing, input.message, input.actor, arrivedOn(input));
      if (result) return result;
    }
    return createMoment(w, input, customer);
  });
  // The channel named a known sender anew (a new WhatsApp profile name): their rows and card follow.
  if (renamed !== null && ctx.signal) {
    await announceCustomerChanged(ctx.deps, { signal: ctx.signal }, input.workspaceId, [renamed]);
  }
  return result;
}

/** Where this message came in: the configured channel, else (through the API) the channel kind. */
const arrivedOn = (input: OpenMomentInput): ChannelScope => ({ channel: input.channel, channelId: input.channelId ?? null });

type Thread = { readonly moment: MomentRow; readonly by: 'threadMomentId' | 'externalId' };

/** The moment a channel says this message continues: by the thread it names, or the provider's conversation id. */
async function threadOf(w: MomentWrite, input: OpenMomentInput): Promise<Thread | null> {
  if (input.threadMomentId) {
    const [row] = await momentById(w.tx, { workspaceId: w.workspaceId, id: input.threadMomentId });
    if (row) return { moment: row.merged_into ? await loadRow(w, row.merged_into) : row, by: 'threadMomentId' };
  }
  if (!input.externalId) return null;
  const row = await w.tx.selectFrom('moment').selectAll().where('workspace_id', '=', w.workspaceId).where(inScope('moment', arrivedOn(input))).where('external_id', '=', input.externalId).executeTakeFirst();
  return row ? { moment: row, by: 'externalId' } : null;
}

/**
 * Who writes on a known thread. Email threads by its headers, and whoever answers there (a
 * colleague the customer copied in) joins the customer's moment. A conversation id is one
 * customer's: another customer giving it would read their moment back and write into it.
 */
async function customerOfThread(w: MomentWrite, input: OpenMomentInput, thread: Thread): Promise<ResolvedCustomer> {
  const ofThread = { id: thread.moment.customer_id, isNew: false, renamed: false };
  if (thread.by === 'threadMomentId') return ofThread;
  const writer = await resolveCustomer(w, input.customer, input.channel);
  const roots = await w.tx.selectFrom('customer').select('root_id').distinct().where('workspace_id', '=', w.workspaceId).where('id', 'in', [writer.id, thread.moment.customer_id]).execute();
  if (roots.length > 1) throw new AppError('conflict', `externalId ${input.externalId} is another customer's conversation on ${input.channel}`, 'externalId');
  return writer;
}

/** An agent (the viewer) records messages only on moments they may see. */
function mayContinue(viewer: Viewer | undefined, moment: MomentRow, field: string, why: string): void {
  if (viewer && !maySee(viewer, moment)) throw new AppError('conflict', why, field);
}

/**
 * The customer's active moment on the channel, else their latest one resolved within the reopen
 * window. A configured channel (one of two SMS numbers) keeps its own moments: replies go out
 * the way the customer wrote in.
 */
export async function continuable(w: MomentWrite, customerId: string, on: { readonly channel: string; readonly channelId?: string | null }): Promise<MomentRow | undefined> {
  const group = w.tx.selectFrom('customer').select('id').where('workspace_id', '=', w.workspaceId).where('root_id', '=', customerId);
  const windowStart = w.now - w.settings.moments.reopenWindowHours * 3_600_000;
  // A customer has few moments on a channel: fetch them by the customer index and pick in code.
  // (ORDER BY … LIMIT 1 here made SQLite walk the workspace's recency index instead: linear in all
  // moments.) Channel kind and a status list seek that index to the end (17 µs, where a status
  // OR resolved-within-the-window condition read each moment: 60 µs); the window is checked here.
  const rows = await w.tx
    .selectFrom('moment')
    .selectAll()
    .where('workspace_id', '=', w.workspaceId)
    .where('customer_id', 'in', group)
    .where('channel', '=', on.channel)
    .where('status', 'in', [...ACTIVE_STATUSES, 'resolved'])
    .where(onChannel(on))
    .execute();
  const candidates = rows.filter((m) => m.status !== 'resolved' || (m.resolved_at ?? 0) >= windowStart);
  const latest = (rows: MomentRow[], at: (r: MomentRow) => number) => rows.reduce<MomentRow | undefined>((best, r) => (best === undefined || at(r) > at(best) ? r : best), undefined);
  return latest(candidates.filter((m) => m.status !== 'resolved'), (m) => m.last_message_at) ?? latest(candidates, (m) => m.resolved_at ?? 0);
}

/** Moments of a configured channel, or (opened through the API) of a channel kind with no configured channel. */
const onChannel = (on: { readonly channel: string; readonly channelId?: string | null }) => (eb: ExpressionBuilder<Tables, 'moment'>) =>
  on.channelId ? eb('channel_id', '=', on.channelId) : eb.and([eb('channel', '=', on.channel), eb('channel_id', 'is', null)]);

/** A new moment, routed and owned in this transaction, with its first message. */
export async function createMoment(w: MomentWrite, input: OpenMomentInput, resolved: ResolvedCustomer): Promise<OpenResult> {
  const customerId = resolved.id;
  const id = w.deps.ids.next();
  const body = input.message.body;
  const given = input.subject?.trim();
  const subject = given || subjectFromBody(body);
  const tags = cleanTags(input.tags ?? []);
  const customer = await w.tx.selectFrom('customer').select(['stage', 'traits']).where('workspace_id', '=', w.workspaceId).where('id', '=', customerId).executeTakeFirstOrThrow();
  const placement = await routeMoment(w, {
    momentId: id,
    customerId,
    newCustomer: resolved.isNew,
    channel: input.channel,
    facts: { channel: input.channel, businessUnitId: input.businessUnitId ?? null, stage: customer.stage, language: input.language ?? null, text: `${subject}\n${body}`, traits: parseJsonObject(customer.traits) },
  });
  let row: MomentRow = {
    workspace_id: w.workspaceId, id, customer_id: customerId, channel: input.channel, channel_id: input.channelId ?? null, external_id: input.externalId ?? null, subject, preview: previewOf(body),
    status: 'open', priority: input.priority ?? 'normal', language: input.language ?? null, business_unit_id: input.businessUnitId ?? null,
    team_id: placement.teamId, owner_id: placement.ownerId, required_skills: JSON.stringify(placement.requiredSkills ?? []), tags: tagsColumn(tags), queued_at: placement.queued ? w.now : null, ...handoffColumns(null),
    sla_policy_id: null, first_response_due: null, next_response_due: null, resolution_due: null, sla_due_at: null, sla_warned_at: null, sla_breached_at: null, sla_paused_at: null,
    first_response_at: null, awaiting_reply_since: w.now, snoozed_until: null, resolved_at: null, closed_at: null, merged_into: null,
    message_count: 1, last_message_at: w.now, created_at: w.now, updated_at: w.now,
  };
  row = await startSla(w, row);
  // The provider's conversation goes on after its moment closed: the new moment carries its id from now on.
  if (row.external_id !== null) {
    await w.tx.updateTable('moment').set({ external_id: null }).where('workspace_id', '=', w.workspaceId).where(inScope('moment', scopeOf(row))).where('external_id', '=', row.external_id).execute();
  }
  await insertMomentRow(w.tx, row);
  await startLedger(w, id, placement, input.actor);
  await storeTags(w, id, tags, 'new moment');
  const message = await insertMessage(w, id, arrivedOn(input), { direction: 'in', body, authorKind: 'customer', authorId: null, externalId: input.message.externalId, address: input.message.address, meta: input.message.meta, attachments: input.message.attachments });
  await recordOnTimeline(w, customerId, input.channel, [
    // A subject made from the first line says nothing the message beside it does not.
    { messageId: `moment:${id}`, name: 'Moment Opened', properties: { momentId: id, subject, ...(given ? {} : { subjectFrom: 'message' }), priority: row.priority } },
    { messageId: `message:${message.id}`, name: 'Message Received', properties: { momentId: id, messageId: message.id, preview: row.preview } },
  ], row.team_id);
  w.announce({ momentId: id, type: 'moment.created', actor: input.actor, audience: audienceOf(row), payload: { moment: momentPayload(w, row), message, reason: placement.reason } });
  return { outcome: 'opened', moment: row, message };
}

/** The moment by id; `field` is what a 404 names (the path's id, or a body field that names one). */
export async function loadRow(w: MomentWrite, momentId: string, field = 'id'): Promise<MomentRow> {
  const [row] = await momentById(w.tx, { workspaceId: w.workspaceId, id: momentId });
  if (!row) throw new AppError('moment_not_found', `no moment ${momentId}`, field);
  return row;
}

// Every message on a moment it continues reads it, and every new moment is a 40-column insert: compiled once.
const momentById = compiledOnce((db, p: { workspaceId: string; id: string }) => db.selectFrom('moment').selectAll().where('workspace_id', '=', p.workspaceId).where('id', '=', p.id));
const insertMomentRow = compiledOnce((db, row: Insertable<MomentTable>) => db.insertInto('moment').values(row));
