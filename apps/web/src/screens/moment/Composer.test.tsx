import { QueryClient } from '@tanstack/react-query';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keys } from '../../api/keys.ts';
import type { Message, Moment } from '../../api/types.ts';
import { aMoment } from '../../test/moment-fixture.ts';
import { renderInApp } from '../../test/render.tsx';
import type { Viewer } from '../inbox/inbox-filters.ts';
import { Composer } from './Composer.tsx';
import { WHATSAPP_WINDOW_MS } from './composer-rules.ts';

const bob: Viewer = { agentId: 'bob', role: 'agent', teamIds: ['sales'] };
const message = (patch: Partial<Message>): Message => ({
  id: `msg-${Math.random()}`,
  momentId: 'm1',
  channel: 'chat',
  direction: 'in',
  authorKind: 'customer',
  authorId: null,
  body: 'Hello',
  mentions: [],
  externalId: null,
  address: null,
  meta: {},
  delivery: 'received',
  deliveryError: null,
  deliveryAt: null,
  attachments: [],
  createdAt: new Date().toISOString(),
  ...patch,
});

function setup(moment: Moment, messages: Message[], answer: (body: Record<string, unknown>) => Response) {
  const calls: { url: string; body: Record<string, unknown> }[] = [];
  /** What the composer said of the agent typing, apart from what it sent. */
  const typing: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body ?? '{}')) as Record<string, unknown>;
      if (url === `/api/v1/moments/${moment.id}/typing`) {
        typing.push(body.typing);
        return new Response(null, { status: 204 });
      }
      calls.push({ url, body });
      return answer(body);
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY } } });
  client.setQueryData(keys.agents, [{ id: 'ana', name: 'Ana', email: 'ana@acme.test', role: 'agent', teamIds: [moment.teamId] }]);
  client.setQueryData(keys.channels, [{ id: 'wa', kind: 'whatsapp', name: 'WhatsApp', businessUnitId: null, settings: { templates: [{ name: 'follow_up', language: 'en_US' }] } }]);
  return { calls, typing, ...renderInApp(<Composer moment={moment} messages={messages} viewer={bob} readOnly={false} />, client) };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the composer', () => {
  beforeEach(() => vi.useRealTimers());
  afterEach(() => vi.unstubAllGlobals());

  it('email: shows the subject and Cc, and sends the reply to the customer with whoever is copied', async () => {
    const moment = aMoment({ channel: 'email' });
    const { calls } = setup(moment, [message({ channel: 'email', meta: { cc: ['pat@example.com'] } })], () => json(201, { moment, message: message({ direction: 'out', body: 'Refunded' }) }));
    expect(screen.getByLabelText('Subject')).toHaveProperty('value', 'Card charged twice');
    expect(screen.getByLabelText('Cc')).toHaveProperty('value', 'pat@example.com');
    await userEvent.type(screen.getByLabelText('Cc'), ', lee@example.com');
    await userEvent.type(screen.getByRole('textbox', { name: 'Reply' }), 'Refunded');
    await userEvent.click(screen.getByRole('button', { name: 'Send reply' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({ url: '/api/v1/moments/m1/messages', body: { direction: 'out', body: 'Refunded', email: { cc: ['pat@example.com', 'lee@example.com'] } } });
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Reply' })).toHaveProperty('value', ''));
  });

  it('WhatsApp outside the 24-hour window: templates only', async () => {
    const moment = aMoment({ channel: 'whatsapp' });
    const old = new Date(Date.now() - WHATSAPP_WINDOW_MS - 60_000).toISOString();
    const { calls } = setup(moment, [message({ channel: 'whatsapp', createdAt: old })], () => json(500, {}));
    expect(screen.getByTestId('whatsapp-window').textContent).toMatch(/closed: templates only/);
    expect(screen.getByRole('combobox', { name: 'Approved template' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Send template' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Choose an approved template/);
    expect(calls).toHaveLength(0);
  });

  it('keeps what was typed when WhatsApp refuses free text, and offers the templates', async () => {
    const moment = aMoment({ channel: 'whatsapp' });
    setup(moment, [message({ channel: 'whatsapp', createdAt: new Date(Date.now() - 1_000).toISOString() })], () =>
      json(409, { error: { code: 'outside_messaging_window', message: 'the customer last wrote over 24 hours ago' } }),
    );
    expect(screen.getByTestId('whatsapp-window').textContent).toMatch(/closes in 23h 59m/);
    await userEvent.type(screen.getByRole('textbox', { name: 'Reply' }), 'Your parcel left today');
    await userEvent.click(screen.getByRole('button', { name: 'Send reply' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/over 24 hours ago/);
    expect(screen.getByRole('textbox', { name: /Reply/ })).toHaveProperty('value', 'Your parcel left today');
    expect(screen.getByRole('combobox', { name: 'Approved template' })).toBeTruthy();
  });

  it('tells the customer the agent is typing a reply, once while the keys go down, and that they stopped when it is sent', async () => {
    const moment = aMoment({ id: 'm-typing', channel: 'chat' });
    const { calls, typing } = setup(moment, [message({})], () => json(201, { moment, message: message({ direction: 'out', body: 'Yes, in blue' }) }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Reply' }), 'Yes, in blue');
    expect(typing).toEqual([true]);
    await userEvent.click(screen.getByRole('button', { name: 'Send reply' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(typing).toEqual([true, false]);
  });

  it('says nothing of typing while a note is written', async () => {
    const moment = aMoment({ id: 'm-note', channel: 'chat' });
    const { typing } = setup(moment, [message({})], () => json(500, {}));
    await userEvent.type(screen.getByRole('textbox', { name: 'Reply' }), 'Let me ');
    await userEvent.click(screen.getByText('Internal note'));
    expect(typing).toEqual([true, false]);
    await userEvent.type(screen.getByRole('textbox', { name: 'Internal note' }), 'Refund approved by finance');
    expect(typing).toEqual([true, false]);
  });

  it('sends with Ctrl+Enter after attaching a file, while focus is on the Attach button', async () => {
    const user = userEvent.setup();
    const moment = aMoment({ id: 'm-attach' }); // drafts are kept per moment: start from an empty one
    const { calls, container } = setup(moment, [message({})], () => json(201, { moment, message: message({ direction: 'out', body: 'Here it is' }) }));
    await user.type(screen.getByRole('textbox', { name: 'Reply' }), 'Here it is');
    await user.upload(container.querySelector<HTMLInputElement>('input[type="file"]')!, new File(['%PDF'], 'invoice.pdf', { type: 'application/pdf' }));
    screen.getByRole('button', { name: 'Attach files' }).focus();
    await user.keyboard('{Control>}{Enter}{/Control}');
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.body).toMatchObject({ direction: 'out', body: 'Here it is', attachments: [{ fileName: 'invoice.pdf', contentType: 'application/pdf' }] });
  });

  it('someone who does not own the moment may write a note but not reply', async () => {
    const moment = aMoment({ ownerId: 'ana' });
    const { calls } = setup(moment, [message({})], () => json(201, { moment, message: message({ direction: 'note', body: 'Checked the order' }) }));
    expect(screen.getByTestId('reply-blocked').textContent).toMatch(/Only the owner/);
    expect(screen.getByRole('button', { name: 'Send reply' })).toHaveProperty('disabled', true);
    await userEvent.click(screen.getByText('Internal note'));
    await userEvent.type(screen.getByRole('textbox', { name: 'Internal note' }), 'Checked the order');
    await userEvent.click(screen.getByRole('button', { name: 'Add note' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.body).toEqual({ direction: 'note', body: 'Checked the order', mentions: [] });
  });
});
