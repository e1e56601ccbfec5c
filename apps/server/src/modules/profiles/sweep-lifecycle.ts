import type { Deps } from '../../platform/deps.ts';
import type { Listener } from '../../worker/outbox-worker.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { chunks } from '../../platform/chunks.ts';
import { recordStageChanges, type StageChange } from './record-stage-changes.ts';
import type { LifecycleRules, SettingsCache, WorkspaceSettings } from '../workspaces/index.ts';
import { recountProfiles } from './recount-profiles.ts';
import { computeStage, stageReason } from './lifecycle.ts';

const DAY_MS = 86_400_000;

/** What the last sweep of each workspace saw: when it ran, and the thresholds it applied. */
export type LifecycleSweepMemory = Map<string, { readonly at: number; readonly atRiskAfterDays: number; readonly churnedAfterDays: number }>;

/**
 * Time alone moves customers to at risk and churned: nothing happens to trigger it. This job
 * stores their new stage (reads compute it fresh anyway; the stored value serves filters and
 * insights). Given the memory of its last run, it reads only the buyers whose silence crossed
 * a threshold since then: two short ranges of last_seen. Without one (the first run of a
 * process), or when the thresholds or the clock moved otherwise, it reads every buyer silent
 * past the at-risk threshold: in a mature store most of them (see silentBuyers).
 */
export async function sweepLifecycle(deps: Deps, settings: SettingsCache, memory: LifecycleSweepMemory = new Map()): Promise<number> {
  const now = deps.clock.now();
  const workspaces = await deps.db.selectFrom('workspace').select('id').execute();
  let changed = 0;
  for (const { id: workspaceId } of workspaces) {
    const rules = (await settings.get(workspaceId)).lifecycle;
    const last = memory.get(workspaceId);
    const sinceLast = last !== undefined && last.at <= now && last.atRiskAfterDays === rules.atRiskAfterDays && last.churnedAfterDays === rules.churnedAfterDays ? last.at : null;
    for await (const page of silentBuyers(deps, workspaceId, rules, now, sinceLast)) changed += await storeStages(deps, workspaceId, rules, now, page);
    memory.set(workspaceId, { at: now, atRiskAfterDays: rules.atRiskAfterDays, churnedAfterDays: rules.churnedAfterDays });
  }
  return changed;
}

/**
 * Stores every buyer's stage of a workspace anew, after its lifecycle rules changed: a new
 * repeat or at-risk threshold moves customers either way, even those who are not silent, which
 * the sweep never reads, and the `?stage=` filter reads the stored stage. Pages on the read
 * connections, a few moves a transaction: the server is never held.
 */
export async function reconcileStages(deps: Deps, workspaceId: string, rules: LifecycleRules): Promise<number> {
  const now = deps.clock.now();
  let changed = 0;
  for await (const page of pagesById(buyers(deps, workspaceId))) changed += await storeStages(deps, workspaceId, rules, now, page);
  return changed;
}

/**
 * The listener of workspace.lifecycle_changed: profiles holding events the rules now read
 * otherwise are counted again (recount-profiles.ts), then every buyer's stage is stored anew.
 * The settings are read from the database: the settings cache of this process may hold the
 * old ones for a few seconds.
 */
export function stageReconciler(deps: Deps, settingsOf: (workspaceId: string) => Promise<WorkspaceSettings>): Listener {
  return async (event) => {
    const settings = await settingsOf(event.workspaceId);
    const recount = Array.isArray(event.payload.recount) ? event.payload.recount.filter((name): name is string => typeof name === 'string') : [];
    await recountProfiles(deps, event.workspaceId, recount, settings);
    await reconcileStages(deps, event.workspaceId, settings.lifecycle);
  };
}

