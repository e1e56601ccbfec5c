import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, startServer, type Running } from './harness.ts';

describe.each(ENGINES)('keys on %s', (engine) => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer(engine);
  });
  afterAll(async () => s?.stop());

  it('creates a write key shown once, lists only its prefix, and revokes it', async () => {
    const made = await s.api('POST', '/api/v1/keys', { kind: 'write', name: 'Website' });
    expect(made.status).toBe(201);
    expect(made.body.key).toMatch(/^tp_write_/);
    const list = await s.api('GET', '/api/v1/keys');
    const listed = list.body.data.find((k: { id: string }) => k.id === made.body.id);
    expect(listed).toMatchObject({ kind: 'write', name: 'Website', prefix: made.body.key.slice(0, 13), revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(made.body.key);

    expect((await s.track('/v1/track', { userId: 'k1', event: 'Works' }, made.body.key)).status).toBe(200);
    const revoked = await s.api('DELETE', `/api/v1/keys/${made.body.id}`);
    expect(revoked.status).toBe(200);
    const refused = await s.track('/v1/track', { userId: 'k1', event: 'Refused' }, made.body.key);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthorized');
    expect((await s.api('DELETE', '/api/v1/keys/no-such-key')).status).toBe(404);
  });

  it('lets an API key revoke another API key, which then reads nothing', async () => {
    const other = await s.api('POST', '/api/v1/keys', { kind: 'api' });
    expect((await s.api('GET', '/api/v1/customers', undefined, other.body.key)).status).toBe(200);
    await s.api('DELETE', `/api/v1/keys/${other.body.id}`);
    expect((await s.api('GET', '/api/v1/customers', undefined, other.body.key)).status).toBe(401);
  });
});
