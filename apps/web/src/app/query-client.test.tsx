import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keys } from '../api/keys.ts';
import type { Session } from '../api/types.ts';
import { MomentActions } from '../screens/moment/MomentActions.tsx';
import { aMoment } from '../test/moment-fixture.ts';
import { renderInApp } from '../test/render.tsx';
import { createQueryClient } from './query-client.ts';
import { useSwitchWorkspace } from './session.ts';

const session = { role: 'agent', workspace: { id: 'w1', name: 'Acme' }, agent: { id: 'bob', name: 'Bob', email: 'bob@acme.test', role: 'agent', presence: 'online' } } as unknown as Session;
const unauthorized = () => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'your session has ended: sign in again' } }), { status: 401, headers: { 'content-type': 'application/json' } });

function signedInClient() {
  const client = createQueryClient();
  client.setQueryData(keys.session, session);
  client.setQueryData(keys.agents, []);
  client.setQueryData(keys.teams, []);
  return client;
}

function SwitchWorkspace() {
  const switchTo = useSwitchWorkspace();
  return <button onClick={() => switchTo.mutate({ email: 'bob@acme.test', password: 'wrong', workspaceId: 'w2' })}>Switch</button>;
}

afterEach(() => vi.unstubAllGlobals());

describe('an ended session', () => {
  it('signs the app out when a write answers 401, as a read does', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => unauthorized()));
    const client = signedInClient();
    renderInApp(<MomentActions moment={aMoment()} viewer={{ agentId: 'bob', role: 'agent', teamIds: ['sales'] }} />, client);
    await userEvent.click(screen.getByRole('button', { name: 'Resolve' }));
    await waitFor(() => expect(client.getQueryData(keys.session)).toBeNull());
  });

  it('stays signed in when another workspace refuses the password', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => unauthorized()));
    const client = signedInClient();
    renderInApp(<SwitchWorkspace />, client);
    await userEvent.click(screen.getByRole('button', { name: 'Switch' }));
    await waitFor(() => expect(vi.mocked(fetch)).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(client.getQueryData(keys.session)).toEqual(session);
  });
});
