import { Alert, Button, Group, Text, TextInput } from '@mantine/core';
import { IconArrowsExchange } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useNames } from '../../api/directory.ts';
import { isManager } from '../../app/session.ts';
import { useMomentAction } from './use-moment-actions.ts';
import type { Moment } from '../../api/types.ts';
import { awaitsViewersAnswer, type Viewer } from '../inbox/inbox-filters.ts';

/**
 * A pending hand-off. The receiver (the person, or anyone in the team) accepts or declines it
 * here; the sender sees that they still own the moment until then, and may withdraw it (the
 * server takes one hand-off at a time: another waits until this one is answered or withdrawn).
 */
export function HandoffBanner({ moment, viewer }: { readonly moment: Moment; readonly viewer: Viewer }) {
  const { agentName, teamName } = useNames();
  const act = useMomentAction(moment.id, viewer);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const h = moment.handoff;
  if (!h) return null;
  const target = h.toAgentId ? `${agentName(h.toAgentId)}${h.toTeamId ? ` (${teamName(h.toTeamId)})` : ''}` : teamName(h.toTeamId);
  const sender = h.fromOwnerId === viewer.agentId;
  const receiving = awaitsViewersAnswer(moment, viewer);
  const mayWithdraw = !receiving && viewer.role !== 'analyst' && (moment.ownerId === viewer.agentId || isManager(viewer.role));

  return (
    <Alert
      color="violet"
      variant="light"
      radius={0}
      icon={<IconArrowsExchange size={18} aria-hidden />}
      title={receiving ? `${agentName(h.fromOwnerId)} handed this over to ${h.toAgentId ? 'you' : target}` : `Hand-off to ${target} pending`}
      data-testid="handoff-banner"
    >
      <Text size="sm">
        Reason: {h.reason}
        {h.note ? ` — ${h.note}` : ''}
      </Text>
      {!receiving && (
        <Text size="sm" c="dimmed" mt={4}>
          {sender ? 'You own it and its SLA keeps running until they accept.' : `${agentName(h.fromOwnerId)} owns it until then.`}
        </Text>
      )}
      {mayWithdraw && (
        <Button size="xs" variant="default" mt="sm" loading={act.isPending} onClick={() => act.mutate({ method: 'POST', path: '/handoff/decline', body: {} })}>
          Withdraw hand-off
        </Button>
      )}
      {act.isError && (
        <Text size="sm" c="red" mt={4} role="alert">
          {errorMessage(act.error)}
        </Text>
      )}
      {receiving &&
        (declining ? (
          <Group mt="sm" gap="xs" align="flex-end">
            <TextInput size="xs" label="Why decline? (optional)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} style={{ flex: 1 }} autoFocus />
            <Button size="xs" color="red" variant="light" loading={act.isPending} onClick={() => act.mutate({ method: 'POST', path: '/handoff/decline', body: reason.trim() ? { reason: reason.trim() } : {} })}>
              Decline hand-off
            </Button>
            <Button size="xs" variant="default" onClick={() => setDeclining(false)}>
              Back
            </Button>
          </Group>
        ) : (
          <Group mt="sm" gap="xs">
            <Button size="xs" color="violet" loading={act.isPending} onClick={() => act.mutate({ method: 'POST', path: '/handoff/accept', body: {} })}>
              Accept
            </Button>
            <Button size="xs" variant="default" onClick={() => setDeclining(true)}>
              Decline…
            </Button>
          </Group>
        ))}
    </Alert>
  );
}
