/** What kind of machine wrote a mail: a delivery report about our own mail, or some other robot. */
export type AutomaticMail = { readonly kind: 'bounce' | 'automatic'; readonly reason: string };

const BULK = new Set(['bulk', 'list', 'junk', 'auto_reply']);

/**
 * Mail a person did not write (RFC 3834, RFC 3464): it never opens or reopens a moment and is
 * never answered. Bounces (multipart/report; report-type=delivery-status) are told apart so
 * they can fail the reply they report on. `X-Auto-Response-Suppress` is a request to Exchange,
 * not a marker, and does not count.
 * @example detectAutomaticMail(new Map([['auto-submitted', ['auto-replied']]]), 'ann@example.com') // { kind: 'automatic', … }
 */
export function detectAutomaticMail(headers: ReadonlyMap<string, readonly string[]>, envelopeFrom: string): AutomaticMail | null {
  const first = (name: string) => headers.get(name)?.[0]?.trim().toLowerCase() ?? null;
  const contentType = first('content-type') ?? '';
  if (/^multipart\/report\b/.test(contentType) && /report-type\s*=\s*"?delivery-status"?/.test(contentType)) return { kind: 'bounce', reason: 'delivery status notification' };
  const submitted = first('auto-submitted');
  if (submitted !== null && submitted.split(/[;(\s]/)[0] !== 'no') return { kind: 'automatic', reason: `Auto-Submitted: ${submitted}` };
  if (envelopeFrom === '') return { kind: 'automatic', reason: 'null return path' };
  const precedence = first('precedence');
  if (precedence !== null && BULK.has(precedence)) return { kind: 'automatic', reason: `Precedence: ${precedence}` };
  const list = [...headers.keys()].find((name) => name.startsWith('list-'));
  if (list) return { kind: 'automatic', reason: `${list} header` };
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) if (headers.has(name)) return { kind: 'automatic', reason: `${name} header` };
  return null;
}
