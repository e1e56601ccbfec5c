import { Skeleton, Text, Timeline } from '@mantine/core';
import { useNames } from '../../api/directory.ts';
import { useOwnership } from '../../api/moments.ts';
import { fullTime } from '../../ui/format.ts';
import { ledgerLines } from './ledger-text.ts';

/** Who owned the moment, from when, and why: the ledger read aloud. */
export function OwnershipHistory({ momentId }: { readonly momentId: string }) {
  const ledger = useOwnership(momentId);
  const { agentName } = useNames();
  if (ledger.isPending) return <Skeleton height={60} />;
  if (ledger.isError) return <Text size="sm" c="red">The history did not load.</Text>;
  // agentName names an API key (`key:…`) as such.
  const lines = ledgerLines(ledger.data, agentName);
  return (
    <Timeline active={lines.length - 1} bulletSize={12} lineWidth={2} data-testid="ownership-history">
      {lines.map((line) => (
        <Timeline.Item key={line.key}>
          <Text size="sm" title={fullTime(line.at)}>
            {line.text}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
