import type { Deps } from '../platform/deps.ts';
import { parseJsonObject, type JsonObject } from '../platform/json.ts';

/** A listener gets each event of its topic at least once, so it must be idempotent. */
export type Listener = (event: {
  readonly id: string;
  readonly workspaceId: string;
  readonly topic: string;
  readonly payload: JsonObject;
}) => Promise<void>;

/** A periodic job (lifecycle sweep, later: SLA timers, schedules). */
export type PeriodicJob = { readonly name: string; readonly everyMs: number; readonly run: () => Promise<void> };

export type Worker = {
  /** Delivers what is due now; returns how many events it handled. Tests call it directly. */
  readonly drain: () => Promise<number>;
  readonly start: () => void;
  /** Stops polling and waits for the batch in hand to finish. */
  readonly stop: () => Promise<void>;
};

const LEASE_MS = 30_000;
const BATCH = 100;
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Drains the transactional outbox to listeners and runs periodic jobs.
 * Rows are claimed with a lease (available_at pushed forward) so that several processes on
 * PostgreSQL share the work (FOR UPDATE SKIP LOCKED) and a crashed worker's rows come back.
 */
export function createWorker(
  deps: Deps,
  listeners: Readonly<Record<string, readonly Listener[]>>,
  jobs: readonly PeriodicJob[] = [],
  pollMs = 250,
): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  const lastRun = new Map<string, number>();

  async function claim(): Promise<{ id: string; workspace_id: string; topic: string; payload: string; attempts: number }[]> {
    const now = deps.clock.now();
    return deps.db.transaction().execute(async (tx) => {
      let query = tx
        .selectFrom('outbox')
        .select(['id', 'workspace_id', 'topic', 'payload', 'attempts'])
        .where('processed_at', 'is', null)
        .where('available_at', '<=', now)
        .orderBy('available_at')
        .limit(BATCH);
      if (deps.engine === 'postgres') query = query.forUpdate().skipLocked();
      const rows = await query.execute();
      if (rows.length > 0) {
        await tx
          .updateTable('outbox')
          .set({ available_at: now + LEASE_MS })
          .where('id', 'in', rows.map((r) => r.id))
          .execute();
      }
      return rows;
    });
  }

  async function deliver(row: { id: string; workspace_id: string; topic: string; payload: string; attempts: number }): Promise<void> {
    const handlers = listeners[row.topic] ?? [];
    const event = { id: row.id, workspaceId: row.workspace_id, topic: row.topic, payload: parseJsonObject(row.payload) };
    try {
      for (const handler of handlers) await handler(event);
      await deps.db
        .updateTable('outbox')
        .set({ processed_at: deps.clock.now(), attempts: row.attempts + 1, last_error: null })
        .where('workspace_id', '=', row.workspace_id)
        .where('id', '=', row.id)
        .execute();
    } catch (error) {
      const attempts = row.attempts + 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
      deps.log.warn({ err: error, topic: row.topic, eventId: row.id, attempts }, 'listener failed; will retry');
      await deps.db
        .updateTable('outbox')
        .set({ attempts, available_at: deps.clock.now() + backoff, last_error: String(error).slice(0, 500) })
        .where('workspace_id', '=', row.workspace_id)
        .where('id', '=', row.id)
        .execute();
    }
  }

  async function drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      const rows = await claim();
      for (const row of rows) await deliver(row);
      handled += rows.length;
      if (rows.length < BATCH) return handled;
    }
  }

  async function runDueJobs(): Promise<void> {
    const now = deps.clock.now();
    for (const job of jobs) {
      if (now - (lastRun.get(job.name) ?? 0) < job.everyMs) continue;
      lastRun.set(job.name, now);
      try {
        await job.run();
      } catch (error) {
        deps.log.error({ err: error, job: job.name }, 'periodic job failed');
      }
    }
  }

  function tick(): void {
    running = (async () => {
      try {
        await drain();
        await runDueJobs();
      } catch (error) {
        deps.log.error({ err: error }, 'worker tick failed');
      }
    })().finally(() => {
      if (!stopped) timer = setTimeout(tick, pollMs);
    });
  }

  return {
    drain,
    start: () => {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
