import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { openSecrets } from '../src/modules/channels/channel-secrets.ts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam } from './moments-fixtures.ts';

describe.each(ENGINES)('channels on %s', (engine) => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer(engine);
  });
  afterAll(async () => s?.stop());

  const whatsapp = { kind: 'whatsapp', name: 'WhatsApp UK', address: '+44 7700 900123', settings: { phoneNumberId: '1234567890' }, secrets: { accessToken: 'EAAG-secret-token', appSecret: 'app-secret-value', verifyToken: 'verify-me' }, costPerContact: 0.42, currency: 'GBP' };

  it('connects a channel; secrets are write-only; the provider URLs are shown', async () => {
    const created = await s.api('POST', '/api/v1/channels', whatsapp);
    expect(created.status).toBe(201);
    const text = JSON.stringify(created.body);
    for (const secret of Object.values(whatsapp.secrets)) expect(text).not.toContain(secret);
    expect(created.body).toMatchObject({ kind: 'whatsapp', address: '+447700900123', costPerContact: 0.42, currency: 'GBP', enabled: true, secretsSet: ['accessToken', 'appSecret', 'verifyToken'], health: { state: 'unknown' } });
    expect(created.body.webhooks.callback).toBe(`${s.url}/webhooks/meta/${created.body.id}`);
    const listed = await s.api('GET', '/api/v1/channels');
    expect(JSON.stringify(listed.body)).not.toContain('EAAG-secret-token');
    // Rotating one secret keeps the others.
    const rotated = await s.api('PATCH', `/api/v1/channels/${created.body.id}`, { secrets: { accessToken: 'EAAG-new' }, costPerContact: 0.5 });
    expect(rotated.body).toMatchObject({ secretsSet: ['accessToken', 'appSecret', 'verifyToken'], costPerContact: 0.5 });
    // At rest the secrets are sealed: a copy of the database does not give them away.
    const stored = await s.tp.deps.db.selectFrom('channel').select(['workspace_id', 'id', 'secrets']).where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(stored.secrets).toMatch(/^v1:/);
    for (const secret of [...Object.values(whatsapp.secrets), 'EAAG-new']) expect(stored.secrets).not.toContain(secret);
    expect(openSecrets(s.tp.deps.secretBox, stored)).toEqual({ ...whatsapp.secrets, accessToken: 'EAAG-new' });
  });

  it('refuses a channel missing what its kind needs, naming the field', async () => {
    const cases = [
      [{ ...whatsapp, secrets: { accessToken: 'x', appSecret: 'y' } }, 'secrets.verifyToken'],
      [{ ...whatsapp, settings: {} }, 'settings.phoneNumberId'],
      [{ ...whatsapp, address: undefined }, 'address'],
      // Messenger and Instagram need one too (the README lists it with their settings).
      [{ kind: 'messenger', name: 'Messenger', settings: { pageId: 'PAGE1' }, secrets: whatsapp.secrets }, 'address'],
      [{ kind: 'instagram', name: 'Instagram', settings: { accountId: 'IG1' }, secrets: whatsapp.secrets }, 'address'],
      [{ ...whatsapp, kind: 'pigeon' }, 'kind'],
      [{ ...whatsapp, costPerContact: -1 }, 'costPerContact'],
      [{ ...whatsapp, businessUnitId: 'nope' }, 'businessUnitId'],
      // What it was given must be something it could work with.
      [{ ...whatsapp, address: 'abc' }, 'address'],
      [{ kind: 'sms', name: 'SMS', address: 'call us', settings: { accountSid: 'AC1' }, secrets: { authToken: 't' } }, 'address'],
      [{ kind: 'email', name: 'Mail', address: 'not an email' }, 'address'],
      [{ ...whatsapp, secrets: { ...whatsapp.secrets, acessToken: 'typo' } }, 'secrets.acessToken'],
      [{ kind: 'api', name: 'API', settings: { outboundUrl: 'not a url' }, secrets: { signingSecret: 'whsec_x' } }, 'settings.outboundUrl'],
      [{ kind: 'api', name: 'API', settings: { outboundUrl: 'ftp://files.example.com' }, secrets: { signingSecret: 'whsec_x' } }, 'settings.outboundUrl'],
      [{ kind: 'chat', name: 'Chat', settings: { allowedOrigins: 'https://shop.example.com' }, secrets: { identitySecret: 's' } }, 'settings.allowedOrigins'],
      [{ kind: 'chat', name: 'Chat', settings: { allowedOrigins: [], businessHoursId: 'nope' }, secrets: { identitySecret: 's' } }, 'settings.businessHoursId'],
      [{ kind: 'chat', name: 'Chat', settings: { allowedOrigins: [], followUpChannelId: 'nope' }, secrets: { identitySecret: 's' } }, 'settings.followUpChannelId'],
      // Values that would break the channel at its first message or reply.
      [{ kind: 'chat', name: 'Chat', settings: { allowedOrigins: ['https://shop.example.com', '*'] }, secrets: { identitySecret: 's' } }, 'settings.allowedOrigins'],
      [{ kind: 'chat', name: 'Chat', settings: { allowedOrigins: ['https://shop.example.com/help'] }, secrets: { identitySecret: 's' } }, 'settings.allowedOrigins'],
      [{ kind: 'chat', name: 'Chat', settings: { allowedOrigins: [], visitorMessagesPerMinute: -5 }, secrets: { identitySecret: 's' } }, 'settings.visitorMessagesPerMinute'],
      [{ kind: 'api', name: 'API', settings: { outboundUrl: 'https://crm.example.com/hook' }, secrets: { signingSecret: 'not-whsec' } }, 'secrets.signingSecret'],
      [{ kind: 'api', name: 'API', settings: { outboundUrl: 'https://crm.example.com/hook' }, secrets: { signingSecret: 'whsec_!!!' } }, 'secrets.signingSecret'],
      [{ kind: 'sms', name: 'SMS', address: '+14155550100', settings: { accountSid: 'nope' }, secrets: { authToken: 't' } }, 'settings.accountSid'],
      [{ kind: 'sms', name: 'SMS', address: '+14155550100', settings: { accountSid: 'AC0123456789abcdef0123456789abcdef', apiBaseUrl: 'ftp://x' }, secrets: { authToken: 't' } }, 'settings.apiBaseUrl'],
      [{ kind: 'email', name: 'Mail', address: 'help@example.com', settings: { smtp: { host: 'smtp.example.com', port: 'abc' } } }, 'settings.smtp'],
    ] as const;
    for (const [body, field] of cases) {
      const res = await s.api('POST', '/api/v1/channels', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    // A change cannot take away what the channel needs either: every reply would fail.
    const api = await s.api('POST', '/api/v1/channels', { kind: 'api', name: 'API', settings: { outboundUrl: 'https://crm.example.com/hook' }, secrets: { signingSecret: `whsec_${Buffer.from('a key of sixteen bytes or more').toString('base64')}` } });
    expect(api.status, JSON.stringify(api.body)).toBe(201);
    const emptied = await s.api('PATCH', `/api/v1/channels/${api.body.id}`, { settings: { outboundUrl: null } });
    expect([emptied.status, emptied.body.error?.field]).toEqual([400, 'settings.outboundUrl']);
    const broken = await s.api('PATCH', `/api/v1/channels/${api.body.id}`, { secrets: { signingSecret: 'whsec_' } });
    expect([broken.status, broken.body.error?.field]).toEqual([400, 'secrets.signingSecret']);
  });

  it('a number belongs to one enabled channel of its kind in a workspace; another workspace is not told it is used', async () => {
    const first = await s.api('POST', '/api/v1/channels', { ...whatsapp, address: '+44 7700 900555' });
    expect(first.status).toBe(201);
    const again = await s.api('POST', '/api/v1/channels', { ...whatsapp, name: 'Copy', address: '+447700900555' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', field: 'address', message: expect.stringContaining('"WhatsApp UK"') });
    // Webhooks reach a channel by its own URL: another workspace's number takes nothing from this one.
    const other = await createWorkspace(s.tp.deps, { name: 'Elsewhere', ownerEmail: 'sq@other.test', ownerPassword: 'another long password' });
    expect((await s.api('POST', '/api/v1/channels', { ...whatsapp, address: '+447700900555' }, other.apiKey)).status).toBe(201);
    // Disconnected, the address is free again in its workspace.
    expect((await s.api('PATCH', `/api/v1/channels/${first.body.id}`, { enabled: false })).status).toBe(200);
    expect((await s.api('POST', '/api/v1/channels', { ...whatsapp, name: 'Copy', address: '+447700900555' })).status).toBe(201);
  });

  it('an address is one spelling: a handle with or without its @, and an email only as a bare mailbox', async () => {
    const instagram = { kind: 'instagram', name: 'Instagram', settings: { accountId: 'IG7' }, secrets: whatsapp.secrets };
    expect((await s.api('POST', '/api/v1/channels', { ...instagram, address: '@Acme.Shop' })).body.address).toBe('acme.shop');
    expect((await s.api('POST', '/api/v1/channels', { ...instagram, name: 'Again', address: 'acme.shop' })).status).toBe(409);
    for (const address of ['<help@spelling.test>', 'Help Desk <help@spelling.test>', '"help"@spelling.test']) {
      const res = await s.api('POST', '/api/v1/channels', { kind: 'email', name: 'Mail', address, settings: {} });
      expect([res.status, res.body.error?.field], address).toEqual([400, 'address']);
    }
  });

  it('an email address receives for one inbox on the whole server: another workspace is refused without being told whose it is', async () => {
    const inbox = { kind: 'email', name: 'Help desk', address: 'Help@Shared-Inbox.test', settings: {} };
    const first = await s.api('POST', '/api/v1/channels', inbox);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const other = await createWorkspace(s.tp.deps, { name: 'Squatter', ownerEmail: 'sq2@other.test', ownerPassword: 'another long password' });
    const refused = await s.api('POST', '/api/v1/channels', { ...inbox, name: 'Mine now', address: 'help@shared-inbox.test' }, other.apiKey);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', field: 'address' });
    expect(refused.body.error.message).not.toContain('Help desk');
    expect((await s.api('PATCH', `/api/v1/channels/${first.body.id}`, { enabled: false })).status).toBe(200);
    expect((await s.api('POST', '/api/v1/channels', { ...inbox, name: 'Mine now' }, other.apiKey)).status).toBe(201);
  });

  it('only admins connect channels; another workspace sees none', async () => {
    const agent = await addAgent(s);
    expect((await s.api('POST', '/api/v1/channels', whatsapp, agent.token)).status).toBe(403);
    const other = await createWorkspace(s.tp.deps, { name: 'Other', ownerEmail: 'o@other.test', ownerPassword: 'another long password' });
    const mine = (await s.api('GET', '/api/v1/channels')).body.data[0];
    expect((await s.api('GET', '/api/v1/channels', undefined, other.apiKey)).body.data).toEqual([]);
    expect((await s.api('GET', `/api/v1/channels/${mine.id}`, undefined, other.apiKey)).status).toBe(404);
    expect((await s.api('PATCH', `/api/v1/channels/${mine.id}`, { name: 'mine now' }, other.apiKey)).status).toBe(404);
  });

  it('a reply on a moment with no channel to carry it is shown failed with the reason, never sent', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    await s.api('POST', '/api/v1/assignment-rules', { name: 'phone', conditions: { channels: ['phone'] }, teamId: team });
    const m = (await s.api('POST', '/api/v1/moments', { identity: 'email:caller@example.com', channel: 'phone', message: { body: 'Called about a refund' } })).body.moment;
    const reply = await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'out', body: 'We will refund you today' }, ana.token);
    expect(reply.body.message.delivery).toBe('queued');
    await s.tp.worker.drain();
    const thread = (await s.api('GET', `/api/v1/moments/${m.id}/messages`)).body.data;
    expect(thread.at(-1)).toMatchObject({ delivery: 'failed', deliveryError: expect.stringContaining('no phone channel') });
  });
});
