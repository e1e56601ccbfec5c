import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { CustomerProfile, Stage } from '../../api/types.ts';
import { fullTime } from '../../ui/format.ts';
import { STAGE_COLOR, stageLabel } from './customer-view.ts';

/** Changes stored before reasons named their rule said only which kind of change it was. */
const OLD_REASONS: ReadonlyMap<string, string> = new Map([
  ['activity', 'from their activity'],
  ['inactivity', 'after a long silence'],
]);

/** How the customer moved through the lifecycle, newest first, and why each time. */
export function StageHistory({ customer }: { readonly customer: CustomerProfile }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="stage-history-heading">
      <Title order={2} size="h5" id="stage-history-heading" mb="sm">
        Lifecycle history
      </Title>
      {customer.stageHistory.length === 0 ? (
        <Text size="sm" c="dimmed">
          Still at the stage they started in: {stageLabel(customer.stage)}.
        </Text>
      ) : (
        <Stack gap="xs" component="ol" m={0} p={0} style={{ listStyle: 'none' }}>
          {customer.stageHistory.map((change) => (
            <li key={`${change.at}-${change.to}`} data-testid="stage-change">
              <Group gap={6} wrap="nowrap">
                <Badge size="sm" variant="light" color={STAGE_COLOR[change.from as Stage] ?? 'gray'}>
                  {stageLabel(change.from)}
                </Badge>
                <Text size="sm" aria-label="to">
                  →
                </Text>
                <Badge size="sm" variant="light" color={STAGE_COLOR[change.to as Stage] ?? 'gray'}>
                  {stageLabel(change.to)}
                </Badge>
              </Group>
              <Text size="xs" c="dimmed">
                {fullTime(change.at)} · {OLD_REASONS.get(change.reason) ?? change.reason}
              </Text>
            </li>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
