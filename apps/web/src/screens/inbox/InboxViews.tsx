import { Badge, Tabs } from '@mantine/core';
import { useMomentCounts } from '../../api/moments.ts';
import type { MomentCounts } from '../../api/types.ts';
import { viewsFor, type InboxFilters, type InboxView, type Viewer } from './inbox-filters.ts';

const LABEL: Readonly<Record<InboxView, string>> = { mine: 'Mine', handoffs: 'Hand-offs', teams: 'My teams', waiting: 'Waiting', all: 'All' };
const COUNT: Readonly<Record<InboxView, keyof MomentCounts>> = { mine: 'mine', handoffs: 'handoffs', teams: 'myTeams', waiting: 'waiting', all: 'all' };
/** Views whose count asks for attention: something waits on the viewer or their team. */
const NEEDS_YOU: ReadonlySet<InboxView> = new Set(['handoffs', 'waiting']);

/** The hand-offs tab shows while one waits for the viewer (or they are on it): four tabs fit the list's width, five barely. */
export function shownViews(views: readonly InboxView[], current: InboxView, counts: MomentCounts | undefined): InboxView[] {
  return views.filter((view) => view !== 'handoffs' || view === current || (counts?.handoffs ?? 0) > 0);
}

/** The view tabs with their counts (active moments: open, pending, snoozed). */
export function InboxViews({ filters, viewer, onChange }: { readonly filters: InboxFilters; readonly viewer: Viewer; readonly onChange: (next: InboxFilters) => void }) {
  const counts = useMomentCounts().data;
  return (
    // Tabs a little narrower than Mantine's: all four, with their counts, fit the list's width on one line.
    <Tabs value={filters.view} onChange={(value) => value && onChange({ ...filters, view: value as InboxView, team: undefined })} px="xs" pt="xs" styles={{ tab: { paddingInline: 10 } }}>
      <Tabs.List aria-label="Inbox views">
        {shownViews(viewsFor(viewer), filters.view, counts).map((view) => {
          const count = counts?.[COUNT[view]];
          return (
            <Tabs.Tab
              key={view}
              value={view}
              rightSection={
                count === undefined ? null : (
                  <Badge size="sm" variant={filters.view === view ? 'filled' : 'light'} color={NEEDS_YOU.has(view) && count > 0 ? 'orange' : 'blue'}>
                    {count.toLocaleString()}
                  </Badge>
                )
              }
            >
              {LABEL[view]}
            </Tabs.Tab>
          );
        })}
      </Tabs.List>
    </Tabs>
  );
}
