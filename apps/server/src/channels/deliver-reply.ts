import type { Deps } from '../platform/deps.ts';
import { isUniqueViolation } from '../platform/db/unique-violation.ts';
import { loadChannel, recordHealth } from '../modules/channels/index.ts';
import { loadOutbound, partsSentOf, recordDelivery, recordPartsSent, type MomentsCtx } from '../modules/moments/index.ts';
import type { Listener } from '../worker/outbox-worker.ts';
import { DeliveryError, type Adapters } from './channel-adapter.ts';

/** Attempts before a reply is shown as failed: with the worker's backoff, about 8½ minutes of outage. */
export const MAX_ATTEMPTS = 9;

/**
 * Delivers a queued reply through its channel's adapter (outbox listener, at least once).
 * Success records sent with the provider's id; a retryable failure keeps it queued with the
 * reason and throws so the worker retries with backoff; a final failure, or the last attempt,
 * records failed with the reason, on the message and on the channel's health (degraded while
 * retries are pending, failing once one gave up). Never a fake "sent".
 */
export function deliverReply(ctx: MomentsCtx, adapters: Adapters): Listener {
  const { deps } = ctx;
  return async (event) => {
    const messageId = String(event.payload.messageId);
    const reply = await loadOutbound(deps.db, event.workspaceId, messageId);
    if (!reply || reply.delivery !== 'queued') return; // already settled by an earlier attempt
    const fail = (error: string) => recordDelivery(ctx, { workspaceId: event.workspaceId, messageId, state: 'failed', error });
    if (reply.channelId === null) return void (await fail(`no ${reply.channel} channel is connected to this moment, so the reply cannot be delivered`));
    const channel = await loadChannel(deps, event.workspaceId, reply.channelId);
    const adapter = channel ? adapters[channel.kind] : undefined;
    if (!channel || !adapter) return void (await fail(`channel ${reply.channelId} cannot send`));
    if (!channel.enabled) return void (await fail(`channel ${channel.name} is disabled`));
    let sent: { readonly providerMessageId: string | null };
    try {
      // Parts of a long reply that earlier attempts delivered are not sent again.
      const partsSent = { ids: partsSentOf(reply.meta), record: (ids: readonly (string | null)[]) => recordPartsSent(deps.db, event.workspaceId, messageId, ids) };
      sent = await adapter.send(channel, reply, partsSent);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const retryable = error instanceof DeliveryError ? error.retryable : true;
      if (!retryable || event.attempts + 1 >= MAX_ATTEMPTS) {
        await fail(reason);
        // An invalid number is this reply's trouble: the channel is not failing for it.
        if (!(error instanceof DeliveryError && error.about === 'message')) await recordHealth(deps.db, event.workspaceId, channel.id, { state: 'failing', error: reason }, deps.clock.now());
        logFailure(deps, channel.id, messageId, reason, true);
        return;
      }
      await recordDelivery(ctx, { workspaceId: event.workspaceId, messageId, state: 'queued', error: `attempt ${event.attempts + 1} failed: ${reason}` });
      // The channel shows the trouble while it lasts, not only once the reply has given up.
      await recordHealth(deps.db, event.workspaceId, channel.id, { state: 'degraded', error: reason }, deps.clock.now());
      logFailure(deps, channel.id, messageId, reason, false);
      throw error;
    }
    // The provider has the reply: whatever happens while recording it is no reason to send it again.
    await recordSent(ctx, event.workspaceId, channel.id, messageId, sent.providerMessageId);
    await recordHealth(deps.db, event.workspaceId, channel.id, { state: 'ok' }, deps.clock.now());
  };
}

/**
 * Records the reply as sent with the provider's id. A provider may hand out an id another
 * message of the channel already holds (ids reused, or a sandbox's fixed ones): the reply is
 * still sent, so it is kept as sent without that id, and the clash is logged for the operator.
 */
async function recordSent(ctx: MomentsCtx, workspaceId: string, channelId: string, messageId: string, providerMessageId: string | null): Promise<void> {
  try {
    await recordDelivery(ctx, { workspaceId, messageId, state: 'sent', providerMessageId });
  } catch (error) {
    if (providerMessageId === null || !isUniqueViolation(error)) throw error;
    ctx.deps.log.warn({ channelId, messageId, providerMessageId }, 'the provider gave a sent reply an id another message already has; recorded as sent without it (its status reports reach the other message)');
    await recordDelivery(ctx, { workspaceId, messageId, state: 'sent' });
  }
}

function logFailure(deps: Deps, channelId: string, messageId: string, reason: string, final: boolean): void {
  deps.log.warn({ channelId, messageId, reason, final }, final ? 'reply delivery failed' : 'reply delivery will be retried');
}
