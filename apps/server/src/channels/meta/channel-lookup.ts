import type { ChannelRecord } from '../../modules/channels/index.ts';

/** How long a looked-up channel is trusted: a rotated secret or a disabled channel takes effect within it. */
const TTL_MS = 5_000;
const MAX_ENTRIES = 1_000;

type Find = (channelId: string) => Promise<ChannelRecord | null>;

/**
 * Finds the channel a webhook URL names, remembering it for a few seconds. Meta posts
 * deliveries in bursts; on SQLite every query waits its turn behind the writers, so a lookup
 * per delivery doubled each delivery's wait in line (measured with P8).
 */
export function createChannelLookup(find: Find, now: () => number = Date.now): Find {
  const cache = new Map<string, { readonly channel: ChannelRecord; readonly until: number }>();
  return async (channelId) => {
    const hit = cache.get(channelId);
    if (hit && hit.until > now()) return hit.channel;
    cache.delete(channelId);
    const channel = await find(channelId);
    // Unknown ids are not remembered: a stranger's guesses must not fill the cache.
    if (!channel) return null;
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(channelId, { channel, until: now() + TTL_MS });
    return channel;
  };
}
