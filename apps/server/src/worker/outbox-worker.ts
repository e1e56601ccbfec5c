import type { Deps } from '../platform/deps.ts';
import { transactionWithoutFsync } from '../platform/db/transaction-without-fsync.ts';
import { whenDurable } from '../platform/db/commit-durability.ts';
import { parseJsonObject, type JsonObject } from '../platform/json.ts';

export type DeliveredEvent = {
  readonly id: string;
  readonly workspaceId: string;
  readonly topic: string;
  readonly payload: JsonObject;
  /** Earlier deliveries that failed (0 on the first): a listener may give up after enough. */
  readonly attempts: number;
};

/** A listener gets each event of its topic at least once, so it must be idempotent. */
export type Listener = (event: DeliveredEvent) => Promise<void>;

/**
 * The one listener of a topic whose events are worth handling together (one commit for a
 * hundred timeline lines rather than a hundred). It gets every event of its topic in a claimed
 * batch at once; a throw fails them all, to be delivered again: at least once, like Listener.
 */
export type BatchListener = { readonly batch: (events: readonly DeliveredEvent[]) => Promise<void> };

/** A periodic job (lifecycle sweep, later: SLA timers, schedules). */
export type PeriodicJob = { readonly name: string; readonly everyMs: number; readonly run: () => Promise<void> };

export type Worker = {
  /** Delivers what is due now; returns how many events it handled. Tests call it directly. */
  readonly drain: () => Promise<number>;
  readonly start: () => void;
  /** Stops polling and waits for the deliveries under way to finish. */
  readonly stop: () => Promise<void>;
};

/**
 * How long a claimed batch is this worker's. While it is still delivering, it renews the lease
 * every RENEW_EVERY_MS, so a slow provider never lets another process take the batch too; a
 * worker that died (SIGKILL, power cut) stops renewing, and its batch is delivered by whoever
 * polls next once LEASE_MS has passed. At 30 s without renewal, chat replies a killed server
 * had claimed reached visitors 25–30 s after the restart.
 */
const LEASE_MS = 5_000;
const RENEW_EVERY_MS = 1_500;
const BATCH = 100;
/** Events delivered at once at most: a slow provider holds its own lane, never the others. */
const MAX_IN_FLIGHT = 200;
const MAX_BACKOFF_MS = 10 * 60_000;

type OutboxRow = { readonly id: string; readonly workspace_id: string; readonly topic: string; readonly payload: string; readonly attempts: number };

/** Ids grouped by workspace, so each UPDATE can use the (workspace_id, id) primary key. */
function idsByWorkspace(rows: readonly OutboxRow[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const ids = groups.get(row.workspace_id);
    if (ids) ids.push(row.id);
    else groups.set(row.workspace_id, [row.id]);
  }
  return groups;
}

/**
 * Drains the transactional outbox to listeners and runs periodic jobs.
 * Rows are claimed with a lease (available_at pushed forward) so that several processes on
 * PostgreSQL share the work (FOR UPDATE SKIP LOCKED) and a crashed worker's rows come back.
 */
