import { QueryClient } from '@tanstack/react-query';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Moment } from '../../api/types.ts';
import { aMoment } from '../../test/moment-fixture.ts';
import { renderInApp } from '../../test/render.tsx';
import type { Viewer } from '../inbox/inbox-filters.ts';
import { HandoffBanner } from './HandoffBanner.tsx';

const handoff = { fromOwnerId: 'bob', toTeamId: null, toAgentId: 'carl', reason: 'billing question', note: null, requestedAt: '2026-11-26T10:00:00.000Z', requestedBy: 'bob' };

function setup(moment: Moment, viewer: Viewer) {
  const sent: { url: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      // The names of people and teams are read too; only the writes are kept.
      if ((init?.method ?? 'GET') === 'GET') return json({ data: [] });
      sent.push({ url, body: JSON.parse(String(init.body ?? '{}')) });
      return json({ ...moment, handoff: null });
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY } } });
  renderInApp(<HandoffBanner moment={moment} viewer={viewer} />, client);
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

describe('a waiting hand-off', () => {
  it('its sender withdraws it (the way to hand off elsewhere instead)', async () => {
    const sent = setup(aMoment({ ownerId: 'bob', handoff }), { agentId: 'bob', role: 'agent', teamIds: ['sales'] });
    await userEvent.click(screen.getByRole('button', { name: 'Withdraw hand-off' }));
    await waitFor(() => expect(sent).toEqual([{ url: '/api/v1/moments/m1/handoff/decline', body: {} }]));
  });

  it('its receiver accepts or declines it, and cannot withdraw it', () => {
    setup(aMoment({ ownerId: 'bob', handoff }), { agentId: 'carl', role: 'agent', teamIds: ['service'] });
    expect(screen.getByRole('button', { name: 'Accept' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Withdraw hand-off' })).toBeNull();
  });
});
