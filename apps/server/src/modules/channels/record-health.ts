import type { Db } from '../../platform/db/database.ts';

/**
 * A channel's health, as the API and the settings screen show it:
 * - `unknown`: nothing was sent through it yet;
 * - `ok`: the last delivery attempt succeeded;
 * - `degraded`: the last attempt failed and the reply will be tried again (an outage, a timeout);
 * - `failing`: a delivery gave up (retries exhausted, or a refusal retrying cannot mend).
 */
export type HealthState = 'unknown' | 'ok' | 'degraded' | 'failing';

type Outcome = { readonly state: Extract<HealthState, 'ok'> } | { readonly state: Extract<HealthState, 'degraded' | 'failing'>; readonly error: string };

/** What the last delivery attempt said about a channel's connection, with the provider's reason and when. */
export async function recordHealth(db: Db, workspaceId: string, channelId: string, outcome: Outcome, now: number): Promise<void> {
  await db
    .updateTable('channel')
    .set({ health: outcome.state, health_error: outcome.state === 'ok' ? null : outcome.error.slice(0, 500), health_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', channelId)
    .execute();
}
