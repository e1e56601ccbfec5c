import type { Tx } from '../../platform/db/database.ts';
import { parseJsonObject } from '../../platform/json.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import { applyTouchpoint, LAST_SEEN_STEP_MS, refreshStage, stateFromRow } from './profile-state.ts';
import { saveProfile } from './save-profile.ts';
import type { Touchpoint, TouchpointType } from './touchpoint.ts';

const IDENTIFYING = ['user_id', 'email', 'phone', 'external_id'];

/**
 * Recomputes a root profile's traits, counts and stage from its own events, which are the
 * source of truth. Unmerge uses it: after events move back, each side is rebuilt from what
 * it actually did rather than from a snapshot that later touchpoints would have made stale.
 */
export async function rebuildProfile(tx: Tx, workspaceId: string, customerId: string, settings: WorkspaceSettings, now: number): Promise<void> {
  const row = await tx.selectFrom('customer').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', customerId).executeTakeFirstOrThrow();
  const state = stateFromRow(row);
  Object.assign(state, { traits: {}, orderCount: 0, revenue: 0, identified: false, advocate: false, firstSeen: Number.MAX_SAFE_INTEGER, lastSeen: -LAST_SEEN_STEP_MS });
  const identifying = await tx
    .selectFrom('identity')
    .select('kind')
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .where('kind', 'in', IDENTIFYING)
    .limit(1)
    .execute();
  const events = await tx
    .selectFrom('event')
    .select(['type', 'name', 'properties', 'context', 'timestamp', 'received_at', 'message_id', 'channel'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .orderBy('timestamp')
    .orderBy('id')
    .execute();
  for (const e of events) {
    const context = parseJsonObject(e.context);
    const properties = parseJsonObject(e.properties);
    const contextTraits = parseJsonObject(JSON.stringify(context.traits ?? {}));
    const tp: Touchpoint = {
      messageId: e.message_id,
      type: e.type as TouchpointType,
      name: e.name,
      channel: e.channel,
      userId: null,
      anonymousId: null,
      previousId: null,
      traits: e.type === 'identify' ? { ...contextTraits, ...properties } : contextTraits,
      properties,
      context,
      timestamp: e.timestamp,
      receivedAt: e.received_at,
    };
    applyTouchpoint(state, tp, false, settings.lifecycle);
  }
  // Events come oldest first: the last one is when the person was last seen.
  const latest = events.at(-1);
  if (latest) state.lastSeen = latest.timestamp;
  else {
    state.firstSeen = row.first_seen;
    state.lastSeen = row.last_seen;
  }
  state.identified = state.identified || identifying.length > 0;
  state.updatedAt = now;
  refreshStage(state, settings.lifecycle, now);
  await saveProfile(tx, workspaceId, state);
}
