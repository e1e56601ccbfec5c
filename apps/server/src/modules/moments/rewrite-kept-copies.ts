import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import type { MomentWrite } from './moment-tx.ts';
import type { MomentTouchpoint } from './customer-touchpoints.ts';
import { MOMENT_EVENTS } from './moments.events.ts';

/**
 * Besides the message and its moment, a message's words are kept on the customer's timeline
 * (each line's preview, the subject on the moment's first line) and in the stream's replay log.
 * When words must go (a message unsent, a reaction that quoted it), these rewrite those copies.
 */

/** A timeline line (`message:<id>` or `moment:<id>`) and the property that takes a new value. */
export type TimelineRewrite = { readonly field: 'preview' | 'subject'; readonly value: string };

/** Rewrites timeline lines: those written, and those still waiting in the outbox to be written. */
export async function rewriteTimeline(w: MomentWrite, lines: ReadonlyMap<string, TimelineRewrite>): Promise<void> {
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
export async function rewriteReplayLog(w: MomentWrite, momentId: string, message: { readonly id: string; readonly view: unknown }, words: ReadonlyMap<string, string>): Promise<void> {
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
