import type { Db } from '../../platform/db/database.ts';

/**
 * What the last delivery attempt said about a channel's connection: ok after a success,
 * failing (with the provider's reason) after a delivery gave up. Shown on the channel.
 */
export async function recordHealth(db: Db, workspaceId: string, channelId: string, outcome: { readonly ok: true } | { readonly ok: false; readonly error: string }, now: number): Promise<void> {
  await db
    .updateTable('channel')
    .set({ health: outcome.ok ? 'ok' : 'failing', health_error: outcome.ok ? null : outcome.error.slice(0, 500), health_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', channelId)
    .execute();
}
