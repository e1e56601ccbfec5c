import { customerLabel, unnamedOn } from '../../api/customer-brief.ts';
import type { CustomerBrief, CustomerSummary, Moment } from '../../api/types.ts';
import { channelLabel } from '../../ui/format.ts';
import { stageLabel } from '../customer/customer-view.ts';

export type SearchHit = { readonly key: string; readonly kind: 'customer' | 'moment' | 'message'; readonly title: string; readonly detail: string; readonly to: string };
export type SearchGroup = { readonly label: string; readonly hits: readonly SearchHit[] };

/** Lower case without accents: how people expect "jose" to find "José". */
export const fold = (text: string) => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

/**
 * The one search box's answer in groups: customers; moments whose subject or customer matches;
 * and moments found by what was said in them (the moments search also reads message bodies),
 * shown as messages. Empty groups are left out; `flat` is the keyboard order.
 */
export function groupResults(
  q: string,
  customers: readonly CustomerSummary[],
  moments: readonly Moment[],
  /** The moments' customers by customerId (the list's include=customers). */
  withWhom: Readonly<Record<string, CustomerBrief>> = {},
): { readonly groups: readonly SearchGroup[]; readonly flat: readonly SearchHit[] } {
  const needle = fold(q.trim());
  const customerHits = customers.map<SearchHit>((c) => ({
    key: `customer:${c.id}`,
    kind: 'customer',
    title: customerLabel(c),
    // Enough to tell two people of one name apart: how to reach them, where they stand, what they bought.
    detail: [c.email, c.phone, stageLabel(c.stage), c.counts.orders > 0 ? `${c.counts.orders} ${c.counts.orders === 1 ? 'order' : 'orders'}` : null].filter(Boolean).join(' · '),
    to: `/customers/${c.id}`,
  }));
  const momentHits: SearchHit[] = [];
  const messageHits: SearchHit[] = [];
  for (const m of moments) {
    const subject = m.subject || '(no subject)';
    const customer = withWhom[m.customerId];
    // The moments search also finds conversations by who they are with.
    const aboutCustomer = customer !== undefined && [customer.name, customer.email, customer.phone].some((text) => text !== null && fold(text).includes(needle));
    if (needle && (fold(m.subject).includes(needle) || aboutCustomer)) {
      const detail = [customer ? `with ${customerLabel(customer, unnamedOn(m.channel))}` : null, channelLabel(m.channel), m.status].filter(Boolean).join(' · ');
      momentHits.push({ key: `moment:${m.id}`, kind: 'moment', title: subject, detail, to: `/inbox/${m.id}` });
    } else {
      const said = needle && fold(m.preview).includes(needle) ? m.preview : 'Mentioned in the conversation';
      messageHits.push({ key: `message:${m.id}`, kind: 'message', title: said, detail: `in “${subject}” · ${channelLabel(m.channel)} · ${m.status}`, to: `/inbox/${m.id}` });
    }
  }
  const groups = [
    { label: 'Customers', hits: customerHits },
    { label: 'Moments', hits: momentHits },
    { label: 'Messages', hits: messageHits },
  ].filter((g) => g.hits.length > 0);
  return { groups, flat: groups.flatMap((g) => g.hits) };
}
