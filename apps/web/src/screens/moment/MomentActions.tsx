import { Alert, Badge, Button, Checkbox, Group, Menu, Modal, SegmentedControl, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconAlarm, IconArrowBackUp, IconArrowsExchange, IconCheck, IconChevronDown, IconFlag, IconHandGrab, IconUserPlus } from '@tabler/icons-react';
import { useImperativeHandle, useState, type FormEvent, type ReactNode, type Ref } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useAgents, useNames, useTeams } from '../../api/directory.ts';
import { useMomentAction, type MomentAction } from './use-moment-actions.ts';
import type { Agent, Moment } from '../../api/types.ts';
import { isManager } from '../../app/session.ts';
import { useNarrowScreen } from '../../app/use-narrow-screen.ts';
import { ACTIVE_STATUSES, type Viewer } from '../inbox/inbox-filters.ts';

export type ActionsHandle = { readonly resolve: () => void; readonly assign: () => void };
type Dialog = 'assign' | 'handoff' | 'escalate' | 'snooze' | null;

/** What this person may do to the moment now (the server checks again). */
export function allowedActions(moment: Moment, viewer: Viewer) {
  const readOnly = viewer.role === 'analyst';
  const owner = moment.ownerId === viewer.agentId;
  const manages = isManager(viewer.role);
  const mayAct = !readOnly && (owner || manages);
  const active = ACTIVE_STATUSES.includes(moment.status);
  return {
    takeOver: !readOnly && !owner && viewer.agentId !== null && moment.status !== 'closed',
    assign: !readOnly && manages && moment.status !== 'closed',
    handoff: mayAct && active && moment.handoff === null,
    escalate: mayAct && active,
    snooze: mayAct && (moment.status === 'open' || moment.status === 'pending'),
    pending: mayAct && moment.status === 'open',
    resolve: mayAct && active,
    reopen: mayAct && moment.status === 'resolved',
    // The server lets pending and snoozed moments go straight back to open (update-moment.ts TRANSITIONS).
    backToOpen: mayAct && moment.status === 'pending',
    wake: mayAct && moment.status === 'snoozed',
  };
}

