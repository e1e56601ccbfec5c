import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import { isoTime } from '../../platform/iso-time.ts';
import { inMomentTx, type MomentsCtx } from './moment-tx.ts';
import { loadRow } from './open-moment.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import type { ChannelScope } from './channel-scope.ts';
import { messageByExternalId, toMessageView } from './messages.ts';
import { holdUnsend } from './unsent-ahead.ts';
import { replaceKeptWords } from './rewrite-kept-copies.ts';
import { unquoteReactions } from './unquote-reactions.ts';

/** What stands where an unsent message's words were: in the moment's preview, and its subject when the message made it. */
export const UNSENT = '(message unsent)';

/** Message facts that say nothing of what the customer wrote, kept on an unsent message. */
const KEPT_META = ['type', 'sentAt', 'account'];

/**
 * The customer took a message back (Instagram's and Messenger's unsend). Meta's platform
 * terms require the app to delete it, so its words and files go from everywhere Touchpoint
 * keeps them: the message (its text emptied, `meta.unsent` set), its attachments, the moment's
 * preview and the subject it made, the inbox's search index, the timeline's lines, the
 * stream's replay log and the reaction lines that quoted it. The message itself stays, so
 * the thread shows that something was unsent and the ledger and SLA history stay whole.
 * Returns `held` when the message is not stored (yet): it will not be when it comes
 * (unsent-ahead.ts); `none` when it is no customer message or already unsent.
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

    const view = toMessageView(redacted, []);
    const moment = await replaceKeptWords(w, message, view, { preview: UNSENT, subject: UNSENT });
    // Reaction lines quoting it ("❤️ reacted to “…”") lose its words too; the moment is
    // announced as they leave it (one of them may be its preview).
    await unquoteReactions(w, { id: message.id, customerId: moment.customer_id });
    const final = await loadRow(w, moment.id);
    w.announce({ momentId: moment.id, type: 'message.updated', actor: 'customer', audience: audienceOf(final), payload: { moment: momentPayload(w, final), message: view } });
    return 'unsent';
  });
}
