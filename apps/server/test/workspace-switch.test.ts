import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import { ENGINES, startServer, type Running } from './harness.ts';

type SignInReply = { token: string; workspaceId: string; agentId: string; workspaces: { id: string; name: string }[] };

/**
 * Switching workspace is signing in again: one email may be an agent in several workspaces,
 * each row with its own password, and any admin can create a row with any email in their own
 * workspace. So the email alone must never open a workspace; only a password that verifies there.
 */
describe.each(ENGINES)('switching workspace by signing in (%s)', (engine) => {
  let s: Running;
  let acme: CreatedWorkspace;
  let beta: CreatedWorkspace;
  let gamma: CreatedWorkspace;

  const signIn = async (body: { email: string; password: string; workspaceId?: string }) => {
    const res = await fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as SignInReply & { error?: { code: string; message: string } } };
  };
  const whoAmI = async (token: string) => {
    const res = await fetch(`${s.url}/api/v1/sessions/current`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { workspace: { id: string; name: string }; role: string; agent: { email: string } } };
  };

  beforeAll(async () => {
    s = await startServer(engine);
    acme = s.workspace;
    // Sam: an agent in Acme and the owner of Beta, with the same password in both.
    expect((await s.api('POST', '/api/v1/agents', { email: 'sam@both.test', name: 'Sam', role: 'agent', password: 'same in both places' })).status).toBe(201);
    beta = await createWorkspace(s.tp.deps, { name: 'Beta', ownerEmail: 'Sam@Both.test', ownerPassword: 'same in both places' });
    // Kim: an agent in Acme and the owner of Gamma, with a different password in each.
    expect((await s.api('POST', '/api/v1/agents', { email: 'kim@both.test', name: 'Kim', role: 'agent', password: 'kim at acme 123' })).status).toBe(201);
    gamma = await createWorkspace(s.tp.deps, { name: 'Gamma', ownerEmail: 'kim@both.test', ownerPassword: 'kim at gamma 456' });
  });
  afterAll(() => s?.stop());

  it('lists both workspaces when the password verifies in both; workspaceId picks, the oldest is the default', async () => {
    const first = await signIn({ email: 'sam@both.test', password: 'same in both places' });
    expect(first.status).toBe(201);
    expect(first.body.workspaceId).toBe(acme.workspaceId);
    expect(first.body.workspaces).toEqual([
      { id: acme.workspaceId, name: 'Acme' },
      { id: beta.workspaceId, name: 'Beta' },
    ]);
    expect((await whoAmI(first.body.token)).body).toMatchObject({ workspace: { id: acme.workspaceId }, role: 'agent' });

    const switched = await signIn({ email: 'SAM@both.test ', password: 'same in both places', workspaceId: beta.workspaceId });
    expect(switched.status).toBe(201);
    expect(switched.body).toMatchObject({ workspaceId: beta.workspaceId, agentId: beta.ownerId });
    expect(switched.body.workspaces.map((w) => w.name)).toEqual(['Acme', 'Beta']);
    expect((await whoAmI(switched.body.token)).body).toMatchObject({ workspace: { id: beta.workspaceId, name: 'Beta' }, role: 'owner' });
    // Entering Beta ends nothing: the Acme session stays valid until it expires or signs out.
    expect((await whoAmI(first.body.token)).body).toMatchObject({ workspace: { id: acme.workspaceId } });
  });

  it('lists only the workspace the password verifies in; asking for the other with it is a 401', async () => {
    const atAcme = await signIn({ email: 'kim@both.test', password: 'kim at acme 123' });
    expect(atAcme.status).toBe(201);
    expect(atAcme.body.workspaces).toEqual([{ id: acme.workspaceId, name: 'Acme' }]);

    const wrong = await signIn({ email: 'kim@both.test', password: 'kim at acme 123', workspaceId: gamma.workspaceId });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'unauthorized', message: 'email or password is wrong' });

    // Gamma's own password opens Gamma, whether asked for by id or not (Acme's row does not verify with it).
    for (const workspaceId of [gamma.workspaceId, undefined]) {
      const atGamma = await signIn({ email: 'kim@both.test', password: 'kim at gamma 456', workspaceId });
      expect(atGamma.status).toBe(201);
      expect(atGamma.body).toMatchObject({ workspaceId: gamma.workspaceId, workspaces: [{ id: gamma.workspaceId, name: 'Gamma' }] });
    }
    // An unknown workspace, or one the email has no agent in, answers the same 401.
    expect((await signIn({ email: 'kim@both.test', password: 'kim at acme 123', workspaceId: 'nope' })).status).toBe(401);
    expect((await signIn({ email: 'kim@both.test', password: 'kim at acme 123', workspaceId: beta.workspaceId })).status).toBe(401);
  });

  it("an admin of Acme who creates an agent with another workspace owner's email cannot reach that workspace, nor learn of it", async () => {
    expect((await s.api('POST', '/api/v1/agents', { email: 'mallory@acme.test', name: 'Mallory', role: 'admin', password: 'mallory admin pass' })).status).toBe(201);
    const mallory = await signIn({ email: 'mallory@acme.test', password: 'mallory admin pass' });
    expect(mallory.status).toBe(201);
    // Beta's owner is already an agent in Acme (Sam): take Delta, whose owner is not, and plant an Acme row with their email.
    const victim = await createWorkspace(s.tp.deps, { name: 'Delta', ownerEmail: 'owner@delta.test', ownerPassword: 'the real delta password' });
    const planted = await fetch(`${s.url}/api/v1/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${mallory.body.token}` },
      body: JSON.stringify({ email: 'owner@delta.test', name: 'Not the owner', role: 'admin', password: 'mallory knows this' }),
    });
    expect(planted.status).toBe(201);

    const asPlanted = await signIn({ email: 'owner@delta.test', password: 'mallory knows this' });
    expect(asPlanted.status).toBe(201);
    expect(asPlanted.body).toMatchObject({ workspaceId: acme.workspaceId, workspaces: [{ id: acme.workspaceId, name: 'Acme' }] });
    const intoDelta = await signIn({ email: 'owner@delta.test', password: 'mallory knows this', workspaceId: victim.workspaceId });
    expect(intoDelta.status).toBe(401);

    // The real owner still lands in Delta (the planted Acme row is newer, and does not verify), and is not shown Acme.
    const owner = await signIn({ email: 'owner@delta.test', password: 'the real delta password' });
    expect(owner.status).toBe(201);
    expect(owner.body).toMatchObject({ workspaceId: victim.workspaceId, workspaces: [{ id: victim.workspaceId, name: 'Delta' }] });
  });

  it('an unknown email is the same 401', async () => {
    const res = await signIn({ email: 'nobody@nowhere.test', password: 'whatever it is' });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'unauthorized', message: 'email or password is wrong' });
  });
});