/** The moment's actions: resolve, reopen or wake up front, the rest one click away, each with the form it needs. */
export function MomentActions({ ref, moment, viewer }: { readonly ref?: Ref<ActionsHandle>; readonly moment: Moment; readonly viewer: Viewer }) {
  const act = useMomentAction(moment.id, viewer);
  const narrow = useNarrowScreen();
  const [dialog, setDialogState] = useState<Dialog>(null);
  // Each opening starts with an empty form; a refusal keeps the form open with what was typed.
  const [opening, setOpening] = useState(0);
  const setDialog = (next: Dialog) => {
    if (next) {
      act.reset();
      setOpening((n) => n + 1);
    }
    setDialogState(next);
  };
  const can = allowedActions(moment, viewer);
  const run = (action: MomentAction) => act.mutate(action);
  const resolve = () => can.resolve && run({ method: 'PATCH', path: '', body: { status: 'resolved' } });

  useImperativeHandle(ref, () => ({ resolve, assign: () => (can.assign || can.takeOver) && setDialog('assign') }));
  const close = () => {
    setDialog(null);
    act.reset();
  };

  if (viewer.role === 'analyst') return null;
  return (
    <>
      {/* On a phone the buttons wrap rather than run off the screen. */}
      <Group gap="xs" wrap={narrow ? 'wrap' : 'nowrap'}>
        {can.takeOver && (
          <Button size="xs" variant="light" leftSection={<IconHandGrab size={14} aria-hidden />} loading={act.isPending && act.variables?.path === '/take-over'} onClick={() => run({ method: 'POST', path: '/take-over', body: {} })}>
            Take over
          </Button>
        )}
        {can.resolve && (
          <Button size="xs" color="teal" leftSection={<IconCheck size={14} aria-hidden />} onClick={resolve} loading={act.isPending && isStatus(act.variables, 'resolved')}>
            Resolve
          </Button>
        )}
        {(can.reopen || can.backToOpen || can.wake) && (
          <Button size="xs" variant="light" leftSection={<IconArrowBackUp size={14} aria-hidden />} loading={act.isPending && isStatus(act.variables, 'open')} onClick={() => run({ method: 'PATCH', path: '', body: { status: 'open' } })}>
            {can.wake ? 'Wake now' : can.backToOpen ? 'Back to open' : 'Reopen'}
          </Button>
        )}
        {(can.assign || can.handoff || can.escalate || can.snooze || can.pending) && (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button size="xs" variant="default" rightSection={<IconChevronDown size={14} aria-hidden />}>
                More actions
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {can.assign && (
                <Menu.Item leftSection={<IconUserPlus size={14} aria-hidden />} onClick={() => setDialog('assign')}>
                  Assign…
                </Menu.Item>
              )}
              {can.handoff && (
                <Menu.Item leftSection={<IconArrowsExchange size={14} aria-hidden />} onClick={() => setDialog('handoff')}>
                  Hand off…
                </Menu.Item>
              )}
              {can.escalate && (
                <Menu.Item leftSection={<IconFlag size={14} aria-hidden />} onClick={() => setDialog('escalate')}>
                  Escalate…
                </Menu.Item>
              )}
              {can.snooze && (
                <Menu.Item leftSection={<IconAlarm size={14} aria-hidden />} onClick={() => setDialog('snooze')}>
                  Snooze…
                </Menu.Item>
              )}
              {can.pending && <Menu.Item onClick={() => run({ method: 'PATCH', path: '', body: { status: 'pending' } })}>Waiting on the customer</Menu.Item>}
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
      {act.isError && dialog === null && (
        <Alert color="red" variant="light" p="xs" mt="xs" role="alert" withCloseButton onClose={() => act.reset()} closeButtonLabel="Dismiss">
          <Text size="sm">{errorMessage(act.error)}</Text>
        </Alert>
      )}
      <AssignDialog key={`assign-${opening}`} opened={dialog === 'assign'} moment={moment} viewer={viewer} mayAssign={can.assign} act={act} onClose={close} />
      <HandoffDialog key={`handoff-${opening}`} opened={dialog === 'handoff'} moment={moment} act={act} onClose={close} />
      <EscalateDialog key={`escalate-${opening}`} opened={dialog === 'escalate'} act={act} onClose={close} />
      <SnoozeDialog key={`snooze-${opening}`} opened={dialog === 'snooze'} act={act} onClose={close} />
    </>
  );
}

const isStatus = (action: MomentAction | undefined, status: string) => action?.method === 'PATCH' && (action.body as { status?: string }).status === status;

type ActProps = { readonly act: ReturnType<typeof useMomentAction>; readonly onClose: () => void };

/** A dialog whose form keeps its values when the server says no, showing why. */
function ActionDialog({ opened, title, act, onClose, onSubmit, submitLabel, children }: ActProps & { readonly opened: boolean; readonly title: string; readonly onSubmit: () => MomentAction | null; readonly submitLabel: string; readonly children: ReactNode }) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const action = onSubmit();
    if (action) act.mutate(action, { onSuccess: onClose });
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          {children}
          {act.isError && (
            <Alert color="red" variant="light" p="xs" role="alert">
              <Text size="sm">{errorMessage(act.error)}</Text>
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={act.isPending}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

const PRESENCE_COLOR: Readonly<Record<string, string>> = { online: 'teal', away: 'yellow', offline: 'gray' };

function AssignDialog({ opened, moment, viewer, mayAssign, act, onClose }: ActProps & { readonly opened: boolean; readonly moment: Moment; readonly viewer: Viewer; readonly mayAssign: boolean }) {
  const { teamName } = useNames();
  const inTeam = (a: Agent) => moment.teamId !== null && a.teamIds.includes(moment.teamId);
  // The moment's team first, then whoever is online: the likely choices at the top.
  const agents = (useAgents().data ?? [])
    .filter((a) => a.role !== 'analyst' && a.id !== moment.ownerId)
    .sort((a, b) => Number(inTeam(b)) - Number(inTeam(a)) || Number(b.presence === 'online') - Number(a.presence === 'online') || a.name.localeCompare(b.name));
  const [agentId, setAgentId] = useState<string | null>(null);
  const [note, setNote] = useState('');
  if (!mayAssign) {
    return (
      <ActionDialog opened={opened} title="Take this moment over?" act={act} onClose={onClose} submitLabel="Take over" onSubmit={() => ({ method: 'POST', path: '/take-over', body: note.trim() ? { note: note.trim() } : {} })}>
        <Text size="sm">Only admins assign moments to others. You can take it over yourself: it becomes yours, and the history records it.</Text>
        <Textarea label="Note (optional)" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} />
      </ActionDialog>
    );
  }
  const team = moment.teamId === null ? null : teamName(moment.teamId);
  const byId = new Map(agents.map((a) => [a.id, a]));
  const chosen = agentId ? byId.get(agentId) : undefined;
  // Allowed, but rarely meant: said before it happens, not refused.
  const warnings = chosen
    ? [
        chosen.presence !== 'online' && `${chosen.name} is ${chosen.presence}: they may not see it until they are back.`,
        team !== null && !inTeam(chosen) && `${chosen.name} is not in ${team}: the moment stays with ${team}, owned by someone outside it.`,
      ].filter((w): w is string => Boolean(w))
    : [];
  return (
    <ActionDialog opened={opened} title="Assign to a person" act={act} onClose={onClose} submitLabel="Assign" onSubmit={() => (agentId ? { method: 'POST', path: '/assign', body: { agentId, ...(note.trim() ? { note: note.trim() } : {}) } } : null)}>
      <Select
        label="Person"
        placeholder="Choose who owns it"
        searchable
        required
        data={agents.map((a) => ({ value: a.id, label: a.id === viewer.agentId ? `${a.name} (you)` : a.name }))}
        renderOption={({ option }) => {
          const a = byId.get(option.value);
          return (
            <Group justify="space-between" wrap="nowrap" w="100%" gap="xs">
              <Text size="sm">{option.label}</Text>
              {a && (
                <Group gap={4} wrap="nowrap">
                  {team !== null && (
                    <Text size="xs" c="dimmed">
                      {inTeam(a) ? `in ${team}` : `not in ${team}`}
                    </Text>
                  )}
                  <Badge size="xs" variant="light" color={PRESENCE_COLOR[a.presence] ?? 'gray'}>
                    {a.presence}
                  </Badge>
                </Group>
              )}
            </Group>
          );
        }}
        value={agentId}
        onChange={setAgentId}
        data-autofocus
      />
      {warnings.length > 0 && (
        <Alert color="yellow" variant="light" p="xs" data-testid="assign-warning">
          {warnings.map((w) => (
            <Text key={w} size="sm">
              {w}
            </Text>
          ))}
        </Alert>
      )}
      <Textarea label="Note (optional)" description="Shown in the ownership history" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} />
    </ActionDialog>
  );
}

function HandoffDialog({ opened, moment, act, onClose }: ActProps & { readonly opened: boolean; readonly moment: Moment }) {
  const teams = useTeams().data ?? [];
  const agents = (useAgents().data ?? []).filter((a) => a.role !== 'analyst' && a.id !== moment.ownerId);
  const [to, setTo] = useState<'team' | 'person'>('team');
  const [teamId, setTeamId] = useState<string | null>(null);
  const [agentId, setAgentId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = (): MomentAction | null => {
    const target = to === 'team' ? teamId : agentId;
    if (!target || !reason.trim()) {
      setMissing(true);
      return null;
    }
    return { method: 'POST', path: '/handoff', body: { ...(to === 'team' ? { toTeamId: target } : { toAgentId: target }), reason: reason.trim(), ...(note.trim() ? { note: note.trim() } : {}) } };
  };
  return (
    <ActionDialog opened={opened} title="Hand off" act={act} onClose={onClose} submitLabel="Hand off" onSubmit={submit}>
      <Text size="sm" c="dimmed">
        You keep the moment, and its SLA keeps running, until they accept.
      </Text>
      <SegmentedControl
        value={to}
        onChange={(v) => setTo(v as 'team' | 'person')}
        data={[
          { value: 'team', label: 'To a team' },
          { value: 'person', label: 'To a person' },
        ]}
        aria-label="Hand off to a team or a person"
      />
      {to === 'team' ? (
        <Select
          label="Team"
          placeholder="Choose a team"
          required
          data={teams.filter((t) => t.id !== moment.teamId).map((t) => ({ value: t.id, label: t.name }))}
          value={teamId}
          onChange={setTeamId}
          error={missing && !teamId ? 'Choose the team' : undefined}
        />
      ) : (
        <Select
          label="Person"
          placeholder="Choose a person"
          searchable
          required
          data={agents.map((a) => ({ value: a.id, label: a.name }))}
          value={agentId}
          onChange={setAgentId}
          error={missing && !agentId ? 'Choose the person' : undefined}
        />
      )}
      <TextInput label="Reason" placeholder="e.g. billing question" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={missing && !reason.trim() ? 'Say why, so they know what to do' : undefined} />
      <Textarea label="Context for them (optional)" placeholder="What you found out, what the customer expects" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={3} />
    </ActionDialog>
  );
}

function EscalateDialog({ opened, act, onClose }: ActProps & { readonly opened: boolean }) {
  const [reason, setReason] = useState('');
  const [raise, setRaise] = useState(true);
  return (
    <ActionDialog opened={opened} title="Escalate to the team lead" act={act} onClose={onClose} submitLabel="Escalate" onSubmit={() => (reason.trim() ? { method: 'POST', path: '/escalate', body: { reason: reason.trim(), raisePriority: raise } } : null)}>
      <TextInput label="Reason" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} placeholder="e.g. customer threatens to cancel" data-autofocus />
      <Checkbox label="Raise the priority" checked={raise} onChange={(e) => setRaise(e.currentTarget.checked)} />
    </ActionDialog>
  );
}

/** Snooze presets, computed when the dialog opens. */
function snoozeChoices(now: Date): { value: string; label: string }[] {
  const at = (d: Date) => d.toISOString();
  const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const monday = new Date(now);
  monday.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  monday.setHours(9, 0, 0, 0);
  return [
    { value: at(hours(1)), label: 'In 1 hour' },
    { value: at(hours(4)), label: 'In 4 hours' },
    { value: at(tomorrow), label: 'Tomorrow at 9:00' },
    { value: at(monday), label: 'Next Monday at 9:00' },
  ];
}

function SnoozeDialog({ opened, act, onClose }: ActProps & { readonly opened: boolean }) {
  const [choice, setChoice] = useState<string | null>(null);
  const [custom, setCustom] = useState('');
  const [missing, setMissing] = useState(false);
  // Once per opening (the dialog is keyed by it): new times on each render would never match the chosen one.
  const [choices] = useState(() => snoozeChoices(new Date()));
  const until = custom ? new Date(custom).toISOString() : choice;
  const submit = (): MomentAction | null => {
    if (!until) {
      setMissing(true);
      return null;
    }
    return { method: 'PATCH', path: '', body: { status: 'snoozed', snoozedUntil: until } };
  };
  return (
    <ActionDialog opened={opened} title="Snooze until" act={act} onClose={onClose} submitLabel="Snooze" onSubmit={submit}>
      <Text size="sm" c="dimmed">
        It comes back by itself then, or as soon as the customer writes.
      </Text>
      <Select
        label="When"
        placeholder="Choose a time"
        data={choices}
        value={choice}
        onChange={(v) => (setChoice(v), setCustom(''))}
        error={missing && !until ? 'Choose when it comes back, or pick a date and time below' : undefined}
        data-autofocus
      />
      <TextInput label="Or pick a date and time" type="datetime-local" value={custom} onChange={(e) => (setCustom(e.currentTarget.value), setChoice(null))} />
    </ActionDialog>
  );
}
