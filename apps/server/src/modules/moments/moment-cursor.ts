import { AppError } from '../../platform/errors.ts';
import type { MomentRow } from './moment-view.ts';
import { isCursorId } from '../profiles/index.ts';

export const MOMENT_SORTS = ['recent', 'oldest', 'created', 'sla', 'priority'] as const;
export type MomentSort = (typeof MOMENT_SORTS)[number];

/** Most pressing first; anything else (there should be nothing else) after low. */
export const PRIORITY_ORDER = ['urgent', 'high', 'normal', 'low'] as const;

export function priorityRank(priority: string): number {
  const rank = (PRIORITY_ORDER as readonly string[]).indexOf(priority);
  return rank === -1 ? PRIORITY_ORDER.length : rank;
}

/**
 * Where a page ended, as the values of its sort key on the last moment of the page:
 * recent/oldest [last_message_at, id]; created [created_at, id]; sla [sla_due_at | null, id];
 * priority [rank, last_message_at, id].
 */
export type CursorKey =
  | { readonly sort: 'recent' | 'oldest' | 'created'; readonly at: number; readonly id: string }
  | { readonly sort: 'sla'; readonly at: number | null; readonly id: string }
  | { readonly sort: 'priority'; readonly rank: number; readonly at: number; readonly id: string };

/** The cursor of the page that follows `row`: base64url JSON of the sort and its key. */
export function encodeMomentCursor(sort: MomentSort, row: MomentRow): string {
  const key =
    sort === 'created'
      ? [row.created_at, row.id]
      : sort === 'sla'
        ? [row.sla_due_at, row.id]
        : sort === 'priority'
          ? [priorityRank(row.priority), row.last_message_at, row.id]
          : [row.last_message_at, row.id];
  return Buffer.from(JSON.stringify({ sort, key })).toString('base64url');
}

/**
 * Reads a cursor this API gave out for the same sort. Anything else (damaged, hand-made, from
 * another order) is refused rather than guessed at: a wrong key would skip or repeat moments.
 */
export function decodeMomentCursor(sort: MomentSort, cursor: string): CursorKey {
  const refuse = (why: string) => new AppError('invalid_field', `cursor ${why}`, 'cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not one this API gave out');
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { key?: unknown }).key)) throw refuse('is not one this API gave out');
  const { sort: from, key } = parsed as { sort?: unknown; key: unknown[] };
  if (from !== sort) throw refuse(`belongs to sort=${String(from)}, not sort=${sort}`);
  const time = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
  if (sort === 'priority') {
    const [rank, at, last] = key;
    if (key.length === 3 && time(rank) && rank >= 0 && rank <= PRIORITY_ORDER.length && time(at) && isCursorId(last)) return { sort, rank, at, id: last };
  } else if (sort === 'sla') {
    const [at, last] = key;
    if (key.length === 2 && (at === null || time(at)) && isCursorId(last)) return { sort, at, id: last };
  } else {
    const [at, last] = key;
    if (key.length === 2 && time(at) && isCursorId(last)) return { sort, at, id: last };
  }
  throw refuse('is not one this API gave out');
}
