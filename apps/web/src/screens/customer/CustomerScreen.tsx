import { Anchor, Badge, Box, Button, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconArrowsJoin, IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCustomerProfile } from '../../api/customers.ts';
import type { CustomerProfile } from '../../api/types.ts';
import { useSession } from '../../app/session.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { fullTime } from '../../ui/format.ts';
import { NotFoundScreen } from '../not-found/NotFoundScreen.tsx';
import { customerName, identitiesByKind, revenueLines, STAGE_COLOR, stageLabel } from './customer-view.ts';
import { CustomerMoments } from './CustomerMoments.tsx';
import { MergeDialog } from './MergeDialog.tsx';
import { MergeHistory } from './MergeHistory.tsx';
import { StageDialog } from './StageDialog.tsx';
import { StageHistory } from './StageHistory.tsx';
import { Timeline } from './Timeline.tsx';

/** Customer 360: who they are, everything that happened with them, and every moment, past and present. */
export function CustomerScreen() {
  const { customerId = '' } = useParams();
  // A fresh screen per customer: dialogs and filters do not carry over to the next one.
  return <CustomerView key={customerId} customerId={customerId} />;
}

function CustomerView({ customerId }: { readonly customerId: string }) {
  const profile = useCustomerProfile(customerId);
  const role = useSession().data?.role;
  const canWrite = role !== 'analyst';
  const [dialog, setDialog] = useState<'merge' | 'stage' | null>(null);

  if (profile.isError) {
    if ((profile.error as { code?: string }).code === 'customer_not_found') return <NotFoundScreen />;
    return <ErrorNotice error={profile.error} title="This customer did not load" onRetry={() => void profile.refetch()} />;
  }
  if (!profile.data) return <CustomerSkeleton />;
  const c = profile.data;
  const name = customerName(c);

  return (
    <Box style={{ overflowY: 'auto', flex: 1 }} px="lg" py="md">
      <Stack gap="lg" maw={1280} mx="auto">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Title order={1} size="h2" data-testid="customer-name">
              {name}
            </Title>
            <Group gap="xs">
              <Badge color={STAGE_COLOR[c.stage] ?? 'gray'} variant="light" data-testid="customer-stage">
                {stageLabel(c.stage)}
              </Badge>
              {c.stageOverride && (
                <Text size="sm" c="dimmed" data-testid="stage-override">
                  set by hand{c.stageOverride.reason ? `: “${c.stageOverride.reason}”` : ''}
                </Text>
              )}
              <Text size="sm" c="dimmed">
                First seen {fullTime(c.firstSeen)} · last seen {fullTime(c.lastSeen)}
              </Text>
            </Group>
          </Stack>
          {canWrite && (
            <Group gap="xs">
              <Button variant="default" leftSection={<IconPencil size={16} aria-hidden />} onClick={() => setDialog('stage')}>
                Change stage
              </Button>
              <Button variant="default" leftSection={<IconArrowsJoin size={16} aria-hidden />} onClick={() => setDialog('merge')}>
                Merge with…
              </Button>
            </Group>
          )}
        </Group>
        {c.id !== customerId && (
          <Text size="sm" role="status">
            The profile you opened was merged into this one.
          </Text>
        )}
        <Box style={{ display: 'grid', gridTemplateColumns: 'minmax(260px, 340px) minmax(0, 1fr)', gap: 'var(--mantine-spacing-lg)', alignItems: 'start' }}>
          <Stack gap="md">
            <Profile customer={c} />
            <StageHistory customer={c} />
            <MergeHistory customer={c} canWrite={canWrite} />
          </Stack>
          <Stack gap="lg">
            <CustomerMoments customerId={c.id} />
            <Timeline customerId={c.id} />
          </Stack>
        </Box>
      </Stack>
      {dialog === 'merge' && <MergeDialog customer={c} onClose={() => setDialog(null)} />}
      {dialog === 'stage' && <StageDialog customer={c} onClose={() => setDialog(null)} />}
    </Box>
  );
}

function Profile({ customer }: { readonly customer: CustomerProfile }) {
  const traits = Object.entries(customer.traits).filter(([key]) => key !== 'name');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="profile-heading">
      <Title order={2} size="h5" id="profile-heading" mb="sm">
        Profile
      </Title>
      <SimpleGrid cols={3} spacing="xs" mb="md">
        <Figure label="Events" lines={[customer.counts.events.toLocaleString()]} />
        <Figure label="Orders" lines={[customer.counts.orders.toLocaleString()]} />
        <Figure label="Revenue" lines={revenueLines(customer.revenue)} />
      </SimpleGrid>
      <Stack gap="sm">
        {identitiesByKind(customer.identities).map((group) => (
          <div key={group.kind}>
            <Text size="xs" fw={600} c="dimmed" tt="uppercase">
              {group.label}
            </Text>
            {group.values.map((identity) => (
              <Text key={identity.value} size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="identity">
                {identity.value}
              </Text>
            ))}
          </div>
        ))}
        {customer.identities.length === 0 && (
          <Text size="sm" c="dimmed">
            No identities yet: this profile is known only by its id.
          </Text>
        )}
        {traits.length > 0 && (
          <div>
            <Text size="xs" fw={600} c="dimmed" tt="uppercase" mb={4}>
              Traits
            </Text>
            <Box component="dl" m={0} style={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 12, rowGap: 2 }}>
              {traits.map(([key, value]) => (
                <Box key={key} style={{ display: 'contents' }}>
                  <Text component="dt" size="sm" c="dimmed">
                    {key}
                  </Text>
                  <Text component="dd" size="sm" m={0} style={{ overflowWrap: 'anywhere' }}>
                    {typeof value === 'object' ? JSON.stringify(value) : String(value)}
                  </Text>
                </Box>
              ))}
            </Box>
          </div>
        )}
        {customer.conflicts.length > 0 && (
          <div>
            <Text size="xs" fw={600} c="dimmed" tt="uppercase">
              Identity conflicts
            </Text>
            {customer.conflicts.slice(0, 5).map((conflict) => (
              <Text key={`${conflict.kind}:${conflict.value}:${conflict.at}`} size="sm">
                {conflict.kind} {conflict.value}: {conflict.reason}
              </Text>
            ))}
          </div>
        )}
        <Anchor component={Link} to="/inbox" size="sm">
          Back to the inbox
        </Anchor>
      </Stack>
    </Paper>
  );
}

/** A figure under its label; a line each where it has several (revenue, a line per currency). */
function Figure({ label, lines }: { readonly label: string; readonly lines: readonly string[] }) {
  return (
    <div data-testid={`figure-${label.toLowerCase()}`}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {lines.length === 0 ? (
        <Text fw={650}>—</Text>
      ) : (
        lines.map((line) => (
          <Text key={line} fw={650}>
            {line}
          </Text>
        ))
      )}
    </div>
  );
}

function CustomerSkeleton() {
  return (
    <Stack p="lg" gap="md" role="status" aria-busy="true" aria-label="Loading the customer">
      <Skeleton height={32} width={280} />
      <Skeleton height={18} width={420} />
      <Group align="flex-start" grow>
        <Skeleton height={320} maw={340} />
        <Skeleton height={320} />
      </Group>
    </Stack>
  );
}
