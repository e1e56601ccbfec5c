import { describe, expect, it } from 'vitest';
import { ENGINES, useTestDatabase } from '../../test/harness.ts';
import { OUTBOX_RETENTION_MS, pruneOutbox } from './prune-outbox.ts';

const NOW = Date.UTC(2026, 10, 26);
const DAY = 24 * 3_600_000;

describe.each(ENGINES)('pruneOutbox on %s', (engine) => {
  const database = useTestDatabase(engine);

  it('removes only rows delivered before the retention, in batches, and keeps what still waits', async () => {
    const row = (id: string, workspace: string, processedAt: number | null, createdAt: number) => ({ workspace_id: workspace, id, topic: 't', payload: '{}', created_at: createdAt, attempts: processedAt === null ? 3 : 1, available_at: createdAt, processed_at: processedAt, last_error: processedAt === null ? 'listener failed' : null });
    const old = NOW - OUTBOX_RETENTION_MS - DAY;
    const rows = [
      // 6,001 delivered long ago across two workspaces: more than one delete batch.
      ...Array.from({ length: 6_001 }, (_, i) => row(`old-${String(i).padStart(5, '0')}`, i % 2 === 0 ? 'w1' : 'w2', old, old)),
      row('recent', 'w1', NOW - DAY, NOW - DAY),
      row('failing-for-weeks', 'w1', null, old),
    ];
    for (let i = 0; i < rows.length; i += 500) await database().db.insertInto('outbox').values(rows.slice(i, i + 500)).execute();

    expect(await pruneOutbox({ db: database().db, clock: { now: () => NOW } })).toBe(6_001);
    const left = await database().db.selectFrom('outbox').select('id').orderBy('id').execute();
    expect(left.map((r) => r.id)).toEqual(['failing-for-weeks', 'recent']);
    expect(await pruneOutbox({ db: database().db, clock: { now: () => NOW } })).toBe(0);
  });
});
