import { EVERYTHING, type ForgetEverywhere } from '../../platform/forget-everywhere.ts';
import type { ChannelKind } from './channel-kinds.ts';
import type { ChannelRecord } from './channel-record.ts';

/** How long a looked-up channel is trusted when no change was heard of (a notification lost on the way). */
const TTL_MS = 5_000;
const MAX_ENTRIES = 1_000;
const TOPIC = 'channel:';

/** Enabled channels by the id a webhook URL names, remembered briefly; forgotten everywhere when one changes. */
export type ChannelCache = {
  /** The enabled channel of one of these kinds, or null (unknown, disabled, another kind). */
  readonly find: (channelId: string, kinds: readonly ChannelKind[]) => Promise<ChannelRecord | null>;
  /** Drops the channel here at once and, on PostgreSQL, in every other process as the notification arrives. */
  readonly forget: (channelId: string) => Promise<void>;
};

/**
 * Meta posts deliveries in bursts; on SQLite every query waits its turn behind the writers, so
 * a lookup per delivery doubled each delivery's wait in line (measured with P8). A saved secret
 * must apply to the very next webhook, though (the old one refused): saving a channel forgets it.
 * @example const channels = createChannelCache((id) => findChannelById(deps, id, CHANNEL_KINDS), bus)
 */
export function createChannelCache(find: (channelId: string) => Promise<ChannelRecord | null>, bus: Pick<ForgetEverywhere, 'forget' | 'subscribe'>, now: () => number = Date.now): ChannelCache {
  const cache = new Map<string, { readonly channel: ChannelRecord; readonly until: number }>();
  // Counts what was forgotten: a lookup that read the row before a change was saved must not keep it.
  let forgotten = 0;
  bus.subscribe((topic) => {
    if (topic === EVERYTHING) cache.clear();
    else if (topic.startsWith(TOPIC)) cache.delete(topic.slice(TOPIC.length));
    else return;
    forgotten++;
  });
  const lookUp = async (channelId: string): Promise<ChannelRecord | null> => {
    const hit = cache.get(channelId);
    if (hit && hit.until > now()) return hit.channel;
    cache.delete(channelId);
    const before = forgotten;
    const channel = await find(channelId);
    // Unknown ids are not remembered: a stranger's guesses must not fill the cache.
    if (!channel || forgotten !== before) return channel;
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(channelId, { channel, until: now() + TTL_MS });
    return channel;
  };
  return {
    find: async (channelId, kinds) => {
      const channel = await lookUp(channelId);
      return channel && kinds.includes(channel.kind) ? channel : null;
    },
    forget: (channelId) => bus.forget(TOPIC + channelId),
  };
}
