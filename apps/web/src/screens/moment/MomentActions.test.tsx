import { QueryClient } from '@tanstack/react-query';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keys } from '../../api/keys.ts';
import type { Moment } from '../../api/types.ts';
import { aMoment } from '../../test/moment-fixture.ts';
import { renderInApp } from '../../test/render.tsx';
import type { Viewer } from '../inbox/inbox-filters.ts';
import { MomentActions } from './MomentActions.tsx';

const bob: Viewer = { agentId: 'bob', role: 'agent', teamIds: ['sales'] };

/** The actions for `moment`, with the server answering every write with the moment as `answer` makes it. */
function setup(moment: Moment, viewer: Viewer = bob, answer: (body: Record<string, unknown>) => Moment = (body) => ({ ...moment, ...body }) as Moment) {
  const sent: { url: string; method: string; body: Record<string, unknown> }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body ?? '{}')) as Record<string, unknown>;
      sent.push({ url, method: init.method ?? 'GET', body });
      return new Response(JSON.stringify(answer(body)), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY } } });
  client.setQueryData(keys.agents, [
    { id: 'ana', name: 'Ana', email: 'ana@acme.test', role: 'agent', presence: 'online', teamIds: ['sales'], skills: [], capacity: {} },
    { id: 'carl', name: 'Carl', email: 'carl@acme.test', role: 'agent', presence: 'offline', teamIds: ['service'], skills: [], capacity: {} },
  ]);
  client.setQueryData(keys.teams, [{ id: 'sales', name: 'Sales', memberIds: ['ana', 'bob'] }]);
  return { sent, ...renderInApp(<MomentActions moment={moment} viewer={viewer} />, client) };
}

afterEach(() => vi.unstubAllGlobals());

describe('moment actions', () => {
  it('put a pending moment back to open', async () => {
    const { sent } = setup(aMoment({ status: 'pending' }));
    await userEvent.click(screen.getByRole('button', { name: 'Back to open' }));
    await waitFor(() => expect(sent).toEqual([{ url: '/api/v1/moments/m1', method: 'PATCH', body: { status: 'open' } }]));
  });

  it('wake a snoozed moment now', async () => {
    const { sent } = setup(aMoment({ status: 'snoozed', snoozedUntil: '2026-11-27T09:00:00.000Z' }));
    await userEvent.click(screen.getByRole('button', { name: 'Wake now' }));
    await waitFor(() => expect(sent).toEqual([{ url: '/api/v1/moments/m1', method: 'PATCH', body: { status: 'open' } }]));
  });

  it('offer neither to someone who may not change the moment', () => {
    setup(aMoment({ status: 'snoozed', ownerId: 'ana' }));
    expect(screen.queryByRole('button', { name: 'Wake now' })).toBeNull();
  });

  it('snooze: the chosen time stays shown, and snoozing with no time says what is missing', async () => {
    const user = userEvent.setup();
    const { sent } = setup(aMoment());
    await user.click(screen.getByRole('button', { name: 'More actions' }));
    await user.click(await screen.findByText('Snooze…'));
    const dialog = await screen.findByRole('dialog', { name: 'Snooze until' });
    await user.click(within(dialog).getByRole('button', { name: 'Snooze' }));
    expect(within(dialog).getByText('Choose when it comes back, or pick a date and time below')).toBeTruthy();
    expect(sent).toEqual([]);
    await user.click(within(dialog).getByRole('combobox', { name: 'When' }));
    await user.click(await screen.findByText('In 4 hours'));
    expect(within(dialog).getByRole('combobox', { name: 'When' })).toHaveProperty('value', 'In 4 hours');
    expect(within(dialog).queryByText('Choose when it comes back, or pick a date and time below')).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Snooze' }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]!.body.status).toBe('snoozed');
    expect(Date.parse(String(sent[0]!.body.snoozedUntil)) - Date.now()).toBeGreaterThan(3.9 * 3_600_000);
  });

  it("assign: shows each person's presence and whether they are in the moment's team, and warns before giving it to someone offline outside it", async () => {
    const user = userEvent.setup();
    const { sent } = setup(aMoment(), { agentId: 'olga', role: 'admin', teamIds: [] });
    await user.click(screen.getByRole('button', { name: 'More actions' }));
    await user.click(await screen.findByText('Assign…'));
    const dialog = await screen.findByRole('dialog', { name: 'Assign to a person' });
    await user.click(within(dialog).getByRole('combobox', { name: 'Person' }));
    const options = (await screen.findAllByRole('option', { hidden: true })).map((o) => o.textContent);
    expect(options).toEqual(['Anain Salesonline', 'Carlnot in Salesoffline']);
    await user.click(screen.getByText('Carl'));
    expect(within(dialog).getByTestId('assign-warning').textContent).toBe('Carl is offline: they may not see it until they are back.Carl is not in Sales: the moment stays with Sales, owned by someone outside it.');
    await user.click(within(dialog).getByRole('button', { name: 'Assign' }));
    await waitFor(() => expect(sent).toEqual([{ url: '/api/v1/moments/m1/assign', method: 'POST', body: { agentId: 'carl' } }]));
  });

  it('assign: no warning for someone online in the team', async () => {
    const user = userEvent.setup();
    setup(aMoment(), { agentId: 'olga', role: 'admin', teamIds: [] });
    await user.click(screen.getByRole('button', { name: 'More actions' }));
    await user.click(await screen.findByText('Assign…'));
    const dialog = await screen.findByRole('dialog', { name: 'Assign to a person' });
    await user.click(within(dialog).getByRole('combobox', { name: 'Person' }));
    await user.click(await screen.findByText('Ana'));
    expect(within(dialog).queryByTestId('assign-warning')).toBeNull();
  });
});
