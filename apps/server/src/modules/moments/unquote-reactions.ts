import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import type { MomentWrite } from './moment-tx.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import { previewOf, subjectFromBody, toMessageView } from './messages.ts';
import { replaceKeptWords } from './rewrite-kept-copies.ts';

/** A reaction's line once the message it reacted to was unsent: the emoji, and no word of that message. */
export const reactionToUnsent = (emoji: string): string => `${emoji} reacted to a message that was unsent`;

/**
 * Reaction lines quote the message they react to (`❤️ reacted to “…”`, meta.reaction.messageId
 * naming it). Once that message is unsent, each says so instead, wherever its words were kept:
 * the message, its moment's preview (and subject), the inbox search index, the timeline line
 * and the stream's replay log. The customer's reactions are on their own moments, so only those
 * are searched.
 */
export async function unquoteReactions(w: MomentWrite, unsent: { readonly id: string; readonly customerId: string }): Promise<void> {
  const theirMoments = w.tx.selectFrom('moment').select('id').where('workspace_id', '=', w.workspaceId).where('customer_id', '=', unsent.customerId);
  const candidates = await w.tx
    .selectFrom('message')
    .selectAll()
    .where('workspace_id', '=', w.workspaceId)
    .where('moment_id', 'in', theirMoments)
    .where('direction', '=', 'in')
    // Ids are UUIDs: nothing in them is a LIKE wildcard.
    .where('meta', 'like', `%${unsent.id}%`)
    .execute();
  for (const reaction of candidates) {
    const meta = parseJsonObject(reaction.meta);
    const to: JsonObject = typeof meta.reaction === 'object' && meta.reaction !== null && !Array.isArray(meta.reaction) ? (meta.reaction as JsonObject) : {};
    if (to.messageId !== unsent.id) continue;
    const body = reactionToUnsent(typeof to.emoji === 'string' ? to.emoji : '');
    await w.tx.updateTable('message').set({ body }).where('workspace_id', '=', w.workspaceId).where('id', '=', reaction.id).execute();

    const view = toMessageView({ ...reaction, body }, []);
    const moment = await replaceKeptWords(w, reaction, view, { preview: previewOf(body), subject: subjectFromBody(body) });
    w.announce({ momentId: moment.id, type: 'message.updated', actor: 'customer', audience: audienceOf(moment), payload: { moment: momentPayload(w, moment), message: view } });
  }
}
