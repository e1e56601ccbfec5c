import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from './harness.ts';

// SQLite only: no connection of the server checkpoints as it commits (that would copy every
// commit's pages twice); the checkpoint thread copies the write-ahead log back once a second.
describe('the SQLite write-ahead log', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer('sqlite');
  });
  afterAll(async () => s?.stop());

  it('is copied back into the database within seconds of a write, so it never grows without bound', async () => {
    const file = path.join(s.store.config.dataDir, 'touchpoint.sqlite');
    const before = fs.statSync(file).size;
    for (let b = 0; b < 10; b++) {
      const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'track', messageId: `wal-${b}-${i}`, userId: `wal-user-${i}`, event: 'Page Read', properties: { text: 'x'.repeat(500) } }));
      expect((await s.track('/v1/batch', { batch })).status).toBe(200);
    }
    // A thousand events of half a kilobyte and more: in the database file, not only in the log.
    const deadline = Date.now() + 5_000;
    while (fs.statSync(file).size < before + 500_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(before + 500_000);
  });
});
