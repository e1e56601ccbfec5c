import { QueryClient } from '@tanstack/react-query';
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { keys } from '../../api/keys.ts';
import type { Message } from '../../api/types.ts';
import { renderInApp } from '../../test/render.tsx';
import { Thread } from './Thread.tsx';

const inbound = (id: string, body: string, meta: Message['meta'] = {}): Message => ({
  id,
  momentId: 'm1',
  channel: 'instagram',
  direction: 'in',
  authorKind: 'customer',
  authorId: null,
  body,
  mentions: [],
  externalId: `aWdf${id}`,
  address: 'IGSID-9',
  meta,
  delivery: 'received',
  deliveryError: null,
  deliveryAt: null,
  attachments: [],
  createdAt: new Date().toISOString(),
});

describe('the conversation', () => {
  it('says that the customer unsent a message instead of showing an empty bubble', () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY } } });
    client.setQueryData(keys.agents, []);
    client.setQueryData(keys.teams, []);
    renderInApp(<Thread customerName="Ivy" messages={[inbound('1', '', { unsent: true, unsentAt: new Date().toISOString() }), inbound('2', 'Still there?')]} />, client);
    const [unsent, kept] = screen.getAllByTestId('message');
    expect(unsent?.textContent).toContain('The customer unsent this message.');
    expect(kept?.textContent).toContain('Still there?');
    expect(kept?.textContent).not.toContain('unsent');
  });
});
