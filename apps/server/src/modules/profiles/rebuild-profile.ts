import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Tx } from '../../platform/db/database.ts';
import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import { applyTouchpoint, LAST_SEEN_STEP_MS, mergeTraits, refreshStage, stateFromRow } from './profile-state.ts';
import { NO_REVENUE } from './revenue.ts';
import { saveProfile } from './save-profile.ts';
import type { Touchpoint, TouchpointType } from './touchpoint.ts';

const IDENTIFYING = ['user_id', 'email', 'phone', 'external_id'];

/** An event as a rebuild reads it. */
export type StoredEvent = { readonly id: string; readonly profile_id: string; readonly type: string; readonly name: string | null; readonly properties: string; readonly context: string; readonly timestamp: number; readonly received_at: number; readonly message_id: string; readonly channel: string };

/** A profile being rebuilt: its events go in oldest first (by timestamp), then it is saved. */
export type Rebuild = { readonly apply: (event: StoredEvent) => void; readonly save: () => Promise<void> };

/**
 * Recomputes a root profile's traits, counts and stage from its own events, which are the
 * source of truth. Unmerge uses it: after events move back, each side is rebuilt from what
 * it actually did rather than from a snapshot that later touchpoints would have made stale.
 */
export async function rebuildProfile(tx: Tx, workspaceId: string, customerId: string, settings: WorkspaceSettings, now: number): Promise<void> {
  const rebuild = await startRebuild(tx, workspaceId, customerId, settings, now);
  for await (const page of profileEvents(tx, workspaceId, customerId)) for (const event of page) rebuild.apply(event);
  await rebuild.save();
}

/** Starts a rebuild of the profile from nothing; the caller applies its events, oldest first. */
export async function startRebuild(tx: Tx, workspaceId: string, customerId: string, settings: WorkspaceSettings, now: number): Promise<Rebuild> {
  const row = await tx.selectFrom('customer').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', customerId).executeTakeFirstOrThrow();
  const state = stateFromRow(row);
  Object.assign(state, { traits: {}, orderCount: 0, revenue: NO_REVENUE, identified: false, advocate: false, firstSeen: Number.MAX_SAFE_INTEGER, lastSeen: -LAST_SEEN_STEP_MS });
  let latest: StoredEvent | null = null;
  // Traits go by arrival, as live ingest applies them (a back-dated identify sent last still
  // sets its values), and events come by time: each one's traits wait here, by event id
  // (UUIDv7: the order events were stored in), until all are in.
  const traitsByArrival: { readonly id: string; readonly traits: JsonObject }[] = [];
  return {
    apply: (event) => {
      const tp = asTouchpoint(event);
      applyTouchpoint(state, { ...tp, traits: {} }, false, settings);
      if (tp.type !== 'group' && Object.keys(tp.traits).length > 0) traitsByArrival.push({ id: event.id, traits: tp.traits });
      latest = event;
    },
    save: async () => {
      traitsByArrival.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const { traits } of traitsByArrival) state.traits = mergeTraits(state.traits, traits);
      // Events came oldest first: the last one is when the person was last seen.
      if (latest) state.lastSeen = latest.timestamp;
      else {
        state.firstSeen = row.first_seen;
        state.lastSeen = row.last_seen;
      }
      const identifying = await tx.selectFrom('identity').select('kind').where('workspace_id', '=', workspaceId).where('customer_id', '=', customerId).where('kind', 'in', IDENTIFYING).limit(1).execute();
      state.identified = state.identified || identifying.length > 0;
      state.updatedAt = now;
      refreshStage(state, settings.lifecycle, now);
      await saveProfile(tx, workspaceId, state);
    },
  };
}

/** Events read per query when a profile's events are walked. */
const EVENT_PAGE = 250;

/**
 * A profile's events, oldest first, a page at a time (by the event_timeline index), with the
 * event loop running between pages: a profile's events are unbounded, and reading and parsing
 * 10,000 at once held the whole server 274 ms (an unmerge).
 */
export async function* profileEvents(tx: Tx, workspaceId: string, customerId: string): AsyncGenerator<readonly StoredEvent[]> {
  for (let after: StoredEvent | null = null; ; ) {
    const page: StoredEvent[] = await tx
      .selectFrom('event')
      .select(['id', 'profile_id', 'type', 'name', 'properties', 'context', 'timestamp', 'received_at', 'message_id', 'channel'])
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', '=', customerId)
      .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('timestamp', 'id'), '>', eb.tuple(after!.timestamp, after!.id))))
      .orderBy('timestamp')
      .orderBy('id')
      .limit(EVENT_PAGE)
      .execute();
    yield page;
    if (page.length < EVENT_PAGE) return;
    after = page[page.length - 1]!;
    await nextTurn();
  }
}

function asTouchpoint(e: StoredEvent): Touchpoint {
  const context = parseJsonObject(e.context);
  const properties = parseJsonObject(e.properties);
  const contextTraits = parseJsonObject(JSON.stringify(context.traits ?? {}));
  return {
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
}
