import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { keys } from '../api/keys.ts';
import { aMoment } from '../test/moment-fixture.ts';
import type { Message } from '../api/types.ts';
import { applyActivity, refreshCustomer } from './live-updates.ts';
import { noteTyping } from './typing.ts';

const viewer = { agentId: 'bob', role: 'agent' as const, teamIds: ['sales'] };
const frame = (activity: string, moment = aMoment({ id: 'm9', customerId: 'c1' })) =>
  ({ type: 'activity', seq: 1, momentId: moment.id, activity, payload: { moment }, createdAt: moment.updatedAt }) as const;

/** A client holding the card's and the customer page's lists of c1's moments, and c2's card list. */
function clientWithCustomerLists(): QueryClient {
  const client = new QueryClient();
  client.setQueryData(keys.customers.openMoments('c1'), []);
  client.setQueryData(keys.customers.moments('c1', ''), { pages: [], pageParams: [] });
  client.setQueryData(keys.customers.openMoments('c2'), []);
  return client;
}
const stale = (client: QueryClient, key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;

describe('live updates of a customer\'s moments', () => {
  it('reload the customer\'s lists when one of their moments opens, changes or hears from them, and only theirs', () => {
    for (const activity of ['moment.created', 'moment.updated', 'message.added']) {
      const client = clientWithCustomerLists();
      applyActivity(client, frame(activity), viewer);
      expect(stale(client, keys.customers.openMoments('c1')), activity).toBe(true);
      expect(stale(client, keys.customers.moments('c1', '')), activity).toBe(true);
      expect(stale(client, keys.customers.openMoments('c2')), activity).toBe(false);
    }
  });

  it('leave them be for what does not change them (a delivery receipt, an SLA warning)', () => {
    for (const activity of ['message.updated', 'sla.warning']) {
      const client = clientWithCustomerLists();
      applyActivity(client, frame(activity), viewer);
      expect(stale(client, keys.customers.openMoments('c1')), activity).toBe(false);
    }
  });
});

describe('live updates of who is typing', () => {
  it('a message ends its author\'s typing, and only theirs', () => {
    const client = new QueryClient();
    const moment = aMoment({ id: 'm9', customerId: 'c1' });
    noteTyping(client, { type: 'signal', signal: 'typing', momentId: 'm9', from: { kind: 'customer' }, typing: true });
    noteTyping(client, { type: 'signal', signal: 'typing', momentId: 'm9', from: { kind: 'agent', id: 'ana', name: 'Ana' }, typing: true });
    const message = { id: 'x1', momentId: 'm9', authorKind: 'customer', authorId: null, attachments: [] } as unknown as Message;
    applyActivity(client, { ...frame('message.added', moment), payload: { moment, message } }, viewer);
    expect(client.getQueryData<{ kind: string; id: string | null }[]>(keys.typing('m9'))?.map((t) => t.id ?? t.kind)).toEqual(['ana']);
  });
});

describe('live updates of a changed customer', () => {
  it('reload everything shown of that customer, and nothing of anyone else', () => {
    const client = clientWithCustomerLists();
    client.setQueryData(keys.customers.detail('c1'), { id: 'c1' });
    client.setQueryData(keys.customerBriefs.one('c1'), { id: 'c1', name: null });
    client.setQueryData(keys.customerBriefs.one('c2'), { id: 'c2', name: 'Raj' });
    refreshCustomer(client, 'c1');
    for (const key of [keys.customers.detail('c1'), keys.customers.openMoments('c1'), keys.customers.moments('c1', ''), keys.customerBriefs.one('c1')]) expect(stale(client, key), JSON.stringify(key)).toBe(true);
    for (const key of [keys.customers.openMoments('c2'), keys.customerBriefs.one('c2')]) expect(stale(client, key), JSON.stringify(key)).toBe(false);
  });
});
