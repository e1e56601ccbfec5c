import { updateChannel, type ChannelRecord } from '../../modules/channels/index.ts';
import type { Deps } from '../../platform/deps.ts';

/**
 * What the API channel does when its receiver answers 410 Gone: the endpoint is gone for good,
 * so the channel is disabled (on record, by the system) and stops sending until an admin turns
 * it on again; the delivery that failed marks its health failing.
 */
export function disableGoneChannel(deps: Deps): (channel: ChannelRecord, reason: string) => Promise<void> {
  return async (channel, reason) => {
    await updateChannel(deps, { workspaceId: channel.workspaceId, channelId: channel.id, actor: 'system', enabled: false });
    deps.log.warn({ channelId: channel.id, reason }, 'api channel disabled: its receiver is gone');
  };
}
