import { DeliveryError } from './channel-adapter.ts';

/**
 * Sends a reply that takes several provider messages (long text, files) one after another and
 * answers with the first one's id (status callbacks for it move the reply along). A failure
 * before anything went out keeps its retry advice; after a part went out, retrying would send
 * that part twice, so it is final and says what the customer did receive.
 */
export async function sendEachPart<T>(parts: readonly T[], send: (part: T, index: number) => Promise<string | null>): Promise<{ readonly providerMessageId: string | null }> {
  if (parts.length === 0) throw new DeliveryError('the reply has neither text nor files', false);
  let first: string | null = null;
  for (const [index, part] of parts.entries()) {
    try {
      const id = await send(part, index);
      if (index === 0) first = id;
    } catch (error) {
      if (index === 0) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new DeliveryError(`only ${index} of ${parts.length} parts were sent: ${reason}`, false);
    }
  }
  return { providerMessageId: first };
}
