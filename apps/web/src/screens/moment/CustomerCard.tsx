import { Anchor, Badge, Group, Skeleton, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { briefOf } from '../../api/customer-brief.ts';
import { useCustomerProfile, useLatestTouchpoint, useOpenMomentsOf } from '../../api/customers.ts';
import type { CustomerProfile } from '../../api/types.ts';
import { shortTime } from '../../ui/format.ts';
import { describeTouchpoint, revenueLines, STAGE_COLOR, stageLabel } from '../customer/customer-view.ts';

/**
 * Who the moment is with, beside the conversation: their stage, how to reach them, what they
 * bought and what else they have open with any team, so whoever holds the moment (or takes it
 * over from another department) answers with the whole customer in view.
 */
export function CustomerCard({ customerId, momentId }: { readonly customerId: string; readonly momentId: string }) {
  const profile = useCustomerProfile(customerId);
  if (profile.isError) return null;
  if (!profile.data) return <Skeleton height={72} role="status" aria-label="Loading the customer" />;
  return <Card customer={profile.data} momentId={momentId} />;
}

function Card({ customer, momentId }: { readonly customer: CustomerProfile; readonly momentId: string }) {
  const latestOrder = useLatestTouchpoint(customer.id, 'Order Completed').data;
  const others = (useOpenMomentsOf(customer.id).data ?? []).filter((m) => m.id !== momentId);
  const brief = briefOf(customer);
  const contact = [brief.email, brief.phone].filter((value) => value !== null);
  const revenue = revenueLines(customer.revenue);
  return (
    <Stack gap={4} data-testid="customer-card">
      <Group gap={6}>
        <Badge size="sm" variant="light" color={STAGE_COLOR[customer.stage]}>
          {stageLabel(customer.stage)}
        </Badge>
      </Group>
      {contact.map((value) => (
        <Text key={value} size="sm" style={{ overflowWrap: 'anywhere' }}>
          {value}
        </Text>
      ))}
      <Text size="sm">
        {customer.counts.orders === 0 ? 'No orders yet' : customer.counts.orders === 1 ? '1 order' : `${customer.counts.orders.toLocaleString()} orders`}
        {revenue.length > 0 && ` · ${revenue.join(' · ')}`}
      </Text>
      {latestOrder && (
        <Text size="xs" c="dimmed">
          Latest order {[describeTouchpoint(latestOrder).detail, shortTime(latestOrder.timestamp)].filter(Boolean).join(', ')}
        </Text>
      )}
      {others.length > 0 && (
        <Anchor component={Link} to={`/customers/${customer.id}`} size="xs" underline="always">
          {others.length === 1 ? '1 other open conversation' : `${others.length} other open conversations`}
        </Anchor>
      )}
    </Stack>
  );
}
