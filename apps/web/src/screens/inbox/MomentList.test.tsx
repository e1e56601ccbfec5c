import { QueryClient } from '@tanstack/react-query';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keys } from '../../api/keys.ts';
import { useMomentList } from '../../api/moments.ts';
import type { Moment, MomentPage } from '../../api/types.ts';
import { aProfile } from '../../test/customer-fixture.ts';
import { aMoment } from '../../test/moment-fixture.ts';
import { renderInApp } from '../../test/render.tsx';
import { filtersFromSearch, type Viewer } from './inbox-filters.ts';
import { MomentList } from './MomentList.tsx';

const viewer: Viewer = { agentId: 'bob', role: 'agent', teamIds: ['sales'] };

/** Answers the list (with the customers it names) and any profile read; what was asked is kept. */
function serve(page: MomentPage): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    asked.push(url);
    const body = url.startsWith('/api/v1/moments?') ? page
      : url === '/api/v1/customers/c3' ? aProfile({ id: 'c3', name: null, identities: [{ kind: 'phone', value: '+5511987654321', profileId: 'c3', addedAt: '2026-11-01T00:00:00.000Z' }] })
      : { data: [], nextCursor: null };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }));
  return asked;
}

/** The inbox's list as InboxScreen wires it, plus a row the live stream added. */
function Inbox({ extra }: { readonly extra: readonly Moment[] }) {
  const list = useMomentList({ owner: 'me' });
  const rows = [...extra, ...(list.data?.pages.flatMap((p) => p.data) ?? [])];
  return (
    <div style={{ height: 600, display: 'flex' }}>
      <MomentList list={list} rows={rows} params={{ owner: 'me' }} filters={filtersFromSearch(new URLSearchParams(), viewer)} viewer={viewer} presence="online" selectedId={null} onOpen={() => {}} onMove={() => {}} onClearFilters={() => {}} />
    </div>
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the inbox rows', () => {
  it('name each customer from the page (a nameless one as their channel knows them), and read the profile once for a row the page did not bring', async () => {
    const asked = serve({
      data: [
        aMoment({ id: 'm1', customerId: 'c1', subject: 'Card charged twice', preview: 'Hi, I was charged twice' }),
        aMoment({ id: 'm2', customerId: 'c2', subject: 'Where is my parcel?', preview: 'Where is my parcel?' }),
        aMoment({ id: 'm4', customerId: 'c4', channel: 'chat', subject: 'Do you ship to Norway?' }),
        aMoment({ id: 'm5', customerId: 'c5', channel: 'api', subject: 'Order status' }),
      ],
      nextCursor: null,
      customers: {
        c1: { id: 'c1', name: 'Ann Lee', email: 'ann@example.com', phone: null },
        c2: { id: 'c9', name: null, email: 'bo@example.com', phone: null },
        c4: { id: 'c4', name: null, email: null, phone: null },
        c5: { id: 'c5', name: null, email: null, phone: null },
      },
    });
    // The simulated DOM lays nothing out: give the list a screen's height, so the virtualiser shows rows.
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(400);
    renderInApp(<Inbox extra={[aMoment({ id: 'm3', customerId: 'c3', subject: 'Hola' })]} />);
    await waitFor(() =>
      expect(screen.getAllByTestId('row-customer').map((n) => n.textContent)).toEqual(['+5511987654321', 'Ann Lee', 'bo@example.com', 'Website visitor', 'Unnamed customer']),
    );
    expect(asked.filter((u) => u.startsWith('/api/v1/moments?')).every((u) => u.includes('include=customers'))).toBe(true);
    expect(asked.filter((u) => u.startsWith('/api/v1/customers/'))).toEqual(['/api/v1/customers/c3']);
    // Subject and latest message share a line; a preview that only repeats the subject is not shown twice.
    const rows = screen.getAllByRole('option');
    expect(rows[1].textContent).toContain('Card charged twice — Hi, I was charged twice');
    expect(rows[2].textContent).not.toContain('—');
  });

  it("mark a hand-off waiting for the viewer first on its row, even beside a busy SLA line; not the sender's own", async () => {
    const handoff = { fromOwnerId: 'ana', toTeamId: 'sales', toAgentId: null, reason: 'billing', note: null, requestedAt: '2026-11-26T10:00:00.000Z', requestedBy: 'ana' };
    serve({
      data: [
        aMoment({ id: 'm1', ownerId: 'ana', status: 'pending', priority: 'urgent', sla: { state: 'breached' }, handoff }),
        aMoment({ id: 'm2', ownerId: 'bob', subject: 'Sent by me', handoff: { ...handoff, fromOwnerId: 'bob', toTeamId: 'service', requestedBy: 'bob' } }),
        aMoment({ id: 'm3', ownerId: 'ana', subject: 'For a colleague', handoff: { ...handoff, toAgentId: 'carl' } }),
      ],
      nextCursor: null,
      customers: {},
    });
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(400);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY } } });
    client.setQueryData(keys.teams, [{ id: 'sales', name: 'Sales', memberIds: ['bob'] }]);
    renderInApp(<Inbox extra={[]} />, client);
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(3));
    const [handed, sent, colleague] = screen.getAllByRole('option');
    const badges = (row: HTMLElement) => [...row.querySelectorAll('.mantine-Badge-root')].map((b) => b.textContent);
    expect(badges(handed!)[0]).toBe('Hand-off to Sales — accept?');
    expect(within(sent!).queryByTestId('row-handoff')).toBeNull();
    expect(within(colleague!).queryByTestId('row-handoff')).toBeNull();
  });
});
