import { describe, expect, it } from 'vitest';
import { ENGINES, useTestDatabase } from '../../test/harness.ts';
import { systemIds } from '../platform/ids.ts';
import { createLogger } from '../platform/logger.ts';
import { writeOutbox } from '../platform/outbox.ts';
import { createSecretBox } from '../platform/secret-box.ts';
import { createWorker, type DeliveredEvent } from './outbox-worker.ts';

describe.each(ENGINES)('batch listeners on %s', (engine) => {
  const database = useTestDatabase(engine);
  const depsAt = (now: () => number) => ({ db: database().db, reads: database().reads, engine, clock: { now }, ids: systemIds, log: createLogger('silent'), secretBox: createSecretBox(Buffer.alloc(32)) });

  it('get a claimed batch at once, and when it fails each event alone: one bad event holds back no other', async () => {
    let now = Date.UTC(2026, 10, 26);
    const deps = depsAt(() => now);
    await database().db.transaction().execute((tx) =>
      writeOutbox(tx, deps, Array.from({ length: 5 }, (_, n) => ({ workspaceId: 'w1', topic: 'thing.happened', payload: { n } }))),
    );
    const calls: number[][] = [];
    const recorded: number[] = [];
    const worker = createWorker(deps, {
      'thing.happened': {
        batch: async (events: readonly DeliveredEvent[]) => {
          const ns = events.map((e) => Number(e.payload.n));
          calls.push(ns);
          if (ns.includes(3)) throw new Error('cannot take event 3');
          recorded.push(...ns);
        },
      },
    });
    expect(await worker.drain()).toBe(5);
    expect(calls[0]).toEqual([0, 1, 2, 3, 4]);
    expect(recorded.sort()).toEqual([0, 1, 2, 4]);
    const rows = await database().db.selectFrom('outbox').select(['payload', 'processed_at', 'attempts', 'last_error']).orderBy('payload').execute();
    expect(rows.map((r) => [JSON.parse(r.payload).n, r.processed_at !== null, r.attempts])).toEqual([
      [0, true, 1],
      [1, true, 1],
      [2, true, 1],
      [3, false, 1],
      [4, true, 1],
    ]);
    expect(rows[3]!.last_error).toContain('cannot take event 3');
    // Event 3 alone comes back after its backoff.
    now += 60 * 60_000;
    await worker.drain();
    expect(calls.at(-1)).toEqual([3]);
  });

  it('keeps renewing the lease on a batch still being delivered, so another process never delivers it too', async () => {
    let now = Date.UTC(2026, 10, 27);
    const deps = depsAt(() => now);
    await database().db.transaction().execute((tx) => writeOutbox(tx, deps, [{ workspaceId: 'w2', topic: 'reply.slow', payload: { n: 1 } }]));
    let release!: () => void;
    const provider = new Promise<void>((resolve) => (release = resolve));
    const deliveries: string[] = [];
    // This process: a provider that answers only after the lease it started with has run out.
    const slow = createWorker(deps, { 'reply.slow': [async (e) => void deliveries.push(`slow ${e.id}`), () => provider] });
    // Another process polling the same outbox.
    const other = createWorker(deps, { 'reply.slow': [async (e) => void deliveries.push(`other ${e.id}`)] });
    const draining = slow.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
    now += 4_000;
    // Real time for one renewal (every 1.5 s), at the clock's 4 s.
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    now += 4_000; // 8 s after the claim: past its first lease of 5 s, within the renewed one.
    await other.drain();
    expect(deliveries.filter((d) => d.startsWith('other'))).toEqual([]);
    release();
    await draining;
    now += 60_000;
    await other.drain();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatch(/^slow /);
  });

  it('gives a dead worker\'s batch to the next poll 5 s after its last renewal', async () => {
    let now = Date.UTC(2026, 10, 28);
    const deps = depsAt(() => now);
    await database().db.transaction().execute((tx) => writeOutbox(tx, deps, [{ workspaceId: 'w3', topic: 'reply.lost', payload: { n: 1 } }]));
    const deliveries: string[] = [];
    // A worker that claims and then never comes back: its process was killed mid-delivery.
    const dead = createWorker(deps, { 'reply.lost': [() => new Promise<void>(() => undefined)] });
    void dead.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = createWorker(deps, { 'reply.lost': [async (e) => void deliveries.push(e.id)] });
    now += 4_900;
    await next.drain();
    expect(deliveries).toEqual([]);
    now += 200;
    await next.drain();
    expect(deliveries).toHaveLength(1);
  });

  it('delivers side by side: a slow provider holds up only its own moment, whose events stay in order', async () => {
    const now = Date.UTC(2026, 10, 29);
    const deps = depsAt(() => now);
    const queue = (momentId: string, n: number) => database().db.transaction().execute((tx) => writeOutbox(tx, deps, [{ workspaceId: 'w4', topic: 'reply.queued', payload: { momentId, n } }]));
    let answer!: () => void;
    const slowProvider = new Promise<void>((resolve) => (answer = resolve));
    const log: string[] = [];
    const worker = createWorker(
      deps,
      {
        'reply.queued': [
          async (e) => {
            log.push(`start ${e.payload.momentId} ${e.payload.n}`);
            if (e.payload.momentId === 'slow' && e.payload.n === 1) await slowProvider;
            log.push(`sent ${e.payload.momentId} ${e.payload.n}`);
          },
        ],
      },
      [],
      10,
    );
    await queue('slow', 1);
    await queue('fast', 1);
    worker.start();
    const until = async (entry: string) => {
      for (let i = 0; i < 200 && !log.includes(entry); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(log).toContain(entry);
    };
    await until('sent fast 1');
    // Queued while the slow one is still out: the next poll sends the other moment's at once,
    // and holds the slow moment's second until its first is through.
    await queue('fast', 2);
    await queue('slow', 2);
    await until('sent fast 2');
    expect(log).not.toContain('start slow 2');
    answer();
    await until('sent slow 2');
    await worker.stop();
    expect(log.indexOf('sent slow 1')).toBeLessThan(log.indexOf('start slow 2'));
    const rows = await database().db.selectFrom('outbox').select(['processed_at']).where('workspace_id', '=', 'w4').execute();
    expect(rows.every((r) => r.processed_at !== null)).toBe(true);
  });
});
