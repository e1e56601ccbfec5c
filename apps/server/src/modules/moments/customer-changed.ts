import type { Db } from '../../platform/db/database.ts';
import type { Deps } from '../../platform/deps.ts';
import { chunks } from '../../platform/chunks.ts';
import type { BatchListener } from '../../worker/outbox-worker.ts';
import { PROFILE_EVENTS } from '../profiles/index.ts';
import { ACTIVE_STATUSES } from './agent-load.ts';
import { audienceOf } from './ownership.ts';
import type { StreamHub } from './stream-hub.ts';

/**
 * Tells the agents working a customer's active moments that the customer changed (merged, split,
 * a new email or name, a new stage), so the inbox row, the header and the card beside the
 * conversation show them as they are now: a "Website visitor" who leaves their email becomes
 * that person, with their orders. `customerIds` may name any profile of a merge group: every
 * active moment of the group hears of it, under the customer id the moment carries.
 * A signal, not an activity: nothing is stored, and an agent who was away reads the customer anew.
 */
async function signalCustomerChanged(db: Db, stream: Pick<StreamHub, 'signal'>, workspaceId: string, customerIds: readonly string[]): Promise<void> {
  for (const ids of chunks([...new Set(customerIds)])) {
    const roots = db.selectFrom('customer').select('root_id').where('workspace_id', '=', workspaceId).where('id', 'in', ids);
    const group = db.selectFrom('customer').select('id').where('workspace_id', '=', workspaceId).where('root_id', 'in', roots);
    const moments = await db
      .selectFrom('moment')
      .select(['id', 'customer_id', 'owner_id', 'team_id'])
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', 'in', group)
      .where('status', 'in', ACTIVE_STATUSES)
      .execute();
    for (const m of moments) stream.signal(workspaceId, audienceOf(m), { type: 'signal', signal: 'customer', momentId: m.id, customerId: m.customer_id });
  }
}

/**
 * The same, after a write that stands on its own (a tracking call, a customer's message, a
 * visitor's email): best effort, so a failure is logged and never becomes its caller's.
 */
export function announceCustomerChanged(deps: Pick<Deps, 'db' | 'log'>, stream: Pick<StreamHub, 'signal'>, workspaceId: string, customerIds: readonly string[]): Promise<void> {
  return signalCustomerChanged(deps.db, stream, workspaceId, customerIds).catch((error: unknown) => deps.log.warn({ err: error, workspaceId }, 'could not announce a changed customer'));
}

/** Profile events that change how a customer shows beside their conversations. */
export const CUSTOMER_CHANGE_TOPICS = [PROFILE_EVENTS.merged, PROFILE_EVENTS.unmerged, PROFILE_EVENTS.stageChanged] as const;

/**
 * Announces the customers that merges, unmerges and stage changes touched: a claimed batch of
 * them at once, one query per workspace (a lifecycle sweep moves thousands of stages).
 */
export function customerChangeAnnouncer(db: Db, stream: Pick<StreamHub, 'signal'>): BatchListener {
  return {
    batch: async (events) => {
      const byWorkspace = new Map<string, string[]>();
      for (const event of events) {
        const { survivorId, absorbedId, restoredId, customerId } = event.payload;
        const ids = [survivorId, absorbedId, restoredId, customerId].filter((id): id is string => typeof id === 'string');
        byWorkspace.set(event.workspaceId, [...(byWorkspace.get(event.workspaceId) ?? []), ...ids]);
      }
      // A failure throws: the outbox delivers the batch again.
      for (const [workspaceId, ids] of byWorkspace) await signalCustomerChanged(db, stream, workspaceId, ids);
    },
  };
}
