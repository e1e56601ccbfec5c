import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { aMoment } from '../../test/moment-fixture.ts';
import { renderInApp } from '../../test/render.tsx';
import { SearchDialog } from './SearchDialog.tsx';

function Where() {
  return <output data-testid="where">{useLocation().pathname}</output>;
}

afterEach(() => vi.unstubAllGlobals());

describe('search dialog', () => {
  it('asks customers and moments, groups the answers, and opens the one chosen with the keyboard', async () => {
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        asked.push(url);
        const data = url.startsWith('/api/v1/customers')
          ? [{ id: 'c1', name: 'Ann Lee', email: 'ann@example.com', phone: null, stage: 'lead', lastSeen: '2026-01-01T00:00:00.000Z', counts: { orders: 0 }, revenue: {} }]
          : [aMoment({ id: 'm1', subject: 'Refund please' }), aMoment({ id: 'm2', subject: 'Parcel', preview: 'and a refund' })];
        return new Response(JSON.stringify({ data, nextCursor: null }), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    const user = userEvent.setup();
    let closed = false;
    renderInApp(
      <Routes>
        <Route path="*" element={<><SearchDialog onClose={() => (closed = true)} /><Where /></>} />
      </Routes>,
    );
    await user.type(screen.getByRole('combobox', { name: 'Search customers, moments and messages' }), 'refund');
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(3));
    expect(screen.getAllByRole('group').map((g) => g.getAttribute('aria-label'))).toEqual(['Customers', 'Moments', 'Messages']);
    expect(asked.some((u) => u.includes('/api/v1/moments?') && u.includes('q=refund') && u.includes('status=open%2Cpending%2Csnoozed%2Cresolved%2Cclosed'))).toBe(true);
    expect(screen.getByRole('option', { name: /Ann Lee/ }).getAttribute('aria-selected')).toBe('true');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(screen.getByRole('option', { name: /and a refund/ }).getAttribute('aria-selected')).toBe('true');
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('option', { name: /Ann Lee/ }).getAttribute('aria-selected')).toBe('true');
    await user.keyboard('{ArrowUp}{Enter}');
    expect(closed).toBe(true);
    expect(screen.getByTestId('where').textContent).toBe('/inbox/m2');
  });
});
