import type { Deps } from '../../platform/deps.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { PeriodicJob } from '../../worker/outbox-worker.ts';
import type { ChannelScope } from './channel-scope.ts';

/** As long as Meta retries a delivery that failed: a week. */
export const UNSENT_AHEAD_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Notes an unsend whose message is not stored: a delivery that failed while its unsend went
 * through comes again later, and must then not be stored (Meta's terms: delete what the
 * customer took back). Runs in the moment write that found no message, so a message stored
 * at the same time is either found by the unsend or finds this note.
 */
export async function holdUnsend(tx: Tx, workspaceId: string, on: ChannelScope, externalId: string, now: number): Promise<void> {
  await tx
    .insertInto('unsent_ahead')
    .values({ workspace_id: workspaceId, channel_id: on.channelId ?? '', external_id: externalId, created_at: now })
    .onConflict((oc) => oc.columns(['workspace_id', 'channel_id', 'external_id']).doNothing())
    .execute();
}

/** Whether the customer unsent this message before it came. */
export async function unsentAhead(tx: Tx, workspaceId: string, on: ChannelScope, externalId: string): Promise<boolean> {
  const row = await tx.selectFrom('unsent_ahead').select('created_at').where('workspace_id', '=', workspaceId).where('channel_id', '=', on.channelId ?? '').where('external_id', '=', externalId).executeTakeFirst();
  return row !== undefined;
}

/** Forgets unsends older than the retention: their messages will not come any more. */
export const pruneUnsentAheadJob = (deps: Pick<Deps, 'db' | 'clock'>): PeriodicJob => ({
  name: 'unsent-ahead-prune',
  everyMs: 3_600_000,
  run: async () => void (await deps.db.deleteFrom('unsent_ahead').where('created_at', '<', deps.clock.now() - UNSENT_AHEAD_RETENTION_MS).execute()),
});
