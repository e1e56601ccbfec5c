import { Badge, Button, PasswordInput, Select, Table, TagsInput, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAgents, useNames } from '../../api/directory.ts';
import { keys } from '../../api/keys.ts';
import { useSettingsWrite, useWorkspaceSettings } from '../../api/settings.ts';
import type { Agent, Role } from '../../api/types.ts';
import { CapacityEditor } from './CapacityEditor.tsx';
import { capacityFromRows, describeCapacity, rowsFromCapacity, type CapacityRow } from './capacity.ts';
import { EMAIL_PATTERN, formErrors } from './form-errors.ts';
import { FormDialog, ListTable, Loaded, Section, EditCell } from './parts.tsx';

export const ROLES: readonly { readonly value: Role; readonly label: string }[] = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'agent', label: 'Agent' },
  { value: 'analyst', label: 'Analyst (read only)' },
];
const PRESENCE_COLOR: Readonly<Record<string, string>> = { online: 'teal', away: 'yellow', offline: 'gray' };

export function AgentsSection() {
  const agents = useAgents({ fresh: true });
  const defaultCapacity = useWorkspaceSettings().data?.moments.defaultCapacity;
  const [editing, setEditing] = useState<Agent | 'new' | null>(null);
  return (
    <Section
      title="Agents"
      description="The people who work in Touchpoint: their role, the skills rules can require, and how many moments they may hold at once on each channel."
      action={<Button onClick={() => setEditing('new')}>Add agent</Button>}
    >
      <Loaded query={agents} empty="Nobody but you yet. Add the people who will answer customers.">
        {(data) => (
          <ListTable columns={['Name', 'Role', 'Presence', 'Skills', 'Capacity']}>
              {data.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <Text size="sm">{a.name}</Text>
                    <Text size="xs" c="dimmed">
                      {a.email}
                    </Text>
                  </Table.Td>
                  <Table.Td>{ROLES.find((r) => r.value === a.role)?.label ?? a.role}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={PRESENCE_COLOR[a.presence] ?? 'gray'}>
                      {a.presence}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{a.skills.join(', ') || '—'}</Table.Td>
                  <Table.Td>{describeCapacity(a.capacity, defaultCapacity)}</Table.Td>
                  <EditCell name={a.name} onEdit={() => setEditing(a)} />
                </Table.Tr>
              ))}
            </ListTable>
        )}
      </Loaded>
      {editing === 'new' && <NewAgent onClose={() => setEditing(null)} />}
      {editing && editing !== 'new' && <EditAgent agent={editing} defaultCapacity={defaultCapacity} onClose={() => setEditing(null)} />}
    </Section>
  );
}

function EditAgent({ agent, defaultCapacity, onClose }: { readonly agent: Agent; readonly defaultCapacity?: number; readonly onClose: () => void }) {
  const { teamName } = useNames();
  const [role, setRole] = useState<Role>(agent.role);
  const [skills, setSkills] = useState<string[]>([...agent.skills]);
  const [rows, setRows] = useState<CapacityRow[]>(rowsFromCapacity(agent.capacity));
  const [tried, setTried] = useState(false);
  const { capacity, errors } = capacityFromRows(rows);
  const save = useSettingsWrite((body: object) => api.patch(`/agents/${agent.id}`, body), [keys.agents]);
  const submit = () => {
    setTried(true);
    if (Object.keys(errors).length) return;
    save.mutate({ role, skills, capacity }, { onSuccess: onClose });
  };
  return (
    <FormDialog title={agent.name} size="lg" onClose={onClose} onSubmit={submit} error={save.error} pending={save.isPending} submitLabel="Save agent">
    <Text size="sm" c="dimmed">
        {agent.email} · {agent.teamIds.map(teamName).join(', ') || 'in no team'}
      </Text>
      <Select label="Role" data={ROLES} value={role} onChange={(v) => v && setRole(v as Role)} allowDeselect={false} />
      <TagsInput label="Skills" description="Press Enter after each; rules can require them (e.g. french, billing)" value={skills} onChange={setSkills} />
      <CapacityEditor rows={rows} errors={tried ? errors : {}} onChange={setRows} defaultCapacity={defaultCapacity} />
    </FormDialog>
  );
}

const EMAIL_RULE = 'Type a whole email address, like ana@example.com';
const PASSWORD_RULE = 'At least 10 characters';

function NewAgent({ onClose }: { readonly onClose: () => void }) {
  const [form, setForm] = useState({ name: '', email: '', role: 'agent' as Role, password: '' });
  const [tried, setTried] = useState(false);
  const save = useSettingsWrite((body: typeof form) => api.post('/agents', body), [keys.agents]);
  const checks = { email: EMAIL_PATTERN.test(form.email.trim()) ? null : EMAIL_RULE, password: form.password.length >= 10 ? null : PASSWORD_RULE };
  const errors = formErrors(checks, tried, save.error, ['name', 'email', 'role', 'password'], { email: EMAIL_RULE, password: PASSWORD_RULE });
  const submit = () => {
    setTried(true);
    if (Object.values(checks).some(Boolean)) return;
    save.mutate({ ...form, email: form.email.trim() }, { onSuccess: onClose });
  };
  return (
    <FormDialog title="Add agent" onClose={onClose} onSubmit={submit} error={errors.other} pending={save.isPending} submitLabel="Add agent">
      <TextInput label="Name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={errors.fields.name} data-autofocus />
      <TextInput label="Email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} error={errors.fields.email} />
      <Select label="Role" data={ROLES} value={form.role} onChange={(v) => v && setForm({ ...form, role: v as Role })} allowDeselect={false} error={errors.fields.role} />
      <PasswordInput label="First password" description="At least 10 characters; tell them to change it" required value={form.password} onChange={(e) => setForm({ ...form, password: e.currentTarget.value })} error={errors.fields.password} />
    </FormDialog>
  );
}
