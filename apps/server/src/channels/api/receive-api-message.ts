import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { MomentsCtx, OpenResult } from '../../modules/moments/index.ts';
import { AppError } from '../../platform/errors.ts';
import { receiveInbound } from '../receive-inbound.ts';
import type { ApiMessage } from './api-message.ts';

/**
 * A system posted a customer's message to its API channel (signature already verified). The
 * sender's identity is also where replies are addressed (`to` in the outbound webhook); its
 * message id makes a redelivery a no-op; its conversation id keeps a thread on one moment.
 */
export async function receiveApiMessage(ctx: MomentsCtx, channel: ChannelRecord, message: ApiMessage, webhookId: string): Promise<OpenResult> {
  const inbound = receiveInbound(ctx, channel, {
    identity: message.from.identity,
    name: message.from.name ?? null,
    conversationId: message.conversationId ?? null,
    subject: message.subject ?? null,
    message: {
      body: message.message.body,
      externalId: message.message.id,
      address: message.from.identity,
      meta: { webhookId, ...(message.conversationId ? { conversationId: message.conversationId } : {}) },
      attachments: message.message.attachments?.map((a) => ({ fileName: a.fileName, contentType: a.contentType, data: Buffer.from(a.data, 'base64') })),
    },
  });
  // The sender's identity is refused deeper down; name it as the sender wrote it.
  return inbound.catch((error: unknown) => {
    throw error instanceof AppError && error.field === 'identity' ? new AppError(error.code, error.message, 'from.identity') : error;
  });
}
