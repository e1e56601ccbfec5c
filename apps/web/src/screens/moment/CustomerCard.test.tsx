import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CustomerProfile, TimelineItem } from '../../api/types.ts';
import { aProfile as profile } from '../../test/customer-fixture.ts';
import { aMoment } from '../../test/moment-fixture.ts';
import { renderInApp } from '../../test/render.tsx';
import { moneyText } from '../customer/customer-view.ts';
import { CustomerCard } from './CustomerCard.tsx';

const order: TimelineItem = {
  id: 'e9', type: 'track', name: 'Order Completed', channel: 'web', timestamp: '2026-11-20T09:30:00.000Z', receivedAt: '2026-11-20T09:30:00.000Z',
  messageId: 'ord-9', profileId: 'c1', userId: null, anonymousId: null, properties: { order_id: 'ord_12_3', revenue: 89.5, currency: 'EUR' }, context: {},
};

/** Answers the card's three reads; what was asked is kept. */
function serve(customer: CustomerProfile, latestOrder: TimelineItem | null, open: readonly ReturnType<typeof aMoment>[]): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    asked.push(url);
    const body = url.startsWith('/api/v1/customers/c1/timeline') ? { data: latestOrder ? [latestOrder] : [], nextCursor: null }
      : url.startsWith('/api/v1/customers/c1') ? customer
      : { data: open, nextCursor: null };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }));
  return asked;
}

afterEach(() => vi.unstubAllGlobals());

describe('the customer card beside a moment', () => {
  it('shows the stage, the latest email and phone, orders with revenue per currency, the latest order and the other open conversations', async () => {
    const asked = serve(profile(), order, [aMoment({ id: 'm1' }), aMoment({ id: 'm2', subject: 'Returns' })]);
    renderInApp(<CustomerCard customerId="c1" momentId="m1" />);
    await screen.findByText('1 other open conversation');
    const card = screen.getByTestId('customer-card');
    expect(card.textContent).toContain('Repeat customer');
    expect(screen.getByText('ann.lee@work.example')).toBeTruthy();
    expect(screen.queryByText('ann@example.com')).toBeNull();
    expect(screen.getByText('+447400123456')).toBeTruthy();
    expect(card.textContent).toContain(`3 orders · ${moneyText(120.5, 'EUR')} · ${moneyText(30, 'GBP')}`);
    await waitFor(() => expect(card.textContent).toContain(`Latest order ord_12_3 · ${moneyText(89.5, 'EUR')},`));
    expect(screen.getByRole('link', { name: '1 other open conversation' }).getAttribute('href')).toBe('/customers/c1');
    expect(asked.some((u) => u.startsWith('/api/v1/moments?') && u.includes('customer=c1') && u.includes('status=open%2Cpending%2Csnoozed'))).toBe(true);
  });

  it('says when there are no orders yet, and names no other conversation when this is the only one', async () => {
    serve(profile({ stage: 'lead', counts: { events: 2, orders: 0 }, revenue: {}, identities: [] }), null, [aMoment({ id: 'm1' })]);
    renderInApp(<CustomerCard customerId="c1" momentId="m1" />);
    await screen.findByText('No orders yet');
    expect(screen.getByTestId('customer-card').textContent).toContain('Lead');
    expect(screen.queryByText(/Latest order/)).toBeNull();
    expect(screen.queryByText(/other open conversation/)).toBeNull();
  });
});
