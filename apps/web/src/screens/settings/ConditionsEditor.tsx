import { ActionIcon, Button, Group, MultiSelect, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useBusinessUnits } from '../../api/directory.ts';
import { STAGES, type Stage } from '../../api/types.ts';
import { STAGE_LABEL } from '../customer/customer-view.ts';
import { CHANNEL_KINDS } from './parts.tsx';
import type { ConditionsForm } from './rule-conditions.ts';

/** What a moment must have for a rule to apply; each filled condition must hold (all of them). */
export function ConditionsEditor({ value, errors, onChange }: { readonly value: ConditionsForm; readonly errors: Readonly<Record<string, string>>; readonly onChange: (next: ConditionsForm) => void }) {
  const units = useBusinessUnits().data ?? [];
  const set = (patch: Partial<ConditionsForm>) => onChange({ ...value, ...patch });
  const setTrait = (index: number, patch: Partial<ConditionsForm['traits'][number]>) => set({ traits: value.traits.map((t, i) => (i === index ? { ...t, ...patch } : t)) });
  return (
    <Stack gap="sm" role="group" aria-label="Conditions">
      <Text size="sm" c="dimmed">
        A moment matches when every condition you fill in holds; within one condition, any of its values will do. Leave all empty to match every moment.
      </Text>
      <MultiSelect label="Channels" placeholder="Any channel" data={CHANNEL_KINDS} value={[...value.channels]} onChange={(channels) => set({ channels })} />
      {units.length > 0 && (
        <MultiSelect label="Business units" placeholder="Any business unit" data={units.map((u) => ({ value: u.id, label: u.name }))} value={[...value.businessUnitIds]} onChange={(businessUnitIds) => set({ businessUnitIds })} />
      )}
      <MultiSelect label="Lifecycle stages" placeholder="Any stage" data={STAGES.map((s) => ({ value: s, label: STAGE_LABEL[s] }))} value={[...value.stages]} onChange={(stages) => set({ stages: stages as Stage[] })} />
      <TagsInput label="Languages" description="Language tags: “pt” matches pt-BR and pt-PT" placeholder="Any language" value={[...value.languages]} onChange={(languages) => set({ languages })} />
      <TagsInput label="Keywords" description="Whole words or phrases in the subject or first message; case and accents ignored" value={[...value.keywords]} onChange={(keywords) => set({ keywords })} />
      <Stack gap={6}>
        <Text size="sm" fw={500}>
          Customer traits
        </Text>
        {value.traits.map((t, i) => (
          <Group key={i} gap="xs" align="flex-start">
            <TextInput aria-label={`Trait ${i + 1} name`} placeholder="plan" value={t.key} onChange={(e) => setTrait(i, { key: e.currentTarget.value })} error={errors[`traits.${i}.key`]} w={180} />
            <Text size="sm" pt={6} aria-hidden>
              =
            </Text>
            <TextInput aria-label={`Trait ${i + 1} value`} placeholder="pro" value={t.value} onChange={(e) => setTrait(i, { value: e.currentTarget.value })} w={180} />
            <ActionIcon variant="subtle" color="gray" mt={4} aria-label={`Remove trait ${i + 1}`} onClick={() => set({ traits: value.traits.filter((_, j) => j !== i) })}>
              <IconTrash size={16} aria-hidden />
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button size="xs" variant="default" onClick={() => set({ traits: [...value.traits, { key: '', value: '' }] })}>
            Add a trait condition
          </Button>
        </Group>
      </Stack>
    </Stack>
  );
}
