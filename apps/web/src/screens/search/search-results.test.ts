import { describe, expect, it } from 'vitest';
import { aMoment } from '../../test/moment-fixture.ts';
import { groupResults } from './search-results.ts';

const customer = { id: 'c1', name: 'José Refundson', email: 'jose@example.com', phone: null, stage: 'lead' as const, lastSeen: '2026-01-01T00:00:00.000Z', counts: { orders: 0 }, revenue: {} };

describe('search result grouping', () => {
  it('puts customers, moments by subject and moments found by their messages in separate groups', () => {
    const bySubject = aMoment({ id: 'm1', subject: 'Refund for order 1042', preview: 'please' });
    const byMessage = aMoment({ id: 'm2', subject: 'Parcel late', preview: 'I want a REFUND now', channel: 'whatsapp' });
    const { groups, flat } = groupResults('refund', [customer], [bySubject, byMessage]);
    expect(groups.map((g) => g.label)).toEqual(['Customers', 'Moments', 'Messages']);
    expect(flat.map((h) => h.to)).toEqual(['/customers/c1', '/inbox/m1', '/inbox/m2']);
    expect(flat[2]).toMatchObject({ kind: 'message', title: 'I want a REFUND now', detail: 'in “Parcel late” · WhatsApp · open' });
    expect(flat[0]).toMatchObject({ title: 'José Refundson', detail: 'jose@example.com · Lead' });
    const buyer = groupResults('ann', [{ ...customer, name: 'Ann Lee', phone: '+447400123456', stage: 'at_risk', counts: { orders: 3 } }], []).flat[0];
    expect(buyer?.detail).toBe('jose@example.com · +447400123456 · At risk · 3 orders');
  });

  it('matches without regard to case or accents, and says when a match is deeper in the thread', () => {
    const m = aMoment({ id: 'm3', subject: 'Façade question', preview: 'latest reply' });
    expect(groupResults('facade', [], [m]).flat[0]).toMatchObject({ kind: 'moment', title: 'Façade question' });
    expect(groupResults('invoice', [], [m]).flat[0]).toMatchObject({ kind: 'message', title: 'Mentioned in the conversation' });
  });

  it('lists a conversation found by who it is with among the moments, naming them', () => {
    const withAnn = aMoment({ id: 'm4', customerId: 'c7', subject: 'Parcel late', preview: 'any news?', channel: 'email' });
    const briefs = { c7: { id: 'c7', name: 'Ann Lee', email: 'ann@example.com', phone: null } };
    expect(groupResults('ann lee', [], [withAnn], briefs).flat).toEqual([
      { key: 'moment:m4', kind: 'moment', title: 'Parcel late', detail: 'with Ann Lee · Email · open', to: '/inbox/m4' },
    ]);
    // Found by its messages instead: still a message hit.
    expect(groupResults('any news', [], [withAnn], briefs).flat[0]).toMatchObject({ kind: 'message', title: 'any news?' });
  });

  it('leaves out empty groups', () => {
    expect(groupResults('x', [], []).groups).toEqual([]);
    expect(groupResults('jose', [customer], []).groups.map((g) => g.label)).toEqual(['Customers']);
  });
});
