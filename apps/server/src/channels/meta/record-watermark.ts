import type { ChannelRecord } from '../../modules/channels/index.ts';
import { recordDelivery, repliesUpTo, type MomentsCtx } from '../../modules/moments/index.ts';
import type { MetaWatermark } from './meta-events.ts';

/** How many replies one receipt may move; a customer with more unacknowledged replies is an outlier. */
const MAX_MESSAGES = 200;

/**
 * A Messenger receipt by time: every reply sent to this customer on the channel up to the
 * watermark is delivered (or read). Returns how many replies moved.
 */
export async function recordWatermark(ctx: MomentsCtx, channel: ChannelRecord, receipt: MetaWatermark): Promise<number> {
  const replies = await repliesUpTo(ctx.deps.db, {
    workspaceId: channel.workspaceId,
    channel: channel.kind,
    address: receipt.customer,
    states: receipt.state === 'read' ? ['sent', 'delivered'] : ['sent'],
    until: receipt.watermark,
    limit: MAX_MESSAGES,
  });
  let moved = 0;
  for (const id of replies) if (await recordDelivery(ctx, { workspaceId: channel.workspaceId, messageId: id, state: receipt.state })) moved += 1;
  return moved;
}
