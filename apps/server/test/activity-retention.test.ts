import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerReplay } from '../src/modules/moments/index.ts';
import { pruneActivity, REPLAYABLE_ACTIVITIES } from '../src/modules/moments/prune-activity.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { open } from './moments-fixtures.ts';

const DAY = 86_400_000;

/** The moment activity log (what the live stream and the chat widget replay) is pruned, never into what a client may replay. */
describe.each(ENGINES)('activity retention on %s', (engine) => {
  let s: Running;
  const clock = fixedClock(Date.parse('2026-07-01T09:00:00Z'));
  beforeAll(async () => {
    s = await startServer(engine, { clock });
  });
  afterAll(async () => s?.stop());

  const seqs = async () => (await s.tp.deps.db.selectFrom('moment_activity').select('seq').where('workspace_id', '=', s.workspace.workspaceId).orderBy('seq').execute()).map((r) => Number(r.seq));

  it('drops old activity beyond the latest kept, and the next seq follows the last', async () => {
    for (let i = 0; i < 5; i++) await open(s, { identity: `email:retention-${i}-${engine}@example.com`, channel: 'chat' });
    const before = await seqs();
    expect(before.length).toBeGreaterThan(4);
    const keep = { latest: 2, forMs: DAY };
    // Young activity stays, however much of it there is.
    expect(await pruneActivity(s.tp.deps, keep)).toBe(0);

    clock.set(clock.now() + 2 * DAY);
    const latest = before.at(-1)!;
    expect(await pruneActivity(s.tp.deps, keep)).toBe(before.length - 2);
    expect(await seqs()).toEqual([latest - 1, latest]);

    // Everything old could go, but the newest stay: the log goes on from where it was.
    await open(s, { identity: `email:retention-next-${engine}@example.com`, channel: 'chat' });
    expect((await seqs())[2]).toBe(latest + 1);
  });

  it('sends the chat widget its history instead of a replay from further back than is kept', async () => {
    const visible = new Map([['any-moment', { since: '', lastMessageAt: 0 }]]);
    const view = { db: s.tp.deps.db, workspaceId: s.workspace.workspaceId, channel: 'chat' };
    expect(await customerReplay(view, visible, 0, REPLAYABLE_ACTIVITIES + 1)).toBeNull();
    // Nearer, but over activity that was pruned: the history too.
    const [oldest] = await seqs();
    expect(await customerReplay(view, visible, oldest - 2, oldest + 1)).toBeNull();
    expect(await customerReplay(view, visible, oldest - 1, oldest + 1)).toEqual([]);
  });
});
