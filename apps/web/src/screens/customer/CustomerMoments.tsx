import { Badge, Box, Button, Group, Paper, Select, Skeleton, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useCustomerMoments } from '../../api/customers.ts';
import { useBusinessUnits, useNames } from '../../api/directory.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { channelLabel, shortTime, STATUS_COLOR } from '../../ui/format.ts';

/** Every moment with this customer, active and finished, newest first; narrowed by business unit. */
export function CustomerMoments({ customerId }: { readonly customerId: string }) {
  const units = useBusinessUnits().data ?? [];
  const [businessUnit, setBusinessUnit] = useState('');
  const moments = useCustomerMoments(customerId, businessUnit);
  const { agentName, teamName } = useNames();
  const navigate = useNavigate();
  const rows = moments.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="moments-heading">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5" id="moments-heading">
          Moments
        </Title>
        {units.length > 1 && (
          <Select
            aria-label="Business unit of the moments"
            size="xs"
            w={200}
            allowDeselect={false}
            data={[{ value: '', label: 'Every business unit' }, ...units.map((u) => ({ value: u.id, label: u.name }))]}
            value={businessUnit}
            onChange={(value) => setBusinessUnit(value ?? '')}
          />
        )}
      </Group>
      {moments.isPending ? (
        <Stack gap="xs">
          <Skeleton height={40} />
          <Skeleton height={40} />
        </Stack>
      ) : moments.isError ? (
        <ErrorNotice error={moments.error} title="The moments did not load" onRetry={() => void moments.refetch()} />
      ) : rows.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="moments-empty">
          {businessUnit ? 'No moments with this customer in this business unit.' : 'No conversations with this customer yet. When they write in on any channel, the moment shows here.'}
        </Text>
      ) : (
        <Stack gap={0} component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Moments with this customer">
          {rows.map((m) => (
            <li key={m.id}>
              <UnstyledButton className="list-row" onClick={() => navigate(`/inbox/${m.id}`)} data-testid="customer-moment">
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <Box style={{ minWidth: 0 }}>
                    <Text size="sm" fw={500} truncate>
                      {m.subject || '(no subject)'}
                    </Text>
                    <Text size="xs" c="dimmed" truncate>
                      {channelLabel(m.channel)} · {teamName(m.teamId)} · {agentName(m.ownerId)}
                    </Text>
                  </Box>
                  <Group gap={6} wrap="nowrap">
                    <Badge size="sm" variant="light" color={STATUS_COLOR[m.status]}>
                      {m.status}
                    </Badge>
                    <Text size="xs" c="dimmed" w={48} ta="right">
                      {shortTime(m.lastMessageAt)}
                    </Text>
                  </Group>
                </Group>
              </UnstyledButton>
            </li>
          ))}
        </Stack>
      )}
      {moments.hasNextPage && (
        <Group justify="center" mt="sm">
          <Button variant="default" size="xs" loading={moments.isFetchingNextPage} onClick={() => void moments.fetchNextPage()}>
            Show more
          </Button>
        </Group>
      )}
    </Paper>
  );
}
