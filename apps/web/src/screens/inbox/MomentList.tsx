import { Badge, Box, Button, Center, EmptyState, Group, Loader, Skeleton, Stack, Text } from '@mantine/core';
import { IconFilterOff, IconInbox } from '@tabler/icons-react';
import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { customerLabel, unnamedOn } from '../../api/customer-brief.ts';
import { useCustomerBrief } from '../../api/customers.ts';
import { useNames } from '../../api/directory.ts';
import type { Moment, Page, Presence } from '../../api/types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { channelLabel, duration, PRIORITY_COLOR, shortTime, STATUS_COLOR } from '../../ui/format.ts';
import { activeFilterCount, awaitsViewersAnswer, type InboxFilters, type Viewer } from './inbox-filters.ts';

export const ROW_HEIGHT = 92;
/** Start loading the next page this many rows before the end, so scrolling never waits. */
const PREFETCH_ROWS = 25;

export type MomentListHandle = { readonly scrollToIndex: (index: number) => void };

type Props = {
  readonly ref?: Ref<MomentListHandle>;
  readonly list: UseInfiniteQueryResult<InfiniteData<Page<Moment>, unknown>>;
  readonly rows: readonly Moment[];
  readonly params: Readonly<Record<string, string>> | null;
  readonly filters: InboxFilters;
  readonly viewer: Viewer;
  readonly presence: Presence | null;
  readonly selectedId: string | null;
  readonly onOpen: (id: string, focus?: boolean) => void;
  readonly onMove: (step: 1 | -1) => void;
  readonly onClearFilters: () => void;
};

/**
 * The inbox rows, virtualised: only the rows in view (plus a few) are in the DOM, so ten
 * thousand moments scroll like ten. The list is a listbox: the selected row is the open moment.
 */
export function MomentList({ ref, list, rows, params, filters, viewer, presence, selectedId, onOpen, onMove, onClearFilters }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  useImperativeHandle(ref, () => ({ scrollToIndex: (index) => virtual.scrollToIndex(index, { align: 'auto' }) }), [virtual]);
  const items = virtual.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastShown >= rows.length - PREFETCH_ROWS) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastShown, rows.length]);

  if (params === null) return <NoView filters={filters} viewer={viewer} />;
  if (list.isPending) return <ListSkeleton />;
  if (list.isError && rows.length === 0) return <ErrorNotice error={list.error} title="The inbox did not load" onRetry={() => void list.refetch()} />;
  if (rows.length === 0) return <Empty filters={filters} presence={presence} onClearFilters={onClearFilters} />;

  return (
    <div
      ref={scroller}
      role="listbox"
      aria-label="Moments"
      tabIndex={0}
      aria-activedescendant={selectedId && rows.some((m) => m.id === selectedId) ? `moment-row-${selectedId}` : undefined}
      data-testid="moment-list"
      style={{ flex: 1, overflowY: 'auto', contain: 'strict' }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && selectedId) onOpen(selectedId, true);
        else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          onMove(e.key === 'ArrowDown' ? 1 : -1);
        }
      }}
    >
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const moment = rows[item.index]!;
          return (
            <div key={moment.id} style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: item.size, transform: `translateY(${item.start}px)` }}>
              <MomentRow moment={moment} viewer={viewer} selected={moment.id === selectedId} onOpen={onOpen} />
            </div>
          );
        })}
      </div>
      {isFetchingNextPage && (
        <Center py="sm">
          <Loader size="sm" role="status" aria-label="Loading more moments" />
        </Center>
      )}
    </div>
  );
}

function MomentRow({ moment, viewer, selected, onOpen }: { readonly moment: Moment; readonly viewer: Viewer; readonly selected: boolean; readonly onOpen: (id: string) => void }) {
  const { agentName, teamName } = useNames();
  const handoff = awaitsViewersAnswer(moment, viewer);
  const owner = moment.ownerId === viewer.agentId ? 'You' : agentName(moment.ownerId);
  return (
    <div
      id={`moment-row-${moment.id}`}
      role="option"
      aria-selected={selected}
      className="inbox-row"
      style={{ height: '100%' }}
      onClick={() => onOpen(moment.id)}
      data-moment-id={moment.id}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <CustomerName customerId={moment.customerId} channel={moment.channel} strong={moment.status === 'open'} />
        <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
          {shortTime(moment.lastMessageAt)}
        </Text>
      </Group>
      {/* Subject and the latest message on one line, as a mail client lists them. */}
      <Text size="sm" truncate mt={2}>
        {moment.subject || '(no subject)'}
        {moment.preview && moment.preview !== moment.subject && (
          <Text span c="dimmed" size="sm">
            {' — '}
            {moment.preview}
          </Text>
        )}
      </Text>
      <Group gap={6} mt={6} wrap="nowrap" style={{ overflow: 'hidden' }}>
        {/* First on the line, so a long row never cuts it off: it waits for this person's answer. */}
        {handoff && (
          <Badge size="xs" color="violet" style={{ flexShrink: 0 }} data-testid="row-handoff">
            Hand-off to {moment.handoff?.toAgentId ? 'you' : teamName(moment.handoff?.toTeamId ?? null)} — accept?
          </Badge>
        )}
        <Badge size="xs" variant="outline" color="gray">
          {channelLabel(moment.channel)}
        </Badge>
        {moment.status !== 'open' && (
          <Badge size="xs" variant="light" color={STATUS_COLOR[moment.status]}>
            {moment.status}
          </Badge>
        )}
        {moment.priority !== 'normal' && (
          <Badge size="xs" variant="light" color={PRIORITY_COLOR[moment.priority]}>
            {moment.priority}
          </Badge>
        )}
        <SlaBadge moment={moment} />
        {moment.queued ? (
          <Badge size="xs" color="orange" variant="light">
            Waiting in line
          </Badge>
        ) : (
          <Text size="xs" c="dimmed" truncate>
            {owner}
          </Text>
        )}
      </Group>
    </div>
  );
}

