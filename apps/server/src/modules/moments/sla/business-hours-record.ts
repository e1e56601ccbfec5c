import type { Selectable } from 'kysely';
import type { BusinessHoursTable } from '../../../platform/db/tables.ts';
import type { BusinessHours } from './business-time.ts';

/** Business hours as stored: a named calendar that policies refer to. */
export type BusinessHoursRecord = BusinessHours & { readonly id: string; readonly name: string; readonly createdAt: number };

/** Rows were validated on write; a damaged JSON value reads as empty rather than failing a page. */
export function hoursFromRow(row: Selectable<BusinessHoursTable>): BusinessHoursRecord {
  return { id: row.id, name: row.name, timeZone: row.time_zone, weekly: parseJson(row.weekly, {}), holidays: parseJson(row.holidays, []), createdAt: row.created_at };
}

function parseJson<T extends object>(text: string, fallback: T): T {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && Array.isArray(value) === Array.isArray(fallback) ? (value as T) : fallback;
  } catch {
    return fallback;
  }
}
