import type { Db } from '../../platform/db/database.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { decodeCursor, encodeCursor, rootOf } from './profiles.queries.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export type TimelineItem = {
  readonly id: string;
  readonly type: string;
  readonly name: string | null;
  readonly channel: string;
  readonly timestamp: string;
  readonly receivedAt: string;
  readonly messageId: string;
  readonly profileId: string;
  readonly userId: string | null;
  readonly anonymousId: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly context: Readonly<Record<string, unknown>>;
};

/** One customer's touchpoints, newest first, cursor-paged, optionally one channel/type/name. */
export async function getTimeline(
  db: Db,
  workspaceId: string,
  customerId: string,
  options: { readonly limit: number; readonly cursor?: string; readonly channel?: string; readonly type?: string; readonly name?: string },
): Promise<{ readonly data: readonly TimelineItem[]; readonly nextCursor: string | null }> {
  const root = await rootOf(db, workspaceId, customerId);
  const after = decodeCursor(options.cursor, ['number', 'string']);
  let query = db
    .selectFrom('event')
    .select(['id', 'type', 'name', 'channel', 'timestamp', 'received_at', 'message_id', 'profile_id', 'user_id', 'anonymous_id', 'properties', 'context'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', root.id);
  if (options.channel) query = query.where('channel', '=', options.channel);
  if (options.type) query = query.where('type', '=', options.type);
  if (options.name) query = query.where('name', '=', options.name);
  if (after) {
    const [ts, id] = after as [number, string];
    query = query.where((eb) => eb.or([eb('timestamp', '<', ts), eb.and([eb('timestamp', '=', ts), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    data: page.map((e) => ({
      id: e.id,
      type: e.type,
      name: e.name,
      channel: e.channel,
      timestamp: iso(e.timestamp),
      receivedAt: iso(e.received_at),
      messageId: e.message_id,
      profileId: e.profile_id,
      userId: e.user_id,
      anonymousId: e.anonymous_id,
      properties: parseJsonObject(e.properties),
      context: parseJsonObject(e.context),
    })),
    nextCursor: rows.length > options.limit && last ? encodeCursor([last.timestamp, last.id]) : null,
  };
}
