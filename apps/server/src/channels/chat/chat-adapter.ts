import { DeliveryError, type Adapters, type ChannelAdapter } from '../channel-adapter.ts';
import type { VisitorHub } from './visitor-hub.ts';
import { followUpByEmail } from './follow-up-by-email.ts';

/**
 * Web chat replies. The reply is already stored; sending it means showing it on the visitor's
 * sockets on this process (other processes, and a visitor who comes back later, get it from
 * the activity log by cursor once it is recorded sent). So `sent` means stored and on the
 * visitor's cursor, and `delivered` follows when the frame acknowledges it. When no socket of
 * the visitor is here and the channel names a follow-up email channel, the reply goes by
 * email too; if that email fails, the reply stays queued with the reason and is retried.
 * @param visitors this process's visitor sockets (made after the adapters: they need the moments they feed)
 * @param others the other kinds' adapters, asked for lazily (the email adapter sends follow-ups)
 */
export function createChatAdapter(visitors: () => VisitorHub | null, others: () => Adapters = () => ({})): ChannelAdapter {
  let adapters: Adapters | null = null;
  return {
    kind: 'chat',
    send: async (channel, reply) => {
      if (!channel.enabled) throw new DeliveryError(`chat channel ${channel.name} is disabled`, false);
      const hub = visitors();
      if (!hub) throw new DeliveryError("no web server runs in this process to hold visitors' sockets", true);
      const { reached, externalId } = await hub.pushReply(reply);
      if (reached === 0) await followUpByEmail(hub.deps, channel, reply, (adapters ??= others()).email);
      return { providerMessageId: externalId ?? reply.messageId };
    },
  };
}
