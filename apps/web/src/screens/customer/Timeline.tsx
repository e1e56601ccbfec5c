import { Anchor, Badge, Box, Button, Chip, Group, Paper, Select, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { useTimeline } from '../../api/customers.ts';
import { useTeams } from '../../api/directory.ts';
import type { TimelineItem } from '../../api/types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { channelLabel, clockTime } from '../../ui/format.ts';
import { describeTouchpoint, TIMELINE_FILTERS, timelineQuery } from './customer-view.ts';

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

/** Everything that happened with the customer, newest first, across channels; pages on demand. */
export function Timeline({ customerId }: { readonly customerId: string }) {
  const [filter, setFilter] = useState('all');
  // Which department's part to show (the team key moments record), or every department's.
  const [department, setDepartment] = useState<string | null>(null);
  const teams = useTeams().data ?? [];
  const timeline = useTimeline(customerId, { ...timelineQuery(filter), ...(department ? { department } : {}) });
  const items = timeline.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="timeline-heading">
      <Group justify="space-between" mb="sm" wrap="wrap" gap="sm">
        <Title order={2} size="h5" id="timeline-heading">
          Timeline
        </Title>
        <Chip.Group multiple={false} value={filter} onChange={setFilter}>
          <Group gap={6} role="radiogroup" aria-label="Show on the timeline">
            {TIMELINE_FILTERS.map((f) => (
              <Chip key={f.value} value={f.value} size="xs" type="radio">
                {f.label}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
        <Select
          size="xs"
          w={180}
          aria-label="Department"
          placeholder="Every department"
          clearable
          data={teams.map((t) => ({ value: t.key, label: t.name }))}
          value={department}
          onChange={setDepartment}
        />
      </Group>
      {timeline.isPending ? (
        <Stack gap="xs" role="status" aria-busy="true" aria-label="Loading the timeline">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} height={44} />
          ))}
        </Stack>
      ) : timeline.isError ? (
        <ErrorNotice error={timeline.error} title="The timeline did not load" onRetry={() => void timeline.refetch()} />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed" py="md" data-testid="timeline-empty">
          {filter === 'all' && department === null
            ? 'Nothing has happened with this customer yet. Touchpoints from your website, orders and conversations appear here as they arrive.'
            : 'Nothing of this kind yet. Choose “All” to see every touchpoint.'}
        </Text>
      ) : (
        <Stack gap={0} component="ol" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Touchpoints">
          {items.map((item, index) => (
            <TimelineRow key={item.id} item={item} newDay={index === 0 || day(items[index - 1]!) !== day(item)} />
          ))}
        </Stack>
      )}
      {timeline.hasNextPage && (
        <Group justify="center" mt="sm">
          <Button variant="default" size="xs" loading={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
            Show older touchpoints
          </Button>
        </Group>
      )}
    </Paper>
  );
}

const day = (item: TimelineItem) => dayFormat.format(new Date(item.timestamp));

function TimelineRow({ item, newDay }: { readonly item: TimelineItem; readonly newDay: boolean }) {
  const { title, detail, momentId } = describeTouchpoint(item);
  return (
    <li data-testid="touchpoint">
      {newDay && (
        <Text size="xs" fw={600} c="dimmed" tt="uppercase" mt="sm" mb={4}>
          {day(item)}
        </Text>
      )}
      <Group gap="sm" wrap="nowrap" align="flex-start" py={6} style={{ borderTop: newDay ? undefined : '1px solid var(--mantine-color-default-border)' }}>
        <Text size="xs" c="dimmed" w={40} pt={2} style={{ flexShrink: 0 }}>
          <time dateTime={item.timestamp}>{clockTime(item.timestamp)}</time>
        </Text>
        <Badge size="sm" variant="outline" color="gray" w={84} style={{ flexShrink: 0 }}>
          {channelLabel(item.channel)}
        </Badge>
        <Box style={{ minWidth: 0, flex: 1 }}>
          <Text size="sm" fw={500}>
            {title}
          </Text>
          {detail && (
            <Text size="sm" c="dimmed" lineClamp={2}>
              {detail}
            </Text>
          )}
        </Box>
        {momentId && (
          <Anchor component={Link} to={`/inbox/${momentId}`} size="xs" style={{ flexShrink: 0 }}>
            Open conversation
          </Anchor>
        )}
      </Group>
    </li>
  );
}
