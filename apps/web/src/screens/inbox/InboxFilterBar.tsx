import { ActionIcon, Button, Collapse, Group, MultiSelect, Select, SimpleGrid, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedCallback, useDisclosure } from '@mantine/hooks';
import { IconAdjustmentsHorizontal, IconSearch, IconX } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTeams } from '../../api/directory.ts';
import type { MomentStatus, Priority } from '../../api/types.ts';
import { CHANNEL_LABEL } from '../../ui/format.ts';
import { activeFilterCount, teamOf, type InboxFilters, type InboxSort, type SlaFilter, type Viewer } from './inbox-filters.ts';

const STATUS_OPTIONS: { value: MomentStatus; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'pending', label: 'Pending (waiting on customer)' },
  { value: 'snoozed', label: 'Snoozed' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'closed', label: 'Closed' },
];
const PRIORITY_OPTIONS: { value: Priority; label: string }[] = [
  { value: 'urgent', label: 'Urgent' },
  { value: 'high', label: 'High' },
  { value: 'normal', label: 'Normal' },
  { value: 'low', label: 'Low' },
];
const SORT_OPTIONS: { value: InboxSort; label: string }[] = [
  { value: 'recent', label: 'Latest message' },
  { value: 'oldest', label: 'Longest waiting' },
  { value: 'sla', label: 'SLA deadline' },
  { value: 'priority', label: 'Priority' },
  { value: 'created', label: 'Newest' },
];

/** Text search always in view; the other filters fold away under "Filters". */
export function InboxFilterBar({ filters, viewer, onChange }: { readonly filters: InboxFilters; readonly viewer: Viewer; readonly onChange: (next: InboxFilters) => void }) {
  const active = activeFilterCount(filters) - (filters.q ? 1 : 0);
  const [opened, { toggle }] = useDisclosure(active > 0);
  const teams = useTeams().data ?? [];
  const myTeams = teams.filter((t) => viewer.teamIds.includes(t.id));
  const [text, setText] = useState(filters.q ?? '');
  const pushText = useDebouncedCallback((q: string) => onChange({ ...filters, q: q.trim() || undefined }), 300);
  useEffect(() => setText(filters.q ?? ''), [filters.q]);
  const set = (patch: Partial<InboxFilters>) => onChange({ ...filters, ...patch });

  return (
    <div style={{ padding: '8px 12px', borderBottom: '1px solid var(--mantine-color-default-border)' }}>
      <Group gap="xs" wrap="nowrap">
        <TextInput
          id="inbox-search"
          aria-label="Search customers, subjects and messages"
          placeholder="Customer, subject or message"
          leftSection={<IconSearch size={16} aria-hidden />}
          rightSection={
            text ? (
              <ActionIcon variant="subtle" color="gray" aria-label="Clear search" onClick={() => (setText(''), set({ q: undefined }))}>
                <IconX size={14} aria-hidden />
              </ActionIcon>
            ) : null
          }
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            pushText(e.currentTarget.value);
          }}
          onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
          style={{ flex: 1 }}
        />
        <Tooltip label={opened ? 'Hide filters' : 'Show filters'}>
          <Button
            variant={active > 0 ? 'light' : 'default'}
            leftSection={<IconAdjustmentsHorizontal size={16} aria-hidden />}
            onClick={toggle}
            aria-expanded={opened}
            aria-controls="inbox-filters"
          >
            Filters{active > 0 ? ` (${active})` : ''}
          </Button>
        </Tooltip>
      </Group>
      <Collapse expanded={opened}>
        <SimpleGrid id="inbox-filters" cols={2} spacing="xs" verticalSpacing="xs" mt="xs">
          {(filters.view === 'teams' || filters.view === 'waiting') && myTeams.length > 1 && (
            <Select
              label="Team"
              size="xs"
              data={[...(viewer.role === 'agent' ? [{ value: '', label: 'All my teams' }] : []), ...myTeams.map((t) => ({ value: t.id, label: t.name }))]}
              value={filters.team ?? teamOf(filters, viewer) ?? ''}
              onChange={(value) => set({ team: value || undefined })}
              allowDeselect={false}
            />
          )}
          <Select
            label="Channel"
            size="xs"
            placeholder="Any channel"
            clearable
            data={Object.entries(CHANNEL_LABEL).map(([value, label]) => ({ value, label }))}
            value={filters.channel ?? null}
            onChange={(value) => set({ channel: value ?? undefined })}
          />
          <MultiSelect
            label="Status"
            size="xs"
            placeholder={filters.status?.length ? undefined : 'Open, pending, snoozed'}
            data={STATUS_OPTIONS}
            value={[...(filters.status ?? [])]}
            onChange={(value) => set({ status: value.length ? (value as MomentStatus[]) : undefined })}
            clearable
          />
          <MultiSelect
            label="Priority"
            size="xs"
            placeholder={filters.priority?.length ? undefined : 'Any priority'}
            data={PRIORITY_OPTIONS}
            value={[...(filters.priority ?? [])]}
            onChange={(value) => set({ priority: value.length ? (value as Priority[]) : undefined })}
            clearable
          />
          <Select
            label="SLA"
            size="xs"
            placeholder="Any SLA state"
            clearable
            data={[
              { value: 'breached', label: 'Breached' },
              { value: 'due_soon', label: 'Due soon' },
            ]}
            value={filters.sla ?? null}
            onChange={(value) => set({ sla: (value as SlaFilter | null) ?? undefined })}
          />
          <TagFilter value={filters.tag} onChange={(tag) => set({ tag })} />
          <Select label="Sort by" size="xs" data={SORT_OPTIONS} value={filters.sort} onChange={(value) => value && set({ sort: value as InboxSort })} allowDeselect={false} />
        </SimpleGrid>
      </Collapse>
    </div>
  );
}

/** A tag filter applied on Enter or when the field loses focus (not on every key: each is a query). */
function TagFilter({ value, onChange }: { readonly value: string | undefined; readonly onChange: (tag: string | undefined) => void }) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const apply = () => onChange(text.trim() || undefined);
  return (
    <TextInput
      label="Tag"
      size="xs"
      placeholder="Any tag"
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={apply}
      onKeyDown={(e) => e.key === 'Enter' && apply()}
    />
  );
}
