import { inboundSenders, type MomentRow } from '../../modules/moments/index.ts';
import { normalizeIdentity } from '../../modules/profiles/index.ts';
import type { Tx } from '../../platform/db/database.ts';

/**
 * What Twilio puts in `From` when a caller's number is withheld or unknown: Anonymous,
 * Restricted, Blocked, Unavailable and Unknown. Some look like real numbers (+86282452253 is a
 * valid Chinese one), yet nobody answers there and every hidden caller shares them.
 */
const WITHHELD = new Set(['+266696687', '+7378742833', '+2562533', '+8656696', '+86282452253']);

/**
 * The caller's phone number in E.164, or null when there is none to call or text back: a
 * hidden caller id ("anonymous", one of Twilio's placeholders), a SIP or client address.
 */
export function callerNumber(from: string | null | undefined): string | null {
  if (!from) return null;
  const phone = normalizeIdentity('phone', from);
  return phone.ok && !WITHHELD.has(phone.identity.value) ? phone.identity.value : null;
}

/** Where a reply on the moment would be texted (the customer's last number, as loadOutbound decides), and that number if it is one. */
export async function replyNumberOf(tx: Tx, moment: MomentRow): Promise<{ readonly from: string | null; readonly number: string | null }> {
  const from = (await inboundSenders(tx, moment.workspace_id, moment.id)).at(-1)?.address ?? null;
  return { from, number: callerNumber(from) };
}
