import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/keys.ts';
import type { Moment } from '../api/types.ts';
import { momentMatches, type InboxSort, type Viewer } from '../screens/inbox/inbox-filters.ts';
import { placeMoment, type MomentPages } from '../screens/inbox/place-moment.ts';

/**
 * A moment as it now is, into its own entry and every cached list (joining, moving or leaving
 * each). Used for stream activities and for the answers of the app's own actions, which then
 * show at once instead of after the stream echoes them.
 */
export function applyMoment(client: QueryClient, moment: Moment, viewer: Viewer, options: { readonly onlyIfCached: boolean }): void {
  client.setQueryData<Moment>(keys.moments.detail(moment.id), (old) => (old || !options.onlyIfCached ? newer(old, moment) : old));
  for (const [key, data] of client.getQueriesData<MomentPages>({ queryKey: keys.moments.lists })) {
    if (!data) continue;
    const params = (key[2] ?? {}) as Readonly<Record<string, string>>;
    const next = placeMoment(data, moment, momentMatches(moment, params, viewer), (params.sort ?? 'recent') as InboxSort);
    if (next !== data) client.setQueryData(key, next);
  }
}

/** An action's answer and the stream's echo of it can arrive in either order: keep the later state. */
const newer = (old: Moment | undefined, next: Moment) => (old && Date.parse(old.updatedAt) > Date.parse(next.updatedAt) ? old : next);
