import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import { isoTime } from '../../platform/iso-time.ts';
import { inMomentTx, type MomentsCtx, type MomentWrite } from './moment-tx.ts';
import { loadRow } from './open-moment.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import type { ChannelScope } from './channel-scope.ts';
import { messageByExternalId, previewOf, subjectFromBody, toMessageView } from './messages.ts';
import { forgetInboxText } from './inbox-text.ts';
import { holdUnsend } from './unsent-ahead.ts';
import { saveMoment } from './save-moment.ts';
import type { MomentRow } from './moment-view.ts';
import type { MomentTouchpoint } from './customer-touchpoints.ts';
import { MOMENT_EVENTS } from './moments.events.ts';

/** What stands where an unsent message's words were: in the moment's preview, and its subject when the message made it. */
export const UNSENT = '(message unsent)';

/** Message facts that say nothing of what the customer wrote, kept on an unsent message. */
const KEPT_META = ['type', 'sentAt', 'account'];

/**
 * The customer took a message back (Instagram's and Messenger's unsend). Meta's platform
 * terms require the app to delete it, so its words and files go from everywhere Touchpoint
 * keeps them: the message (its text emptied, `meta.unsent` set), its attachments, the moment's
 * preview and the subject it made, the inbox's search index, the timeline's lines and the
 * stream's replay log. The message itself stays, so the thread shows that something was
 * unsent and the ledger and SLA history stay whole. Returns `held` when the message is not
 * stored (yet): it will not be when it comes (unsent-ahead.ts); `none` when it is no customer
 * message or already unsent.
 */
export async function unsendMessage(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly on: ChannelScope; readonly externalId: string }): Promise<'unsent' | 'held' | 'none'> {
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const message = await messageByExternalId(w.tx, w.workspaceId, input.on, input.externalId);
    if (!message) {
      await holdUnsend(w.tx, w.workspaceId, input.on, input.externalId, w.now);
      return 'held';
    }
    if (message.direction !== 'in') return 'none';
    const meta = parseJsonObject(message.meta);
    if (meta.unsent === true) return 'none';
    const keptMeta: JsonObject = { ...Object.fromEntries(KEPT_META.filter((k) => k in meta).map((k) => [k, meta[k]!])), unsent: true, unsentAt: isoTime(w.now) };
    const redacted = { ...message, body: '', meta: JSON.stringify(keptMeta) };
    await w.tx.updateTable('message').set({ body: redacted.body, meta: redacted.meta }).where('workspace_id', '=', w.workspaceId).where('id', '=', message.id).execute();
    await w.tx.deleteFrom('attachment').where('workspace_id', '=', w.workspaceId).where('message_id', '=', message.id).execute();

    const stored = await loadRow(w, message.moment_id);
    const subjectFromMessage = stored.subject === subjectFromBody(message.body);
    const moment: MomentRow = {
      ...stored,
      preview: stored.preview === previewOf(message.body) ? UNSENT : stored.preview,
      subject: subjectFromMessage ? UNSENT : stored.subject,
    };
    await saveMoment(w, moment, stored);
    if (w.deps.engine === 'sqlite') await forgetInboxText(w.tx, w.workspaceId, [{ kind: 'message', refId: message.id }, ...(subjectFromMessage ? [{ kind: 'subject' as const, refId: moment.id }] : [])]);
    await redactTimeline(w, message.id, subjectFromMessage ? moment.id : null);

    const view = toMessageView(redacted, []);
    await redactReplayLog(w, moment.id, message, view);
    w.announce({ momentId: moment.id, type: 'message.updated', actor: 'customer', audience: audienceOf(moment), payload: { moment: momentPayload(w, moment), message: view } });
    return 'unsent';
  });
}

/**
 * The customer's timeline shows a preview of each message, and the subject on the moment's
 * first line: on the lines written, and on those still waiting in the outbox to be written.
 */
async function redactTimeline(w: MomentWrite, messageId: string, subjectOfMoment: string | null): Promise<void> {
  const lines = new Map([[`message:${messageId}`, 'preview'], ...(subjectOfMoment ? [[`moment:${subjectOfMoment}`, 'subject'] as const] : [])]);
  for (const [id, field] of lines) {
    const event = await w.tx.selectFrom('event').select('properties').where('workspace_id', '=', w.workspaceId).where('message_id', '=', id).executeTakeFirst();
    if (!event) continue;
    const properties = { ...parseJsonObject(event.properties), [field]: UNSENT };
    await w.tx.updateTable('event').set({ properties: JSON.stringify(properties) }).where('workspace_id', '=', w.workspaceId).where('message_id', '=', id).execute();
  }
  const waiting = await w.tx.selectFrom('outbox').select(['id', 'payload']).where('processed_at', 'is', null).where('workspace_id', '=', w.workspaceId).where('topic', '=', MOMENT_EVENTS.touchpointsAdded).execute();
  for (const row of waiting) {
    const payload = parseJsonObject(row.payload);
    const items = Array.isArray(payload.items) ? (payload.items as MomentTouchpoint[]) : [];
    if (!items.some((i) => lines.has(i.messageId))) continue;
    const redacted = items.map((i) => (lines.has(i.messageId) ? { ...i, properties: { ...i.properties, [lines.get(i.messageId)!]: UNSENT } } : i));
    await w.tx.updateTable('outbox').set({ payload: JSON.stringify({ ...payload, items: redacted }) }).where('workspace_id', '=', w.workspaceId).where('id', '=', row.id).execute();
  }
}

/**
 * The stream replays a moment's recent activity to reconnecting agents: it must not replay the
 * words either. Each entry keeps the moment as it was then, with only the words taken out.
 */
async function redactReplayLog(w: MomentWrite, momentId: string, unsent: { readonly id: string; readonly body: string }, view: unknown): Promise<void> {
  const rows = await w.tx.selectFrom('moment_activity').select(['seq', 'payload']).where('workspace_id', '=', w.workspaceId).where('moment_id', '=', momentId).execute();
  const words = new Set([previewOf(unsent.body), subjectFromBody(unsent.body)]);
  for (const row of rows) {
    const payload = parseJsonObject(row.payload);
    const message = payload.message as JsonObject | undefined;
    const moment = payload.moment as JsonObject | undefined;
    const next: JsonObject = { ...payload };
    if (message?.id === unsent.id) next.message = view;
    if (moment) next.moment = Object.fromEntries(Object.entries(moment).map(([k, v]) => [k, (k === 'preview' || k === 'subject') && typeof v === 'string' && words.has(v) ? UNSENT : v]));
    const text = JSON.stringify(next);
    if (text !== row.payload) await w.tx.updateTable('moment_activity').set({ payload: text }).where('workspace_id', '=', w.workspaceId).where('seq', '=', row.seq).execute();
  }
}
