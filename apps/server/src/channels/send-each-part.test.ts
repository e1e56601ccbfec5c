import { describe, expect, it } from 'vitest';
import { DeliveryError } from './channel-adapter.ts';
import { sendEachPart, type PartsSent } from './send-each-part.ts';

/** Progress kept as the deliverer keeps it (on the message), across attempts. */
function kept(): PartsSent & { readonly stored: (string | null)[][] } {
  const stored: (string | null)[][] = [];
  return { get ids() { return stored.at(-1) ?? []; }, record: async (ids) => void stored.push([...ids]), stored };
}

const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a failure'); }, (error: unknown) => error as DeliveryError);

describe('sendEachPart', () => {
  it('resumes from the part that failed, never sending an accepted part again, and answers with the first id', async () => {
    const progress = kept();
    const posted: string[] = [];
    let outage = true;
    const send = async (part: string) => {
      if (part === 'b' && outage) throw new DeliveryError('Twilio answered 503', true);
      posted.push(part);
      return `id-${part}`;
    };
    const error = await failure(sendEachPart(['a', 'b', 'c'], send, progress));
    expect(error).toMatchObject({ retryable: true, message: 'only 1 of 3 parts were sent: Twilio answered 503' });
    outage = false;
    expect(await sendEachPart(['a', 'b', 'c'], send, progress)).toEqual({ providerMessageId: 'id-a' });
    expect(posted).toEqual(['a', 'b', 'c']);
    expect(progress.ids).toEqual(['id-a', 'id-b', 'id-c']);
    // Everything was sent (recording the reply may have failed after): a further attempt sends nothing.
    expect(await sendEachPart(['a', 'b', 'c'], send, progress)).toEqual({ providerMessageId: 'id-a' });
    expect(posted).toEqual(['a', 'b', 'c']);
  });

  it('keeps a refusal final, saying what the customer received', async () => {
    const error = await failure(sendEachPart(['a', 'b'], async (part) => {
      if (part === 'b') throw new DeliveryError('Twilio error 21617: body too long', false);
      return 'id-a';
    }));
    expect(error).toMatchObject({ retryable: false, message: 'only 1 of 2 parts were sent: Twilio error 21617: body too long' });
  });

  it('passes the first part’s failure through as it is; a single part keeps no progress', async () => {
    const progress = kept();
    const outage = new DeliveryError('Graph API 503', true);
    expect(await failure(sendEachPart(['a'], async () => { throw outage; }, progress))).toBe(outage);
    expect(await sendEachPart(['a'], async () => 'id-a', progress)).toEqual({ providerMessageId: 'id-a' });
    expect(progress.stored).toEqual([]);
  });

  it('refuses a reply with nothing to send', async () => {
    expect(await failure(sendEachPart([], async () => 'x'))).toMatchObject({ retryable: false });
  });
});
