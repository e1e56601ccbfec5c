import { Anchor, Badge, Box, Button, Divider, Drawer, Group, ScrollArea, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconInfoCircle } from '@tabler/icons-react';
import { useEffect, useImperativeHandle, useRef, type ReactNode, type RefObject } from 'react';
import { Link, useNavigate } from 'react-router';
import { unnamedOn } from '../../api/customer-brief.ts';
import { useNames } from '../../api/directory.ts';
import { useCustomerProfile } from '../../api/customers.ts';
import { useMessages, useMoment } from '../../api/moments.ts';
import { useWorkspaceSettings } from '../../api/settings.ts';
import type { Moment } from '../../api/types.ts';
import { useNarrowScreen } from '../../app/use-narrow-screen.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { channelLabel, fullTime, PRIORITY_COLOR, STATUS_COLOR } from '../../ui/format.ts';
import type { Viewer } from '../inbox/inbox-filters.ts';
import { customerName } from '../customer/customer-view.ts';
import { Composer, type ComposerHandle } from './Composer.tsx';
import { CustomerCard } from './CustomerCard.tsx';
import { HandoffBanner } from './HandoffBanner.tsx';
import { MomentActions, type ActionsHandle } from './MomentActions.tsx';
import { OwnershipHistory } from './OwnershipHistory.tsx';
import type { PaneCommands } from './pane-commands.ts';
import { SlaTimer } from './SlaTimer.tsx';
import { Thread } from './Thread.tsx';
import { TypingLine } from './TypingLine.tsx';

/** One moment: who it is with, where it stands, the conversation, the composer, and its history. */
export function MomentPane({ momentId, viewer, commands }: { readonly momentId: string; readonly viewer: Viewer; readonly commands: RefObject<PaneCommands | null> }) {
  const moment = useMoment(momentId);
  const messages = useMessages(momentId);
  const customer = useCustomerProfile(moment.data?.customerId);
  const { agentName } = useNames();
  // The workspace's own "due soon", so the timer turns amber when the inbox's due-soon view lists it.
  const dueSoonMinutes = useWorkspaceSettings().data?.moments.dueSoonMinutes;
  const composer = useRef<ComposerHandle>(null);
  const actions = useRef<ActionsHandle>(null);
  const thread = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const navigate = useNavigate();
  const narrow = useNarrowScreen();
  const [detailsOpen, { open: openDetails, close: closeDetails }] = useDisclosure(false);

  useImperativeHandle(commands, () => ({
    reply: () => composer.current?.focusReply(),
    resolve: () => actions.current?.resolve(),
    assign: () => actions.current?.assign(),
    focusThread: () => heading.current?.focus(),
    openCustomer: () => {
      if (moment.data) void navigate(`/customers/${moment.data.customerId}`);
    },
  }));
  // Newest message in view when the thread loads or grows.
  const count = messages.data?.length ?? 0;
  useEffect(() => {
    thread.current?.scrollTo({ top: thread.current.scrollHeight });
  }, [count]);

  if (moment.isError) return <ErrorNotice error={moment.error} title="This moment did not load" onRetry={() => void moment.refetch()} />;
  if (!moment.data) return <PaneSkeleton />;
  const m = moment.data;
  const name = customer.data ? customerName(customer.data, unnamedOn(m.channel)) : '…';

  return (
    <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
      <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minWidth: 0 }}>
        <Box px="lg" py="sm" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
          <Group justify="space-between" align="flex-start" wrap={narrow ? 'wrap' : 'nowrap'} gap={narrow ? 'xs' : 'md'}>
            <Stack gap={4} style={{ minWidth: 0 }}>
              <Title order={2} size="h4" ref={heading} tabIndex={-1} style={{ outlineOffset: 2 }} data-testid="moment-subject">
                {m.subject || '(no subject)'}
              </Title>
              <Group gap={6}>
                <Text size="sm" c="dimmed">
                  with{' '}
                  {/* Underlined: a link within a sentence must not be told apart by its colour alone. */}
                  <Anchor component={Link} to={`/customers/${m.customerId}`} size="sm" underline="always">
                    {name}
                  </Anchor>
                </Text>
                <Badge size="sm" variant="outline" color="gray">
                  {channelLabel(m.channel)}
                </Badge>
                <Badge size="sm" variant="light" color={STATUS_COLOR[m.status]} data-testid="moment-status">
                  {m.status}
                </Badge>
                {m.priority !== 'normal' && (
                  <Badge size="sm" variant="light" color={PRIORITY_COLOR[m.priority]}>
                    {m.priority}
                  </Badge>
                )}
                {m.tags.map((t) => (
                  <Badge key={t} size="sm" variant="dot" color="gray">
                    {t}
                  </Badge>
                ))}
              </Group>
            </Stack>
            <Stack gap={6} align={narrow ? 'flex-start' : 'flex-end'}>
              <SlaTimer sla={m.sla} dueSoonMs={dueSoonMinutes === undefined ? undefined : dueSoonMinutes * 60_000} />
              <Group gap="xs">
                <MomentActions ref={actions} moment={m} viewer={viewer} />
                {narrow && (
                  <Button size="xs" variant="default" leftSection={<IconInfoCircle size={14} aria-hidden />} onClick={openDetails}>
                    Details
                  </Button>
                )}
              </Group>
            </Stack>
          </Group>
        </Box>
        <HandoffBanner moment={m} viewer={viewer} />
        <ScrollArea viewportRef={thread} style={{ flex: 1 }} px="lg" py="md" type="auto">
          {messages.isPending ? (
            <Stack>
              <Skeleton height={60} width="60%" />
              <Skeleton height={60} width="50%" ml="auto" />
            </Stack>
          ) : messages.isError ? (
            <ErrorNotice error={messages.error} title="The conversation did not load" onRetry={() => void messages.refetch()} />
          ) : (
            <Box py="xs">
              <Thread messages={messages.data} customerName={name} />
            </Box>
          )}
        </ScrollArea>
        <TypingLine momentId={m.id} viewerAgentId={viewer.agentId} customerName={name} agentName={agentName} />
        <Composer ref={composer} moment={m} messages={messages.data ?? []} viewer={viewer} readOnly={viewer.role === 'analyst'} />
      </Box>
      {narrow ? (
        <Drawer opened={detailsOpen} onClose={closeDetails} position="right" size="100%" title="Details">
          <MomentDetails moment={m} viewer={viewer} />
        </Drawer>
      ) : (
        <Box component="aside" aria-label="Details" w={300} p="md" style={{ borderLeft: '1px solid var(--mantine-color-default-border)', overflowY: 'auto', flexShrink: 0 }}>
          <MomentDetails moment={m} viewer={viewer} />
        </Box>
      )}
    </Box>
  );
}

