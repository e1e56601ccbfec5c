import { DeliveryError } from './channel-adapter.ts';

/**
 * The parts of a reply its provider already accepted, by index, with their ids: kept across
 * delivery attempts (on the message) so that a retry resumes from the part that failed.
 */
export type PartsSent = {
  readonly ids: readonly (string | null)[];
  /** Stores the ids accepted so far; called after each part of a multi-part reply is accepted. */
  readonly record: (ids: readonly (string | null)[]) => Promise<void>;
};

/** For a reply sent in one go, or by a caller that keeps no progress (a test). */
export const NO_PARTS_SENT: PartsSent = { ids: [], record: async () => {} };

/** Whether an earlier attempt already delivered the part at `index` (its file need not be uploaded again). */
export const alreadySent = (sent: PartsSent, index: number): boolean => index < sent.ids.length;

/**
 * Sends a reply that takes several provider messages (long text, files) one after another and
 * answers with the first one's id (status callbacks for it move the reply along). Parts an
 * earlier attempt got accepted are skipped, never sent twice. A failure keeps its retry advice
 * (an outage or timeout on part 3 is retried from part 3); its message says how far it got,
 * which is what the customer received if the retries run out.
 */
export async function sendEachPart<T>(parts: readonly T[], send: (part: T, index: number) => Promise<string | null>, sent: PartsSent = NO_PARTS_SENT): Promise<{ readonly providerMessageId: string | null }> {
  if (parts.length === 0) throw new DeliveryError('the reply has neither text nor files', false, 'message');
  const ids = sent.ids.slice(0, parts.length);
  for (let index = ids.length; index < parts.length; index++) {
    try {
      ids.push(await send(parts[index]!, index));
    } catch (error) {
      if (index === 0) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const retryable = error instanceof DeliveryError ? error.retryable : true;
      throw new DeliveryError(`only ${index} of ${parts.length} parts were sent: ${reason}`, retryable, error instanceof DeliveryError ? error.about : 'channel');
    }
    // Even after the last part: should recording the reply as sent fail, a retry sends nothing again.
    if (parts.length > 1) await sent.record(ids);
  }
  return { providerMessageId: ids[0] ?? null };
}
