import type { InfiniteData } from '@tanstack/react-query';
import type { Moment, Page } from '../../api/types.ts';
import type { InboxSort } from './inbox-filters.ts';

export type MomentPages = InfiniteData<Page<Moment>, string | null>;

const PRIORITY_RANK: Readonly<Record<string, number>> = { urgent: 0, high: 1, normal: 2, low: 3 };
const time = (iso: string | null) => (iso === null ? Number.POSITIVE_INFINITY : Date.parse(iso));
const byId = (a: Moment, b: Moment) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The API's order for each sort (README: sort=recent|oldest|created|sla|priority), ties by id. */
export function compareMoments(sort: InboxSort): (a: Moment, b: Moment) => number {
  switch (sort) {
    case 'recent':
      return (a, b) => time(b.lastMessageAt) - time(a.lastMessageAt) || byId(b, a);
    case 'oldest':
      return (a, b) => time(a.lastMessageAt) - time(b.lastMessageAt) || byId(a, b);
    case 'created':
      return (a, b) => time(b.createdAt) - time(a.createdAt) || byId(b, a);
    case 'sla':
      return (a, b) => {
        const da = time(a.sla.dueAt);
        const db = time(b.sla.dueAt);
        return da === db ? byId(a, b) : da - db;
      };
    case 'priority':
      return (a, b) => (PRIORITY_RANK[a.priority] ?? 4) - (PRIORITY_RANK[b.priority] ?? 4) || time(b.lastMessageAt) - time(a.lastMessageAt) || byId(b, a);
  }
}

/**
 * A list's pages after a live change to one moment: updated in place and moved to where its
 * sort puts it, dropped when it no longer matches, or added when it newly does — but only
 * within what is loaded (past the last loaded row, the next page brings it). Returns the same
 * object when nothing changes, so React Query skips the re-render.
 */
export function placeMoment(data: MomentPages, moment: Moment, verdict: 'yes' | 'no' | 'maybe', sort: InboxSort): MomentPages {
  const rows = data.pages.flatMap((p) => p.data);
  const at = rows.findIndex((m) => m.id === moment.id);
  if (verdict === 'no' || (verdict === 'maybe' && at === -1)) return at === -1 ? data : withRows(data, rows.filter((m) => m.id !== moment.id));
  const others = at === -1 ? rows : rows.filter((m) => m.id !== moment.id);
  const compare = compareMoments(sort);
  let position = others.findIndex((m) => compare(moment, m) < 0);
  if (position === -1) {
    const more = data.pages.at(-1)?.nextCursor != null;
    if (more) return at === -1 ? data : withRows(data, others);
    position = others.length;
  }
  return withRows(data, [...others.slice(0, position), moment, ...others.slice(position)]);
}

/** Re-cuts the rows into pages of the same sizes (the last takes the rest); cursors stay as the server gave them. */
function withRows(data: MomentPages, rows: readonly Moment[]): MomentPages {
  let offset = 0;
  const pages = data.pages.map((page, i) => {
    const size = i === data.pages.length - 1 ? rows.length - offset : Math.min(page.data.length, rows.length - offset);
    const slice = rows.slice(offset, offset + Math.max(0, size));
    offset += slice.length;
    return { ...page, data: slice };
  });
  return { ...data, pages };
}
