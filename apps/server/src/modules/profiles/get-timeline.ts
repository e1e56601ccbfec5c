import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { decodeCursor, encodeCursor } from './profiles.queries.ts';
import { containing } from '../../platform/db/like-pattern.ts';
import { pageLimit } from '../../platform/db/page-limit.ts';
import { isoTime } from '../../platform/iso-time.ts';

/** One element of the reply's `data`, as the client parses it. */
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

type TimelineRow = {
  readonly id: string;
  readonly type: string;
  readonly name: string | null;
  readonly channel: string;
  readonly timestamp: number;
  readonly received_at: number;
  readonly message_id: string;
  readonly profile_id: string;
  readonly user_id: string | null;
  readonly anonymous_id: string | null;
  readonly properties: string;
  readonly context: string;
};

/**
 * One customer's touchpoints, newest first, cursor-paged, optionally one channel/type/name:
 * the reply `{ data: TimelineItem[], nextCursor }` as JSON text, ready to send.
 * A page is ~77 KB of stored JSON; parsing it only to serialise it again was most of the
 * request's cost, so the stored properties/context text is spliced in as it is.
 */
export async function getTimeline(
  db: Db,
  workspaceId: string,
  customerId: string,
  options: {
    readonly limit: number;
    readonly cursor?: string;
    /** One channel or several (`chat,whatsapp,messenger`). */
    readonly channel?: string;
    readonly type?: string;
    readonly name?: string;
    /** The department (team key) that handled it, as moments record it in `properties.department`. */
    readonly department?: string;
  },
): Promise<string> {
  const after = decodeCursor(options.cursor, ['number', 'string']);
  // An absorbed profile shows its survivor's timeline: events live under the root, which the
  // page's own query looks up (one statement a page; whether the customer exists is asked
  // only when the page comes back empty).
  const rootOf = db.selectFrom('customer').select('root_id').where('workspace_id', '=', workspaceId).where('id', '=', customerId);
  let query = db
    .selectFrom('event')
    .select(['id', 'type', 'name', 'channel', 'timestamp', 'received_at', 'message_id', 'profile_id', 'user_id', 'anonymous_id', 'properties', 'context'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', rootOf);
  // Channels are stored lower-case (segment-message.ts): `Email` means email.
  if (options.channel) query = query.where('channel', 'in', options.channel.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean));
  // Stored properties are JSON.stringify output (no spaces), so the exact member text is a safe match.
  if (options.department) query = query.where(sql<boolean>`${sql.ref('properties')} like ${containing(JSON.stringify({ department: options.department }).slice(1, -1))} escape '\\'`);
  if (options.type) query = query.where('type', '=', options.type);
  if (options.name) query = query.where('name', '=', options.name);
  if (after) {
    const [ts, id] = after as [number, string];
    // A row value, not `ts < ? or (ts = ? and id < ?)`: both engines then seek the
    // event_timeline index to the cursor instead of walking every newer event.
    query = query.where((eb) => eb(eb.refTuple('timestamp', 'id'), '<', eb.tuple(ts, id)));
  }
  const rows: readonly TimelineRow[] = await query.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(pageLimit(options.limit + 1)).execute();
  if (rows.length === 0 && !(await rootOf.executeTakeFirst())) throw new AppError('customer_not_found', `no customer ${customerId} in this workspace`, 'id');
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > options.limit && last ? encodeCursor([last.timestamp, last.id]) : null;
  return timelineJson(page, nextCursor);
}

const str = (s: string | null) => (s === null ? 'null' : JSON.stringify(s));

/** Stored objects were written with JSON.stringify; anything else (damaged, not an object) reads as {}. */
const object = (text: string) => (text.charCodeAt(0) === 123 && text.charCodeAt(text.length - 1) === 125 ? text : JSON.stringify(parseJsonObject(text)));

/**
 * The page's JSON in one join of its pieces: a template per item made a dozen intermediate
 * strings an item, and the reply around them one more string to flatten before sending.
 */
function timelineJson(rows: readonly TimelineRow[], nextCursor: string | null): string {
  const parts: string[] = ['{"data":['];
  for (const e of rows) {
    if (parts.length > 1) parts.push(',');
    parts.push('{"id":', str(e.id), ',"type":', str(e.type), ',"name":', str(e.name), ',"channel":', str(e.channel));
    parts.push(',"timestamp":"', isoTime(e.timestamp), '","receivedAt":"', isoTime(e.received_at), '"');
    parts.push(',"messageId":', str(e.message_id), ',"profileId":', str(e.profile_id), ',"userId":', str(e.user_id), ',"anonymousId":', str(e.anonymous_id));
    parts.push(',"properties":', object(e.properties), ',"context":', object(e.context), '}');
  }
  parts.push('],"nextCursor":', str(nextCursor), '}');
  return parts.join('');
}
