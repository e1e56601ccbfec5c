import { ActionIcon, Button, Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { ANY_CHANNEL, type CapacityRow, type CapacityRowError } from './capacity.ts';
import { CHANNEL_KINDS } from './parts.tsx';

const CHOICES = [...CHANNEL_KINDS, { value: ANY_CHANNEL, label: 'Any other channel' }];

/** How many active moments an agent may hold at once, per channel; none: the workspace default. */
export function CapacityEditor({ rows, errors, onChange, defaultCapacity }: { readonly rows: readonly CapacityRow[]; readonly errors: Readonly<Record<number, CapacityRowError>>; readonly onChange: (rows: CapacityRow[]) => void; readonly defaultCapacity?: number }) {
  const update = (index: number, patch: Partial<CapacityRow>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs" role="group" aria-label="Capacity per channel">
      <Text size="sm" fw={500}>
        Capacity per channel
      </Text>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No limits of their own: the workspace default{defaultCapacity === undefined ? '' : ` (${defaultCapacity} at once)`} applies on every channel.
        </Text>
      )}
      {rows.map((row, i) => (
        <Group key={i} align="flex-start" gap="xs">
          <Select aria-label={`Channel ${i + 1}`} data={CHOICES} value={row.channel || null} onChange={(channel) => update(i, { channel: channel ?? '' })} w={200} error={errors[i]?.channel} placeholder="Channel" />
          <NumberInput aria-label={`Limit ${i + 1}`} value={row.limit} onChange={(v) => update(i, { limit: typeof v === 'number' ? v : v === '' ? '' : Number(v) })} min={0} max={1000} allowDecimal={false} w={110} suffix=" at once" error={errors[i]?.limit} />
          <ActionIcon variant="subtle" color="gray" mt={4} aria-label={`Remove limit ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            <IconTrash size={16} aria-hidden />
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button size="xs" variant="default" onClick={() => onChange([...rows, { channel: rows.some((r) => r.channel === ANY_CHANNEL) ? '' : ANY_CHANNEL, limit: defaultCapacity ?? 5 }])}>
          Add a limit
        </Button>
      </Group>
    </Stack>
  );
}
