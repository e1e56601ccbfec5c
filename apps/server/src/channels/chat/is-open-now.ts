import { businessMsBetween, type BusinessHours } from '../../modules/moments/sla/index.ts';
import type { Db } from '../../platform/db/database.ts';
import { parseJsonObject } from '../../platform/json.ts';

/**
 * Whether the chat is inside its business hours at `now` (always, without hours). Unknown
 * hours (deleted since) count as open: better a live chat nobody promised than a closed one.
 */
export async function isOpenNow(db: Db, workspaceId: string, businessHoursId: string | null, now: number): Promise<boolean> {
  if (businessHoursId === null) return true;
  const row = await db.selectFrom('business_hours').select(['time_zone', 'weekly', 'holidays']).where('workspace_id', '=', workspaceId).where('id', '=', businessHoursId).executeTakeFirst();
  if (!row) return true;
  let holidays: unknown = [];
  try {
    holidays = JSON.parse(row.holidays);
  } catch {
    // a damaged list reads as no holidays
  }
  const hours: BusinessHours = { timeZone: row.time_zone, weekly: parseJsonObject(row.weekly) as BusinessHours['weekly'], holidays: Array.isArray(holidays) ? (holidays as string[]) : [] };
  return businessMsBetween(now, now + 60_000, hours) > 0;
}
