import type { ChannelRecord } from '../../modules/channels/index.ts';
import { recordDelivery, type MomentsCtx } from '../../modules/moments/index.ts';
import type { MetaWatermark } from './meta-events.ts';

/** How many replies one receipt may move; a customer with more unacknowledged replies is an outlier. */
const MAX_MESSAGES = 200;

/**
 * A Messenger receipt by time: every reply sent to this customer on the channel up to the
 * watermark is delivered (or read). Returns how many replies moved.
 */
export async function recordWatermark(ctx: MomentsCtx, channel: ChannelRecord, receipt: MetaWatermark): Promise<number> {
  const { db } = ctx.deps;
  // The customer's moments on the channel: where they wrote from this id.
  const theirMoments = db
    .selectFrom('message')
    .select('moment_id')
    .where('workspace_id', '=', channel.workspaceId)
    .where('channel', '=', channel.kind)
    .where('direction', '=', 'in')
    .where('address', '=', receipt.customer);
  const replies = await db
    .selectFrom('message')
    .select('id')
    .where('workspace_id', '=', channel.workspaceId)
    .where('moment_id', 'in', theirMoments)
    .where('direction', '=', 'out')
    .where('delivery', 'in', receipt.state === 'read' ? ['sent', 'delivered'] : ['sent'])
    .where('created_at', '<=', receipt.watermark)
    .orderBy('id')
    .limit(MAX_MESSAGES)
    .execute();
  let moved = 0;
  for (const reply of replies) if (await recordDelivery(ctx, { workspaceId: channel.workspaceId, messageId: reply.id, state: receipt.state })) moved += 1;
  return moved;
}
