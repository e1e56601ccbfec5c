import { Badge, Button, Group, MultiSelect, Select, Table, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAgents, useBusinessUnits, useNames, useTeams } from '../../api/directory.ts';
import { keys } from '../../api/keys.ts';
import { useSettingsWrite } from '../../api/settings.ts';
import type { Team, TeamStrategy } from '../../api/types.ts';
import { keyFrom } from './BusinessUnitsSection.tsx';
import { formErrors, KEY_PATTERN, KEY_RULE } from './form-errors.ts';
import { FormDialog, ListTable, Loaded, Section, EditCell } from './parts.tsx';

export const STRATEGIES: readonly { readonly value: TeamStrategy; readonly label: string; readonly hint: string }[] = [
  { value: 'round_robin', label: 'Round robin', hint: 'Members take new moments in turn' },
  { value: 'least_loaded', label: 'Least loaded', hint: 'The member with the fewest open moments on the channel' },
  { value: 'skills', label: 'Skills', hint: 'Only members with every skill the rule requires, then least loaded' },
];

export function TeamsSection() {
  const teams = useTeams({ fresh: true });
  const units = useBusinessUnits().data ?? [];
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const unitName = (id: string | null) => units.find((u) => u.id === id)?.name ?? '—';
  return (
    <Section
      title="Teams"
      description="Who works moments together. Each team has a strategy for handing out new moments, a lead for escalations, and a fallback owner who holds moments while nobody in the team can take them."
      action={<Button onClick={() => setEditing('new')}>New team</Button>}
    >
      <Loaded query={teams} empty="No teams yet. Create one, add its members, then point assignment rules at it.">
        {(data) => (
          <ListTable columns={['Team', 'Business unit', 'Members']}>
              {data.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>{unitName(t.businessUnitId)}</Table.Td>
                  <Table.Td>{t.memberIds.length}</Table.Td>
                  <EditCell name={t.name} onEdit={() => setEditing(t)} />
                </Table.Tr>
              ))}
            </ListTable>
        )}
      </Loaded>
      {editing && <TeamForm team={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Section>
  );
}

/** What is wrong with a new team's key, typed or made from its name. */
function keyProblem(form: { readonly name: string; readonly key: string }): string | null {
  if (form.key) return KEY_PATTERN.test(form.key) ? null : KEY_RULE;
  return keyFrom(form.name) ? null : 'The name has no letters or digits to make a key from: type one';
}

type TeamInput = { name: string; key: string; strategy: TeamStrategy; leadId: string | null; fallbackOwnerId: string | null; businessUnitId: string | null; agentIds: string[] };

function TeamForm({ team, onClose }: { readonly team?: Team; readonly onClose: () => void }) {
  const agents = useAgents({ fresh: true }).data ?? [];
  const units = useBusinessUnits().data ?? [];
  const { agentName } = useNames();
  const [form, setForm] = useState<TeamInput>({
    name: team?.name ?? '',
    key: team?.key ?? '',
    strategy: team?.strategy ?? 'round_robin',
    leadId: team?.leadId ?? null,
    fallbackOwnerId: team?.fallbackOwnerId ?? null,
    businessUnitId: team?.businessUnitId ?? null,
    agentIds: [...(team?.memberIds ?? [])],
  });
  const [tried, setTried] = useState(false);
  const set = (patch: Partial<TeamInput>) => setForm((f) => ({ ...f, ...patch }));
  const save = useSettingsWrite(
    async (input: TeamInput) => {
      const settings = { name: input.name.trim(), strategy: input.strategy, leadId: input.leadId, fallbackOwnerId: input.fallbackOwnerId };
      if (!team) {
        await api.post('/teams', { ...settings, key: input.key || keyFrom(input.name), agentIds: input.agentIds, ...(input.businessUnitId ? { businessUnitId: input.businessUnitId } : {}) });
        return;
      }
      await api.patch(`/teams/${team.id}`, { ...settings, businessUnitId: input.businessUnitId });
      const before = [...team.memberIds].sort().join();
      if ([...input.agentIds].sort().join() !== before) await api.put(`/teams/${team.id}/members`, { agentIds: input.agentIds });
    },
    [keys.teams, keys.agents],
  );
  const people = agents.filter((a) => a.role !== 'analyst').map((a) => ({ value: a.id, label: a.name }));
  const members = people.filter((p) => form.agentIds.includes(p.value));
  const errors = formErrors(team ? {} : { key: keyProblem(form) }, tried, save.error, ['name', 'key', 'strategy', 'leadId', 'fallbackOwnerId', 'businessUnitId', 'agentIds'], { key: KEY_RULE });
  const submit = () => {
    setTried(true);
    if (!team && keyProblem(form)) return;
    save.mutate(form, { onSuccess: onClose });
  };
  return (
    <FormDialog
      title={team ? `Team ${team.name}` : 'New team'}
      size="lg"
      onClose={onClose}
      onSubmit={submit}
      error={errors.other}
      pending={save.isPending}
      disabled={!form.name.trim()}
      submitLabel={team ? 'Save team' : 'Create team'}
    >
      <Group grow>
        <TextInput label="Name" required value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} error={errors.fields.name} data-autofocus />
        {!team && <TextInput label="Key" description="Made from the name if left empty" value={form.key} placeholder={keyFrom(form.name)} onChange={(e) => set({ key: e.currentTarget.value })} error={errors.fields.key} />}
      </Group>
      <Select
        label="Strategy"
        description={STRATEGIES.find((s) => s.value === form.strategy)?.hint}
        data={STRATEGIES.map((s) => ({ value: s.value, label: s.label }))}
        value={form.strategy}
        allowDeselect={false}
        onChange={(v) => v && set({ strategy: v as TeamStrategy })}
      />
      <MultiSelect label="Members" data={people} value={form.agentIds} onChange={(agentIds) => set({ agentIds })} searchable />
      <Group grow>
        <Select label="Lead" description="Receives escalations" data={members} value={form.leadId} onChange={(leadId) => set({ leadId })} clearable placeholder="Nobody" />
        <Select
          label="Fallback owner"
          description="Holds moments nobody can take"
          data={people}
          value={form.fallbackOwnerId}
          onChange={(fallbackOwnerId) => set({ fallbackOwnerId })}
          clearable
          placeholder="The workspace owner"
        />
      </Group>
      {units.length > 0 && (
        <Select label="Business unit" data={units.map((u) => ({ value: u.id, label: u.name }))} value={form.businessUnitId} onChange={(businessUnitId) => set({ businessUnitId })} clearable placeholder="None" />
      )}
      {team && (
        <Group gap={6}>
          {team.memberIds.map((id) => {
            const presence = agents.find((a) => a.id === id)?.presence ?? 'offline';
            return (
              <Badge key={id} variant="light" color={presence === 'online' ? 'teal' : 'gray'}>
                {agentName(id)} · {presence}
              </Badge>
            );
          })}
        </Group>
      )}
    </FormDialog>
  );
}
