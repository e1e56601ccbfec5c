import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import type { RecordOutcome, Touchpoint } from '../profiles/index.ts';
import type { CommitBatches } from './commit-batches.ts';
import type { SettingsCache } from '../workspaces/index.ts';

type Item = {
  readonly workspaceId: string;
  readonly touchpoints: readonly Touchpoint[];
  readonly resolve: (outcome: RecordOutcome) => void;
  readonly reject: (error: unknown) => void;
};

export type IngestQueue = {
  /** Resolves once the touchpoints are committed (durable), never before. */
  readonly submit: (workspaceId: string, touchpoints: readonly Touchpoint[]) => Promise<RecordOutcome>;
  /** Refuses new work and waits until everything accepted so far is committed. */
  readonly close: () => Promise<void>;
  readonly stats: () => { readonly groups: number; readonly touchpoints: number };
};

/** A group never grows past this many touchpoints, so one transaction stays short. */
const MAX_GROUP = 5_000;

/**
 * Group commit. Requests that arrive while a transaction is in flight wait together and are
 * written in the next single transaction; each caller is answered only after that commit.
 * One fsync then serves many requests, which is where ingest throughput comes from.
 * One queue per process serialises writers; on PostgreSQL a per-workspace advisory lock
 * serialises processes too, because identity resolution reads, decides, then writes.
 * Where the commit runs is `commitBatches`' business (in the server: a thread of its own).
 * `prepare` readies each touchpoint for it as its request arrives (the commit thread's form,
 * see forCommitThread): done while the previous group commits instead of between two groups,
 * when the database waits for it (batch ingest: +12 % events/s).
 */
export function createIngestQueue(deps: Pick<Deps, 'log'>, settings: SettingsCache, commitBatches: CommitBatches, prepare?: (touchpoint: Touchpoint) => Touchpoint): IngestQueue {
  const pending: Item[] = [];
  let flushing: Promise<void> | null = null;
  let closed = false;
  let groups = 0;
  let count = 0;

  async function commit(items: readonly Item[]): Promise<RecordOutcome[]> {
    const byWorkspace = new Map<string, Item[]>();
    for (const item of items) {
      const list = byWorkspace.get(item.workspaceId) ?? [];
      list.push(item);
      byWorkspace.set(item.workspaceId, list);
    }
    const groups = [...byWorkspace.entries()];
    const batches = await Promise.all(
      groups.map(async ([workspaceId, group]) => ({ workspaceId, settings: await settings.get(workspaceId), touchpoints: group.flatMap((item) => item.touchpoints) })),
    );
    const results = await commitBatches(batches);
    // Hand each request its own slice of its workspace's outcome.
    const outcomes = new Map<Item, RecordOutcome>();
    groups.forEach(([, group], g) => {
      let offset = 0;
      for (const item of group) {
        const ids = results[g].customerIds.slice(offset, offset + item.touchpoints.length);
        offset += item.touchpoints.length;
        const stored = ids.filter((id) => id !== null).length;
        outcomes.set(item, { ...results[g], customerIds: ids, stored, duplicates: ids.length - stored });
      }
    });
    return items.map((item) => outcomes.get(item) as RecordOutcome);
  }

  /** Takes the next group off the queue, up to MAX_GROUP touchpoints. */
  function takeGroup(): Item[] {
    const items: Item[] = [];
    let size = 0;
    while (pending.length > 0 && (items.length === 0 || size + pending[0].touchpoints.length <= MAX_GROUP)) {
      const next = pending.shift() as Item;
      size += next.touchpoints.length;
      items.push(next);
    }
    return items;
  }

  type Attempt = { readonly ok: RecordOutcome[] } | { readonly error: unknown };
  const attempt = (items: readonly Item[]): Promise<Attempt> => commit(items).then((ok) => ({ ok }), (error: unknown) => ({ error }));

  /** One bad request must not fail its neighbours: retry each on its own. */
  async function retryOneByOne(items: readonly Item[], error: unknown): Promise<void> {
    if (items.length === 1) return items[0].reject(error);
    deps.log.warn({ err: error, items: items.length }, 'group commit failed; retrying requests one by one');
    for (const item of items) {
      const single = await attempt([item]);
      if ('ok' in single) item.resolve(single.ok[0]);
      else item.reject(single.error);
    }
  }

  async function flush(): Promise<void> {
    let group = takeGroup();
    if (group.length === 0) return;
    let running = attempt(group);
    while (group.length > 0) {
      const result = await running;
      if ('error' in result) {
        await retryOneByOne(group, result.error);
        group = takeGroup();
        if (group.length > 0) running = attempt(group);
        continue;
      }
      // Hand the next group to the database before answering this one, so the commit runs
      // while this thread writes the responses.
      const next = takeGroup();
      if (next.length > 0) running = attempt(next);
      groups += 1;
      count += group.reduce((n, item) => n + item.touchpoints.length, 0);
      group.forEach((item, i) => item.resolve(result.ok[i]));
      group = next;
    }
  }

  function schedule(): void {
    if (flushing) return;
    // setImmediate lets every request already parsed in this turn of the loop join the group.
    flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(flush)
      .finally(() => {
        flushing = null;
        if (pending.length > 0) schedule();
      });
  }

  return {
    submit(workspaceId, touchpoints) {
      if (closed) return Promise.reject(new AppError('shutting_down', 'the server is shutting down; retry shortly'));
      return new Promise<RecordOutcome>((resolve, reject) => {
        pending.push({ workspaceId, touchpoints: prepare ? touchpoints.map(prepare) : touchpoints, resolve, reject });
        schedule();
      });
    },
    async close() {
      closed = true;
      while (flushing || pending.length > 0) {
        if (!flushing) schedule();
        await flushing;
      }
    },
    stats: () => ({ groups, touchpoints: count }),
  };
}
