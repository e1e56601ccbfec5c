import { findChannelsByAddress, loadChannel, updateChannel, type ChannelRecord } from '../../modules/channels/index.ts';
import type { Deps } from '../../platform/deps.ts';
import { newReplySecret, readReplyToken, replyTokenOf, REPLY_SECRET } from './reply-token.ts';

/** A channel an inbound recipient address reaches, and the moment its reply token names (if any). */
export type Recipient = { readonly channel: ChannelRecord; readonly tokenMomentId: string | null };

/**
 * The enabled email channels a recipient address reaches: the channels with that address, or
 * — for `reply+<token>@domain` — the one channel on that domain whose secret signed the token.
 * Empty: nobody here (answered 550 at RCPT, or 450 for a switched-off channel: pausedMailbox). A channel receiving its first mail gets its
 * reply-token secret now, so the replies that follow can carry tokens.
 */
export async function findRecipient(deps: Deps, address: string): Promise<Recipient[]> {
  const normalized = address.trim().toLowerCase();
  const reply = replyTokenOf(normalized);
  if (reply) {
    for (const channel of await channelsOnDomain(deps, reply.domain)) {
      const secret = channel.secrets[REPLY_SECRET];
      const momentId = secret ? readReplyToken(secret, channel.id, reply.token) : null;
      if (momentId) return [{ channel, tokenMomentId: momentId }];
    }
    return [];
  }
  const channels = await findChannelsByAddress(deps, 'email', normalized);
  return Promise.all(channels.map(async (channel) => ({ channel: await withReplySecret(deps, channel), tokenMomentId: null })));
}

/**
 * Whether the address belongs to an email channel that is switched off (its address, or a reply
 * address on its domain): its mail is answered "try again later", so senders' servers keep it
 * and retry for days, instead of bouncing it for good.
 */
export async function pausedMailbox(deps: Deps, address: string): Promise<boolean> {
  const normalized = address.trim().toLowerCase();
  const reply = replyTokenOf(normalized);
  if (reply) return (await emailChannelsOnDomain(deps, reply.domain)).some((r) => r.enabled === 0);
  const rows = await deps.db.selectFrom('channel').select('id').where('kind', '=', 'email').where('enabled', '=', 0).where('address', '=', normalized).limit(1).execute();
  return rows.length > 0;
}

async function channelsOnDomain(deps: Deps, domain: string): Promise<ChannelRecord[]> {
  const rows = (await emailChannelsOnDomain(deps, domain)).filter((r) => r.enabled === 1);
  const found = await Promise.all(rows.map((r) => loadChannel(deps, r.workspace_id, r.id)));
  return found.filter((c): c is ChannelRecord => c !== null);
}

/** The email channels, switched on or off, whose address is on this domain. */
async function emailChannelsOnDomain(deps: Deps, domain: string): Promise<{ workspace_id: string; id: string; enabled: number }[]> {
  // LIKE narrows by the index on (kind, address); the exact suffix check drops `_` wildcard matches.
  const rows = await deps.db.selectFrom('channel').select(['workspace_id', 'id', 'address', 'enabled']).where('kind', '=', 'email').where('address', 'like', `%@${domain}`).execute();
  return rows.filter((r) => r.address?.endsWith(`@${domain}`));
}

/**
 * The channel with its reply-token secret, made on first use (channels are created through the
 * API without one). Two processes taking a channel's very first mail at the same instant could
 * each write one; the later write wins, and no reply (the only thing that mints tokens) can have
 * gone out in that instant.
 */
async function withReplySecret(deps: Deps, channel: ChannelRecord): Promise<ChannelRecord> {
  if (channel.secrets[REPLY_SECRET]) return channel;
  await updateChannel(deps, { workspaceId: channel.workspaceId, channelId: channel.id, actor: 'system:email', secrets: { [REPLY_SECRET]: newReplySecret() } });
  return (await loadChannel(deps, channel.workspaceId, channel.id)) ?? channel;
}