/** Who the moment is with; a placeholder of the same height until the name is known. */
function CustomerName({ customerId, channel, strong }: { readonly customerId: string; readonly channel: string; readonly strong: boolean }) {
  const brief = useCustomerBrief(customerId);
  if (!brief.data) return brief.isError ? <Text size="sm" c="dimmed">Unknown customer</Text> : <Skeleton height={14} width="40%" radius="sm" my={3} />;
  return (
    <Text fw={strong ? 650 : 500} size="sm" truncate data-testid="row-customer">
      {customerLabel(brief.data, unnamedOn(channel))}
    </Text>
  );
}

function SlaBadge({ moment }: { readonly moment: Moment }) {
  const { state, dueAt } = moment.sla;
  if (state === 'breached') return <Badge size="xs" color="red">SLA breached</Badge>;
  if (state === 'due_soon' && dueAt) return <Badge size="xs" color="orange" variant="light">Due in {duration(Date.parse(dueAt) - Date.now())}</Badge>;
  return null;
}

function ListSkeleton() {
  return (
    <Stack gap={0} role="status" aria-busy="true" aria-label="Loading the inbox" p="sm" data-testid="inbox-loading">
      {Array.from({ length: 7 }, (_, i) => (
        <Box key={i} py="sm">
          <Skeleton height={12} width="70%" radius="sm" />
          <Skeleton height={10} mt={8} radius="sm" />
          <Skeleton height={10} mt={8} width="40%" radius="sm" />
        </Box>
      ))}
    </Stack>
  );
}

function Empty({ filters, presence, onClearFilters }: { readonly filters: InboxFilters; readonly presence: Presence | null; readonly onClearFilters: () => void }) {
  if (activeFilterCount(filters) > 0) {
    return (
      <Center p="xl" style={{ flex: 1 }}>
        <EmptyState icon={<IconFilterOff size={28} aria-hidden />} withIndicatorBackground title="No moments match these filters" description="Try fewer filters, or clear them all.">
          <EmptyState.Actions>
            <Button variant="light" onClick={onClearFilters}>
              Clear filters
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      </Center>
    );
  }
  const text: Readonly<Record<InboxFilters['view'], { title: string; description: string }>> = {
    mine: {
      title: 'Nothing is yours right now',
      description:
        presence === 'online'
          ? 'New moments come to you as customers write in. Meanwhile, pick one up from My teams or Waiting.'
          : 'New moments come to you while you are Online: set your status at the top right. Meanwhile, look at My teams.',
    },
    handoffs: { title: 'No hand-offs wait for you', description: 'When a colleague hands you (or one of your teams) a moment, it waits here for you to accept or decline.' },
    teams: { title: "Your teams' inbox is clear", description: 'Moments routed to your teams appear here as customers write in.' },
    waiting: { title: 'No one is waiting', description: 'Moments wait here, first in first out, when nobody in your teams has room for them.' },
    all: { title: 'No moments yet', description: 'Every customer message on any channel becomes a moment here. Connect a channel, or open one with POST /api/v1/moments.' },
  };
  return (
    <Center p="xl" style={{ flex: 1 }}>
      <EmptyState icon={<IconInbox size={28} aria-hidden />} withIndicatorBackground title={text[filters.view].title} description={text[filters.view].description} data-testid="inbox-empty" />
    </Center>
  );
}

function NoView({ filters, viewer }: { readonly filters: InboxFilters; readonly viewer: Viewer }) {
  const noTeam = (filters.view === 'teams' || filters.view === 'waiting') && viewer.teamIds.length === 0;
  return (
    <Center p="xl" style={{ flex: 1 }}>
      <EmptyState
        icon={<IconInbox size={28} aria-hidden />}
        withIndicatorBackground
        title={noTeam ? 'You are not in a team yet' : 'This view is not available to you'}
        description={noTeam ? 'Ask an admin to add you to a team: its moments will then show here.' : 'Choose another view above.'}
      />
    </Center>
  );
}
