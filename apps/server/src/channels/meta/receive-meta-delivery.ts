import { listChannels, loadChannel, type ChannelRecord } from '../../modules/channels/index.ts';
import { messageByExternalId, reactionToUnsent, recordDelivery, scopeOfChannel, unsendMessage, type MomentsCtx } from '../../modules/moments/index.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { AppError } from '../../platform/errors.ts';
import { providerFetch } from '../../platform/guarded-fetch.ts';
import { receiveInbound } from '../receive-inbound.ts';
import { fetchMedia, mediaTimeFromNow, type MediaTime } from './fetch-media.ts';
import type { MetaEvent, MetaMessage } from './meta-events.ts';
import type { MetaKind } from './parse-meta-delivery.ts';
import { recordWatermark } from './record-watermark.ts';

/** What a delivery changed, for the webhook's answer and the logs. */
export type MetaDeliveryOutcome = { stored: number; duplicates: number; unsent: number; statuses: number; readonly ignored: string[] };

/** The setting that names the business account a channel is: where Meta says a delivery went. */
const ACCOUNT_SETTING: Readonly<Record<MetaKind, string>> = { whatsapp: 'phoneNumberId', messenger: 'pageId', instagram: 'accountId' };

/**
 * Stores what a verified delivery says: each customer message through receiveInbound (routed,
 * assigned, the same provider id stored once), each unsend on the message it takes back, each
 * status on the reply it names. A message the moments module refuses (a malformed sender id)
 * is reported, not retried; anything else that fails throws, so Meta delivers again and the
 * ids keep the retry harmless.
 */
export async function receiveMetaDelivery(ctx: MomentsCtx, channel: ChannelRecord, events: readonly MetaEvent[]): Promise<MetaDeliveryOutcome> {
  const outcome: MetaDeliveryOutcome = { stored: 0, duplicates: 0, unsent: 0, statuses: 0, ignored: [] };
  const channelFor = accountRouter(ctx, channel);
  // All the files of the delivery share one time limit: Meta waits for the answer.
  const mediaTime = mediaTimeFromNow();
  for (const event of events) {
    if (event.kind === 'ignored') {
      outcome.ignored.push(event.reason);
      continue;
    }
    const target = await channelFor(event.account);
    if (event.kind === 'message') {
      const result = await storeMessage(ctx, target, event, mediaTime);
      if (result === 'stored') outcome.stored += 1;
      else if (result === 'duplicate') outcome.duplicates += 1;
      else outcome.ignored.push(result);
    } else if (event.kind === 'unsent') {
      const unsent = await unsendMessage(ctx, { workspaceId: target.workspaceId, on: scopeOfChannel(target), externalId: event.externalId });
      if (unsent === 'unsent') outcome.unsent += 1;
      else outcome.ignored.push(unsent === 'held' ? `unsent message ${event.externalId} is not stored: it will not be if it comes` : `unsent message ${event.externalId} was unsent already`);
    } else if (event.kind === 'status') {
      const moved = await recordDelivery(ctx, { workspaceId: target.workspaceId, on: scopeOfChannel(target), externalId: event.externalId, state: event.state, error: event.error });
      if (moved) outcome.statuses += 1;
    } else {
      outcome.statuses += await recordWatermark(ctx, target, event);
    }
  }
  return outcome;
}

async function storeMessage(ctx: MomentsCtx, channel: ChannelRecord, m: MetaMessage, mediaTime: MediaTime): Promise<'stored' | 'duplicate' | string> {
  const kind = channel.kind as MetaKind;
  // A repeated delivery should not download its files again just to be found a duplicate.
  if (m.media.length > 0 && (await storedMessage(ctx, channel, m.externalId))) return 'duplicate';
  const media = m.media.length > 0 ? await fetchMedia(providerFetch(ctx.deps.privateHosts), channel, m.media, mediaTime) : null;
  const reacted = m.reaction ? await storedMessage(ctx, channel, m.reaction.to) : null;
  const body = m.reaction ? reactionLine(m.reaction.emoji, reacted) : m.text;
  const meta = {
    ...m.meta,
    ...(m.account ? { account: m.account } : {}),
    ...(media ? { media: media.described } : {}),
    ...(m.reaction ? { reaction: { ...m.reaction, messageId: reacted?.id ?? null } } : {}),
  };
  try {
    const result = await receiveInbound(ctx, channel, {
      identity: kind === 'whatsapp' ? `phone:+${m.from}` : `external_id:${kind}:${m.from}`,
      name: m.name,
      // Messenger and Instagram customers can unsend; WhatsApp's Cloud API tells of no such thing.
      unsendable: kind !== 'whatsapp',
      message: { body, externalId: m.externalId, address: kind === 'whatsapp' ? `+${m.from}` : m.from, meta, attachments: media?.attachments ?? [] },
    });
    return result.outcome === 'duplicate' ? 'duplicate' : 'stored';
  } catch (error) {
    // Refused as data (a sender id that is no identity): a retry would be refused the same way.
    if (error instanceof AppError) return `message ${m.externalId}: ${error.message}`;
    throw error;
  }
}

/**
 * One Meta app may serve several numbers or pages, all posting to the URL the admin pasted: a
 * delivery for another of the workspace's channels of the kind goes to that channel (its
 * token sends the replies). An account no channel names stays on the URL's channel rather
 * than losing the customer's message.
 */
function accountRouter(ctx: MomentsCtx, channel: ChannelRecord): (account: string | null) => Promise<ChannelRecord> {
  const setting = ACCOUNT_SETTING[channel.kind as MetaKind];
  const known = new Map<string, ChannelRecord>();
  return async (account) => {
    if (account === null || account === String(channel.settings[setting] ?? '')) return channel;
    const cached = known.get(account);
    if (cached) return cached;
    const views = await listChannels(ctx.deps, channel.workspaceId);
    const view = views.find((v) => v.kind === channel.kind && v.enabled && String(v.settings[setting] ?? '') === account);
    const found = (view ? await loadChannel(ctx.deps, channel.workspaceId, view.id) : null) ?? channel;
    if (found === channel) ctx.deps.log.warn({ channelId: channel.id, account }, `a ${channel.kind} delivery names an account no channel is configured with; stored on the channel whose URL it came to`);
    known.set(account, found);
    return found;
  };
}

/** A message already stored on this channel under the provider's id (a redelivery, or the message a reaction is to). */
async function storedMessage(ctx: MomentsCtx, channel: ChannelRecord, externalId: string): Promise<{ readonly id: string; readonly body: string; readonly meta: string } | null> {
  return (await messageByExternalId(ctx.deps.db, channel.workspaceId, scopeOfChannel(channel), externalId)) ?? null;
}

/** `❤️ reacted to “…”`, quoting the message; never the words of one the customer unsent. */
function reactionLine(emoji: string, reacted: { readonly body: string; readonly meta: string } | null): string {
  if (!reacted) return `${emoji} reacted to an earlier message`;
  if (parseJsonObject(reacted.meta).unsent === true) return reactionToUnsent(emoji);
  return `${emoji} reacted to “${preview(reacted.body)}”`;
}

const preview = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
};
