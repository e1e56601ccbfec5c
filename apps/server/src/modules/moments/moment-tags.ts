import type { MomentWrite } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';

/**
 * A moment's tags live twice, written together in the moment's transaction: in its `tags`
 * column (a sorted JSON array, read with the moment by every list and view) and as moment_tag
 * rows (the index the tag filter seeks).
 */

/** Tags as stored: trimmed, lower-cased, each once, sorted. */
export function cleanTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
}

/** The `tags` column for a list cleanTags made. */
export const tagsColumn = (tags: readonly string[]): string => JSON.stringify(tags);

/** The tags a moment row carries (a damaged column reads as none). */
export function tagsOf(row: Pick<MomentRow, 'tags'>): string[] {
  try {
    const tags: unknown = JSON.parse(row.tags);
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/** Writes a moment's moment_tag rows for a list cleanTags made; the caller saves the `tags` column with the row. */
export async function storeTags(w: MomentWrite, momentId: string, tags: readonly string[], existing: 'new moment' | 'replace'): Promise<void> {
  if (existing === 'replace') await w.tx.deleteFrom('moment_tag').where('workspace_id', '=', w.workspaceId).where('moment_id', '=', momentId).execute();
  if (tags.length > 0) await w.tx.insertInto('moment_tag').values(tags.map((tag) => ({ workspace_id: w.workspaceId, moment_id: momentId, tag }))).execute();
}