/** Stores the stage each buyer of a page has now where it differs; returns how many moved. */
async function storeStages(deps: Deps, workspaceId: string, rules: LifecycleRules, now: number, page: readonly Buyer[]): Promise<number> {
  const moves: StageChange[] = [];
  for (const row of page) {
    const inputs = { identified: row.identified === 1, orderCount: row.order_count, advocate: row.advocate === 1, lastSeen: row.last_seen, override: null };
    const stage = computeStage(inputs, rules, now);
    if (stage !== row.stage) moves.push({ customerId: row.id, from: row.stage, to: stage, reason: stageReason(stage, inputs, rules, now) });
  }
  // A few moves a transaction: one sync for many, and never a long hold of the write lock.
  let changed = 0;
  for (const part of chunks(moves, MOVES_PER_TRANSACTION)) changed += await storeMoves(deps, workspaceId, part);
  return changed;
}

/** Buyers read per query by a first sweep. */
const SWEEP_PAGE = 1_000;
/** Stage changes stored per transaction. */
const MOVES_PER_TRANSACTION = 100;

/** Stores the moves that still hold (ingest may have moved a customer since it was read); returns how many. */
async function storeMoves(deps: Deps, workspaceId: string, moves: readonly StageChange[]): Promise<number> {
  return deps.db.transaction().execute(async (tx) => {
    // Every writer of a workspace's profiles holds its lock (ingest trusts its cache under it).
    await lockWorkspace(tx, deps.engine, workspaceId);
    const held: StageChange[] = [];
    for (const move of moves) {
      const updated = await tx.updateTable('customer').set({ stage: move.to }).where('workspace_id', '=', workspaceId).where('id', '=', move.customerId).where('stage', '=', move.from).executeTakeFirst();
      if (updated.numUpdatedRows > 0n) held.push(move);
    }
    await recordStageChanges(tx, deps, workspaceId, held);
    return held.length;
  });
}

type Buyer = { readonly id: string; readonly stage: string; readonly identified: number; readonly order_count: number; readonly advocate: number; readonly last_seen: number };

/**
 * The workspace's buyers whose silence may have moved their stage, a page at a time, through
 * the read connections (read threads on SQLite). After a sweep: those who crossed a threshold
 * since, two short ranges of the recency index, in one query. Without one: every buyer silent
 * past the at-risk threshold, in pages by id. Read in one query, 200,000 of them held the event
 * loop 325–435 ms on SQLite, and as one reply from a read thread still 300 ms (turning its rows
 * into objects). By id, not by recency: customers share a last_seen by the thousand (an import),
 * and a page by (last_seen, id) sorted every such tie anew (12.8 s for 200,000 with one last_seen).
 */
async function* silentBuyers(deps: Deps, workspaceId: string, rules: LifecycleRules, now: number, sinceLast: number | null): AsyncGenerator<readonly Buyer[]> {
  // Silent longer than `days` at `at`: last_seen before at − days (computeStage's rule).
  const silentBefore = (at: number, days: number) => at - days * DAY_MS;
  const unchurned = buyers(deps, workspaceId).where('stage', '!=', 'churned');
  if (sinceLast !== null) {
    yield await unchurned
      .where((eb) => eb.or([rules.atRiskAfterDays, rules.churnedAfterDays].map((days) => eb.and([eb('last_seen', '>=', silentBefore(sinceLast, days)), eb('last_seen', '<', silentBefore(now, days))]))))
      .execute();
    return;
  }
  yield* pagesById(unchurned.where('last_seen', '<', silentBefore(now, rules.atRiskAfterDays)));
}

/** The workspace's buyers whose stage the rules decide (no stage set by hand), on the read connections. */
function buyers(deps: Deps, workspaceId: string) {
  return deps.reads
    .selectFrom('customer')
    .select(['id', 'stage', 'identified', 'order_count', 'advocate', 'last_seen'])
    .where('workspace_id', '=', workspaceId)
    .where('merged_into', 'is', null)
    .where('stage_override', 'is', null)
    .where('order_count', '>', 0);
}

/** A query's rows a page at a time, by id. */
async function* pagesById(query: ReturnType<typeof buyers>): AsyncGenerator<readonly Buyer[]> {
  // Every id is after '': the first page has the plan of the others (the primary key from an id).
  for (let after = ''; ; ) {
    const page = await query.where('id', '>', after).orderBy('id').limit(SWEEP_PAGE).execute();
    yield page;
    if (page.length < SWEEP_PAGE) return;
    after = page[page.length - 1]!.id;
  }
}