export function createWorker(
  deps: Deps,
  listeners: Readonly<Record<string, readonly Listener[] | BatchListener>>,
  jobs: readonly PeriodicJob[] = [],
  pollMs = 250,
): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  const lastRun = new Map<string, number>();
  /** Deliveries under way, and how many events they carry. */
  const inFlight = new Set<Promise<void>>();
  let rowsInFlight = 0;
  /** The last delivery queued on each lane: a lane's events go out one after another, in order. */
  const lanes = new Map<string, Promise<void>>();

  async function claim(limit: number): Promise<OutboxRow[]> {
    const now = deps.clock.now();
    // Most polls find nothing due. Look before opening a write transaction: on SQLite that
    // takes the write lock, and waiting for it behind an ingest commit stalls this thread.
    const due = await deps.db.selectFrom('outbox').select('id').where('processed_at', 'is', null).where('available_at', '<=', now).limit(1).execute();
    if (due.length === 0) return [];
    // A lease lost to a power cut is only taken again: its commit need not wait for the disk.
    return transactionWithoutFsync(deps.db, deps.engine, async (tx) => {
      let query = tx
        .selectFrom('outbox')
        .select(['id', 'workspace_id', 'topic', 'payload', 'attempts'])
        .where('processed_at', 'is', null)
        .where('available_at', '<=', now)
        .orderBy('available_at')
        .limit(limit);
      if (deps.engine === 'postgres') query = query.forUpdate().skipLocked();
      const rows = await query.execute();
      for (const [workspaceId, ids] of idsByWorkspace(rows)) {
        await tx.updateTable('outbox').set({ available_at: now + LEASE_MS }).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
      }
      return rows;
    });
  }

  /**
   * Keeps renewing the lease on `rows` while any is still being delivered. A row is let go
   * (`settled`) before its outcome is recorded: a late renewal must not undo a failed event's
   * backoff. The renewals stop once every row is let go.
   */
  function holdLease(rows: readonly OutboxRow[]): { readonly settled: (done: readonly OutboxRow[]) => Promise<void> } {
    const held = new Set(rows);
    let renewing: Promise<void> = Promise.resolve();
    const renew = () =>
      transactionWithoutFsync(deps.db, deps.engine, async (tx) => {
        const until = deps.clock.now() + LEASE_MS;
        for (const [workspaceId, ids] of idsByWorkspace([...held])) {
          await tx.updateTable('outbox').set({ available_at: until }).where('workspace_id', '=', workspaceId).where('id', 'in', ids).where('processed_at', 'is', null).execute();
        }
      });
    const timer = setInterval(() => {
      renewing = renewing.then(renew).catch((error: unknown) => deps.log.warn({ err: error }, 'could not renew the outbox lease'));
    }, RENEW_EVERY_MS);
    return {
      settled: async (done) => {
        for (const row of done) held.delete(row);
        if (held.size === 0) clearInterval(timer);
        await renewing;
      },
    };
  }

  const eventOf = (row: OutboxRow): DeliveredEvent => ({ id: row.id, workspaceId: row.workspace_id, topic: row.topic, payload: parseJsonObject(row.payload), attempts: row.attempts });

  /** Runs a row's listeners in order; a throw stops the row there and is returned. */
  async function deliver(row: OutboxRow, handlers: readonly Listener[]): Promise<{ readonly error: unknown } | null> {
    const event = eventOf(row);
    try {
      for (const handler of handlers) await handler(event);
      return null;
    } catch (error) {
      return { error };
    }
  }

  /**
   * A batch listener's events together; when that fails, each on its own, so that one event
   * the listener cannot take does not hold back the others, batch after batch.
   */
  async function deliverBatch(listener: BatchListener, rows: readonly OutboxRow[]): Promise<{ done: OutboxRow[]; failed: { row: OutboxRow; error: unknown }[] }> {
    try {
      await listener.batch(rows.map(eventOf));
      return { done: [...rows], failed: [] };
    } catch (error) {
      if (rows.length === 1) return { done: [], failed: [{ row: rows[0]!, error }] };
      const outcome: { done: OutboxRow[]; failed: { row: OutboxRow; error: unknown }[] } = { done: [], failed: [] };
      for (const row of rows) {
        const single = await deliverBatch(listener, [row]);
        outcome.done.push(...single.done);
        outcome.failed.push(...single.failed);
      }
      return outcome;
    }
  }

  /**
   * Records a delivered batch in one transaction, without waiting for the disk. A crash or
   * power cut before it is on disk redelivers the batch when the lease runs out: at least
   * once, as listeners expect (what a listener did, such as a reply marked sent, it committed
   * durably itself).
   */
  async function record(done: readonly OutboxRow[], failed: readonly { row: OutboxRow; error: unknown }[]): Promise<void> {
    const now = deps.clock.now();
    await transactionWithoutFsync(deps.db, deps.engine, async (tx) => {
      for (const [workspaceId, ids] of idsByWorkspace(done)) {
        await tx
          .updateTable('outbox')
          .set((eb) => ({ processed_at: now, attempts: eb('attempts', '+', 1), last_error: null }))
          .where('workspace_id', '=', workspaceId)
          .where('id', 'in', ids)
          .execute();
      }
      for (const { row, error } of failed) {
        const attempts = row.attempts + 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
        await tx
          .updateTable('outbox')
          .set({ attempts, available_at: now + backoff, last_error: String(error).slice(0, 500) })
          .where('workspace_id', '=', row.workspace_id)
          .where('id', '=', row.id)
          .execute();
      }
    });
  }

  /**
   * The lane an event waits in: the events of one moment (two replies to one customer) go out
   * in order, everything else side by side. A batch listener's events are one delivery.
   */
  function laneOf(row: OutboxRow): string {
    const momentId = parseJsonObject(row.payload).momentId;
    return `${row.workspace_id}\n${row.topic}\n${typeof momentId === 'string' ? momentId : row.id}`;
  }

  /** Starts delivering claimed rows, each in its lane; each delivery records its own outcome. */
  function dispatch(rows: readonly OutboxRow[]): void {
    const lease = holdLease(rows);
    const units = new Map<string, { rows: OutboxRow[]; listener: readonly Listener[] | BatchListener }>();
    for (const row of rows) {
      const listener = listeners[row.topic] ?? [];
      const key = 'batch' in listener ? `batch\n${row.topic}` : laneOf(row);
      const unit = units.get(key);
      if (unit) unit.rows.push(row);
      else units.set(key, { rows: [row], listener });
    }
    for (const [key, unit] of units) {
      const run = async () => {
        const { done, failed } = 'batch' in unit.listener ? await deliverBatch(unit.listener, unit.rows) : await deliverEach(unit.rows, unit.listener);
        await lease.settled(unit.rows);
        for (const { row, error } of failed) deps.log.warn({ err: error, topic: row.topic, eventId: row.id, attempts: row.attempts + 1 }, 'listener failed; will retry');
        await record(done, failed);
      };
      const delivery = (lanes.get(key) ?? Promise.resolve())
        .then(run)
        // Unrecorded, the events come back when their lease runs out: at least once, as promised.
        .catch((error: unknown) => deps.log.error({ err: error }, 'could not record outbox deliveries'));
      lanes.set(key, delivery);
      rowsInFlight += unit.rows.length;
      inFlight.add(delivery);
      void delivery.finally(() => {
        inFlight.delete(delivery);
        rowsInFlight -= unit.rows.length;
        if (lanes.get(key) === delivery) lanes.delete(key);
      });
    }
  }

  /** A lane's rows in order, each to its topic's listeners. */
  async function deliverEach(rows: readonly OutboxRow[], handlers: readonly Listener[]): Promise<{ done: OutboxRow[]; failed: { row: OutboxRow; error: unknown }[] }> {
    const done: OutboxRow[] = [];
    const failed: { row: OutboxRow; error: unknown }[] = [];
    for (const row of rows) {
      const failure = await deliver(row, handlers);
      if (failure === null) done.push(row);
      else failed.push({ row, error: failure.error });
    }
    return { done, failed };
  }

  /** Claims what is due, up to what may be in flight, and sets it going; returns how many events it claimed. */
  async function pump(): Promise<number> {
    let claimed = 0;
    for (;;) {
      const room = Math.min(BATCH, MAX_IN_FLIGHT - rowsInFlight);
      if (room <= 0) return claimed;
      const rows = await claim(room);
      if (rows.length === 0) return claimed;
      // An event can be visible before its transaction is on disk (wal-sync.ts): nothing leaves
      // the process for an event a power cut could still take back.
      await whenDurable(deps.db);
      dispatch(rows);
      claimed += rows.length;
      if (rows.length < room) return claimed;
    }
  }

  /** Delivers everything due, waiting for every delivery to end. */
  async function drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      handled += await pump();
      if (inFlight.size === 0) return handled;
      await Promise.allSettled([...inFlight]);
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
        // Sets deliveries going without waiting for them: a provider taking 20 s to answer
        // delays nothing due after it on another lane.
        await pump();
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
      await Promise.allSettled([...inFlight]);
    },
  };
}
