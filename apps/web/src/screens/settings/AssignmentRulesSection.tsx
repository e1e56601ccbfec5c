import { ActionIcon, Badge, Box, Button, Group, Paper, Select, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import { IconArrowDown, IconArrowUp } from '@tabler/icons-react';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useBusinessUnits, useTeams } from '../../api/directory.ts';
import { keys } from '../../api/keys.ts';
import { useAssignmentRules, useSettingsWrite } from '../../api/settings.ts';
import type { AssignmentRule } from '../../api/types.ts';
import { channelLabel } from '../../ui/format.ts';
import { stageLabel } from '../customer/customer-view.ts';
import { ConditionsEditor } from './ConditionsEditor.tsx';
import { FormDialog, Loaded, SaveError, Section } from './parts.tsx';
import { conditionErrors, conditionsFromForm, describeConditions, EMPTY_CONDITIONS, formFromConditions, moved, type ConditionsForm } from './rule-conditions.ts';
import { RuleTester } from './RuleTester.tsx';

export function AssignmentRulesSection() {
  const rules = useAssignmentRules();
  const teams = useTeams().data ?? [];
  const units = useBusinessUnits().data ?? [];
  const [editing, setEditing] = useState<AssignmentRule | 'new' | null>(null);
  const reorder = useSettingsWrite((ids: string[]) => api.put('/assignment-rules/order', { ids }), [keys.settings.rules]);
  const toggle = useSettingsWrite((r: AssignmentRule) => api.patch(`/assignment-rules/${r.id}`, { enabled: !r.enabled }), [keys.settings.rules]);
  const remove = useSettingsWrite((r: AssignmentRule) => api.delete(`/assignment-rules/${r.id}`), [keys.settings.rules]);
  const names = { businessUnit: (id: string) => units.find((u) => u.id === id)?.name ?? 'a business unit', channel: channelLabel, stage: stageLabel };
  const teamName = (id: string) => teams.find((t) => t.id === id)?.name ?? 'a deleted team';

  return (
    <Section
      title="Assignment rules"
      description="Tried in order for every new moment: the first rule that matches names the team (and skills) that gets it. When none matches, the workspace's default team does."
      action={<Button onClick={() => setEditing('new')}>New rule</Button>}
    >
      <Box style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 360px', gap: 'var(--mantine-spacing-lg)', alignItems: 'start' }}>
        <Stack gap="xs">
          <Loaded query={rules} empty="No rules yet: every moment goes to the default team. Add a rule to send, say, WhatsApp moments in Portuguese to the Brazil team.">
            {(data) => (
              <Stack gap="xs" component="ol" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Rules, first tried first">
                {data.map((rule, i) => (
                  <Paper key={rule.id} withBorder p="sm" component="li" data-testid="assignment-rule" opacity={rule.enabled ? 1 : 0.7}>
                    <Group justify="space-between" wrap="nowrap" align="flex-start">
                      <Group gap="sm" wrap="nowrap" align="flex-start" style={{ minWidth: 0 }}>
                        <Stack gap={2}>
                          <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Move ${rule.name} up`} disabled={i === 0 || reorder.isPending} onClick={() => reorder.mutate(moved(data, i, -1).map((r) => r.id))}>
                            <IconArrowUp size={14} aria-hidden />
                          </ActionIcon>
                          <ActionIcon
                            size="sm"
                            variant="subtle"
                            color="gray"
                            aria-label={`Move ${rule.name} down`}
                            disabled={i === data.length - 1 || reorder.isPending}
                            onClick={() => reorder.mutate(moved(data, i, 1).map((r) => r.id))}
                          >
                            <IconArrowDown size={14} aria-hidden />
                          </ActionIcon>
                        </Stack>
                        <div style={{ minWidth: 0 }}>
                          <Text size="sm" fw={600}>
                            {i + 1}. {rule.name} {!rule.enabled && <Badge size="xs" color="gray">off</Badge>}
                          </Text>
                          <Text size="sm">
                            When {describeConditions(rule.conditions, names)} → <strong>{teamName(rule.teamId)}</strong>
                          </Text>
                          {rule.requiredSkills.length > 0 && (
                            <Text size="xs" c="dimmed">
                              needs {rule.requiredSkills.join(', ')}
                            </Text>
                          )}
                        </div>
                      </Group>
                      <Group gap="xs" wrap="nowrap">
                        <Switch aria-label={`${rule.name} enabled`} checked={rule.enabled} onChange={() => toggle.mutate(rule)} />
                        <Button size="xs" variant="default" onClick={() => setEditing(rule)} aria-label={`Edit ${rule.name}`}>
                          Edit
                        </Button>
                        <Button size="xs" variant="subtle" color="red" aria-label={`Delete ${rule.name}`} onClick={() => window.confirm(`Delete the rule “${rule.name}”?`) && remove.mutate(rule)}>
                          Delete
                        </Button>
                      </Group>
                    </Group>
                  </Paper>
                ))}
              </Stack>
            )}
          </Loaded>
          <SaveError error={reorder.error ?? toggle.error ?? remove.error} />
        </Stack>
        <RuleTester />
      </Box>
      {editing && <RuleForm rule={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Section>
  );
}

function RuleForm({ rule, onClose }: { readonly rule?: AssignmentRule; readonly onClose: () => void }) {
  const teams = useTeams().data ?? [];
  const [name, setName] = useState(rule?.name ?? '');
  const [teamId, setTeamId] = useState<string | null>(rule?.teamId ?? null);
  const [conditions, setConditions] = useState<ConditionsForm>(rule ? formFromConditions(rule.conditions) : EMPTY_CONDITIONS);
  const [skills, setSkills] = useState<string[]>([...(rule?.requiredSkills ?? [])]);
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const errors = conditionErrors(conditions);
  const save = useSettingsWrite(
    (body: object) => (rule ? api.patch(`/assignment-rules/${rule.id}`, body) : api.post('/assignment-rules', body)),
    [keys.settings.rules],
  );
  const submit = () => {
    if (Object.keys(errors).length || !teamId) return;
    save.mutate({ name: name.trim(), teamId, conditions: conditionsFromForm(conditions), requiredSkills: skills, enabled }, { onSuccess: onClose });
  };
  return (
    <FormDialog
      title={rule ? `Rule “${rule.name}”` : 'New assignment rule'}
      size="lg"
      onClose={onClose}
      onSubmit={submit}
      error={save.error}
      pending={save.isPending}
      disabled={!name.trim() || !teamId}
      submitLabel={rule ? 'Save rule' : 'Create rule'}
    >
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
      <ConditionsEditor value={conditions} errors={errors} onChange={setConditions} />
      <Select label="Goes to team" required data={teams.map((t) => ({ value: t.id, label: t.name }))} value={teamId} onChange={setTeamId} placeholder={teams.length ? 'Choose a team' : 'Create a team first'} />
      <TagsInput label="Required skills" description="Teams with the skills strategy pick only members who have all of them" value={skills} onChange={setSkills} />
      <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
    </FormDialog>
  );
}
