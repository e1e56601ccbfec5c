import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncFile } from '../src/platform/db/wal-sync.ts';
import { startServer, type Running } from './harness.ts';

/**
 * SQLite only: the disk refusing an fsync of the WAL (EIO). After that, nothing written since
 * the last good sync can be called stored, so no write is acknowledged and /healthz takes the
 * server out of a load balancer's rotation.
 */
describe('a disk that fails to sync, on sqlite', () => {
  let failing = false;
  const syncFile: SyncFile = (_file, done) => setImmediate(() => done(failing ? Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }) : null));
  let s: Running;
  beforeAll(async () => {
    s = await startServer('sqlite', { sqliteSyncFile: syncFile });
  });
  afterAll(async () => {
    // Closing syncs what is left, which fails too: the store goes anyway.
    await s.tp.close().catch(() => undefined);
    await s.store.drop();
  });

  it('acknowledges no write once an fsync failed, and /healthz says so', async () => {
    const open = (body: string) => s.api('POST', '/api/v1/moments', { identity: 'email:ann@example.com', channel: 'phone', message: { body } });
    expect((await open('before the failure')).status).toBe(201);
    expect((await s.api('GET', '/healthz')).body).toMatchObject({ status: 'ok' });

    failing = true;
    const refused = await open('while the disk fails');
    expect(refused.status).toBe(500);
    expect(refused.body.moment).toBeUndefined();
    const health = await s.api('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable' });

    // A disk that works again does not make the lost writes stored: it stays refused until a restart.
    failing = false;
    expect((await open('after the failure')).status).toBe(500);
    expect((await s.api('GET', '/healthz')).status).toBe(503);
  });
});
