import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import type { MomentWrite } from './moment-tx.ts';
import type { MomentTouchpoint } from './customer-touchpoints.ts';
import { forgetInboxText } from './inbox-text.ts';
import { previewOf, subjectFromBody, type MessageView } from './messages.ts';
import type { MomentRow } from './moment-view.ts';
import { MOMENT_EVENTS } from './moments.events.ts';
import { loadRow } from './open-moment.ts';
import { saveMoment } from './save-moment.ts';

/**
 * Besides the message itself, a message's words are kept in its moment's preview (and the
 * subject it made), the inbox search index, the customer's timeline (each line's preview, the
 * subject on the moment's first line) and the stream's replay log. When words must go after
 * the fact (a message unsent, a reaction that quoted it), each of those copies takes `now`
 * instead. The caller has written the message itself; returns its moment as saved.
 */
export async function replaceKeptWords(w: MomentWrite, message: { readonly id: string; readonly moment_id: string; readonly body: string }, view: MessageView, now: { readonly preview: string; readonly subject: string }): Promise<MomentRow> {
  const stored = await loadRow(w, message.moment_id);
  const madeSubject = stored.subject === subjectFromBody(message.body);
  const moment: MomentRow = { ...stored, preview: stored.preview === previewOf(message.body) ? now.preview : stored.preview, subject: madeSubject ? now.subject : stored.subject };
  await saveMoment(w, moment, stored);
  // The new words are not worth finding: the old ones just leave the index.
  if (w.deps.engine === 'sqlite') await forgetInboxText(w.tx, w.workspaceId, [{ kind: 'message', refId: message.id }, ...(madeSubject ? [{ kind: 'subject' as const, refId: moment.id }] : [])]);
  await rewriteTimeline(w, new Map<string, TimelineRewrite>([[`message:${message.id}`, { field: 'preview', value: now.preview }], ...(madeSubject ? [[`moment:${moment.id}`, { field: 'subject', value: now.subject }] as const] : [])]));
  await rewriteReplayLog(w, moment.id, { id: message.id, view }, new Map([[previewOf(message.body), now.preview], [subjectFromBody(message.body), now.subject]]));
  return moment;
}

/** A timeline line (`message:<id>` or `moment:<id>`) and the property that takes a new value. */
type TimelineRewrite = { readonly field: 'preview' | 'subject'; readonly value: string };

/** Rewrites timeline lines: those written, and those still waiting in the outbox to be written. */
async function rewriteTimeline(w: MomentWrite, lines: ReadonlyMap<string, TimelineRewrite>): Promise<void> {
  for (const [id, { field, value }] of lines) {
    const event = await w.tx.selectFrom('event').select('properties').where('workspace_id', '=', w.workspaceId).where('message_id', '=', id).executeTakeFirst();
    if (!event) continue;
    const properties = { ...parseJsonObject(event.properties), [field]: value };
    await w.tx.updateTable('event').set({ properties: JSON.stringify(properties) }).where('workspace_id', '=', w.workspaceId).where('message_id', '=', id).execute();
  }
  const waiting = await w.tx.selectFrom('outbox').select(['id', 'payload']).where('processed_at', 'is', null).where('workspace_id', '=', w.workspaceId).where('topic', '=', MOMENT_EVENTS.touchpointsAdded).execute();
  for (const row of waiting) {
    const payload = parseJsonObject(row.payload);
    const items = Array.isArray(payload.items) ? (payload.items as MomentTouchpoint[]) : [];
    if (!items.some((i) => lines.has(i.messageId))) continue;
    const rewritten = items.map((i) => {
      const line = lines.get(i.messageId);
      return line ? { ...i, properties: { ...i.properties, [line.field]: line.value } } : i;
    });
    await w.tx.updateTable('outbox').set({ payload: JSON.stringify({ ...payload, items: rewritten }) }).where('workspace_id', '=', w.workspaceId).where('id', '=', row.id).execute();
  }
}

/**
 * The stream replays a moment's recent activity to reconnecting agents: it must not replay the
 * words either. Each entry keeps the moment as it was then, with only the words replaced: the
 * message's view, and a preview or subject the message made (`words`: old text → new).
 */
async function rewriteReplayLog(w: MomentWrite, momentId: string, message: { readonly id: string; readonly view: unknown }, words: ReadonlyMap<string, string>): Promise<void> {
  const rows = await w.tx.selectFrom('moment_activity').select(['seq', 'payload']).where('workspace_id', '=', w.workspaceId).where('moment_id', '=', momentId).execute();
  for (const row of rows) {
    const payload = parseJsonObject(row.payload);
    const shown = payload.message as JsonObject | undefined;
    const moment = payload.moment as JsonObject | undefined;
    const next: JsonObject = { ...payload };
    if (shown?.id === message.id) next.message = message.view as JsonObject;
    if (moment) next.moment = Object.fromEntries(Object.entries(moment).map(([k, v]) => [k, (k === 'preview' || k === 'subject') && typeof v === 'string' && words.has(v) ? words.get(v)! : v]));
    const text = JSON.stringify(next);
    if (text !== row.payload) await w.tx.updateTable('moment_activity').set({ payload: text }).where('workspace_id', '=', w.workspaceId).where('seq', '=', row.seq).execute();
  }
}