/** Who the customer is, who owns the moment, its deadlines and its history: beside the thread, or in a drawer on a phone. */
function MomentDetails({ moment: m, viewer }: { readonly moment: Moment; readonly viewer: Viewer }) {
  const { agentName, teamName } = useNames();
  return (
    <Stack gap="md">
      <Titled label="Customer">
        <CustomerCard customerId={m.customerId} momentId={m.id} />
      </Titled>
      <Divider />
      <Detail label="Owner" value={m.ownerId === viewer.agentId ? `${agentName(m.ownerId)} (you)` : agentName(m.ownerId)} testId="moment-owner" />
      <Detail label="Team" value={teamName(m.teamId)} />
      {m.queued && m.queuedAt && <Detail label="Waiting in line since" value={fullTime(m.queuedAt)} />}
      {m.snoozedUntil && m.status === 'snoozed' && <Detail label="Snoozed until" value={fullTime(m.snoozedUntil)} />}
      <Detail label="Opened" value={fullTime(m.createdAt)} />
      {m.status !== 'resolved' && m.status !== 'closed' && <SlaDeadlines sla={m.sla} />}
      <Divider />
      <Titled label="Ownership history">
        <OwnershipHistory momentId={m.id} />
      </Titled>
    </Stack>
  );
}

/** A side-panel heading over what it names. */
function DetailLabel({ children, mb }: { readonly children: ReactNode; readonly mb?: string }) {
  return (
    <Text size="xs" fw={600} c="dimmed" tt="uppercase" mb={mb}>
      {children}
    </Text>
  );
}

function Titled({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <div>
      <DetailLabel mb="xs">{label}</DetailLabel>
      {children}
    </div>
  );
}

function Detail({ label, value, testId }: { readonly label: string; readonly value: string; readonly testId?: string }) {
  return (
    <div>
      <DetailLabel>{label}</DetailLabel>
      <Text size="sm" data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

function SlaDeadlines({ sla }: { readonly sla: Moment['sla'] }) {
  const rows = [
    ['First response due', sla.firstResponseDue],
    ['Next response due', sla.nextResponseDue],
    ['Resolution due', sla.resolutionDue],
  ].filter((r): r is [string, string] => r[1] !== null);
  return (
    <>
      {rows.map(([label, at]) => (
        <Detail key={label} label={label} value={fullTime(at)} />
      ))}
    </>
  );
}

function PaneSkeleton() {
  return (
    <Stack p="lg" gap="md" role="status" aria-busy="true" aria-label="Loading the moment">
      <Skeleton height={24} width="50%" />
      <Skeleton height={14} width="30%" />
      <Skeleton height={80} mt="md" />
      <Skeleton height={80} width="70%" ml="auto" />
    </Stack>
  );
}
