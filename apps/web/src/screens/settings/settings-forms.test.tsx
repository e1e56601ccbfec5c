import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderInApp } from '../../test/render.tsx';
import { AgentsSection } from './AgentsSection.tsx';
import { SlaSection } from './SlaSection.tsx';
import { TeamsSection } from './TeamsSection.tsx';

/** Lists answer empty; a write answers with `refusal` if given. What was written is kept. */
function serve(refusal?: { readonly status: number; readonly error: Record<string, string> }) {
  const writes: { url: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if ((init.method ?? 'GET') === 'GET') return json(200, url === '/api/v1/workspace' ? { settings: { moments: { defaultCapacity: 5 } } } : { data: [] });
      writes.push({ url, body: JSON.parse(String(init.body)) });
      return refusal ? json(refusal.status, { error: refusal.error }) : json(201, {});
    }),
  );
  return writes;
}

/** The field's error, as a screen reader hears it: the text its aria-describedby points at. */
function errorOf(field: HTMLElement): string | null {
  const ids = field.getAttribute('aria-describedby')?.split(' ') ?? [];
  return ids.map((id) => document.getElementById(id)).find((n) => n?.className.includes('error'))?.textContent ?? null;
}

afterEach(() => vi.unstubAllGlobals());

describe('settings forms say what is wrong on the field, in words', () => {
  it('a team key that is not lower-case letters and digits, before sending', async () => {
    const user = userEvent.setup();
    const writes = serve();
    renderInApp(<TeamsSection />);
    await user.click(screen.getByRole('button', { name: 'New team' }));
    const dialog = await screen.findByRole('dialog', { name: 'New team' });
    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Billing');
    await user.type(within(dialog).getByRole('textbox', { name: /^Key/ }), 'Bad Key!');
    await user.click(within(dialog).getByRole('button', { name: 'Create team' }));
    expect(errorOf(within(dialog).getByRole('textbox', { name: /^Key/ }))).toBe('Use lower-case letters, digits, - and _ only (up to 50)');
    expect(writes).toEqual([]);
    expect(within(dialog).queryByText('Not saved')).toBeNull();
  });

  it('a team whose name gives no key asks for one on the Key field', async () => {
    const user = userEvent.setup();
    const writes = serve();
    renderInApp(<TeamsSection />);
    await user.click(screen.getByRole('button', { name: 'New team' }));
    const dialog = await screen.findByRole('dialog', { name: 'New team' });
    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), '!!!');
    await user.click(within(dialog).getByRole('button', { name: 'Create team' }));
    expect(errorOf(within(dialog).getByRole('textbox', { name: /^Key/ }))).toBe('The name has no letters or digits to make a key from: type one');
    expect(writes).toEqual([]);
  });

  it('a key the server refuses (taken) shows on the Key field, not in a box', async () => {
    const user = userEvent.setup();
    serve({ status: 409, error: { code: 'conflict', message: 'a team with key "sales" exists', field: 'key' } });
    renderInApp(<TeamsSection />);
    await user.click(screen.getByRole('button', { name: 'New team' }));
    const dialog = await screen.findByRole('dialog', { name: 'New team' });
    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Sales');
    await user.click(within(dialog).getByRole('button', { name: 'Create team' }));
    await waitFor(() => expect(errorOf(within(dialog).getByRole('textbox', { name: /^Key/ }))).toBe('a team with key "sales" exists'));
    expect(within(dialog).queryByText('Not saved')).toBeNull();
  });

  it('an agent email without a domain', async () => {
    const user = userEvent.setup();
    const writes = serve();
    renderInApp(<AgentsSection />);
    await user.click(await screen.findByRole('button', { name: 'Add agent' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add agent' });
    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Ann');
    await user.type(within(dialog).getByRole('textbox', { name: /^Email/ }), 'a@b');
    await user.type(within(dialog).getByLabelText(/^First password/), 'a long enough password');
    await user.click(within(dialog).getByRole('button', { name: 'Add agent' }));
    expect(errorOf(within(dialog).getByRole('textbox', { name: /^Email/ }))).toBe('Type a whole email address, like ana@example.com');
    expect(writes).toEqual([]);
  });

  it('an SLA deadline over a year', async () => {
    const user = userEvent.setup();
    const writes = serve();
    renderInApp(<SlaSection />);
    await user.click(await screen.findByRole('button', { name: 'New policy' }));
    const dialog = await screen.findByRole('dialog', { name: 'New SLA policy' });
    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Slow');
    await user.type(within(dialog).getByRole('textbox', { name: 'Next response (minutes)' }), '99999999');
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    expect(errorOf(within(dialog).getByRole('textbox', { name: 'Next response (minutes)' }))).toBe('A whole number of minutes from 1 to 525,600 (a year); empty: no deadline');
    expect(writes).toEqual([]);
  });

  it('an SLA policy with no deadline at all', async () => {
    const user = userEvent.setup();
    const writes = serve();
    renderInApp(<SlaSection />);
    await user.click(await screen.findByRole('button', { name: 'New policy' }));
    const dialog = await screen.findByRole('dialog', { name: 'New SLA policy' });
    await user.type(within(dialog).getByRole('textbox', { name: /^Name/ }), 'Nothing due');
    await user.click(within(dialog).getByRole('button', { name: 'Create policy' }));
    expect(errorOf(within(dialog).getByRole('textbox', { name: 'First response (minutes)' }))).toBe('Give at least one deadline: first response, next response or resolution');
    expect(writes).toEqual([]);
  });
});
