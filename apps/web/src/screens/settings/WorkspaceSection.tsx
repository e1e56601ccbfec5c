import { Button, Group, NumberInput, Paper, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../../api/client.ts';
import { useTeams } from '../../api/directory.ts';
import { keys } from '../../api/keys.ts';
import { useSettingsWrite, useWorkspaceSettings } from '../../api/settings.ts';
import type { WorkspaceSettings } from '../../api/types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { SaveError, Section } from './parts.tsx';

type Editable<T> = { -readonly [F in keyof T]: T[F] };
type Form = { defaultCountry: string | null; defaultCurrency: string; lifecycle: Editable<WorkspaceSettings['lifecycle']>; moments: Editable<WorkspaceSettings['moments']> };

/** ISO 4217 codes this browser knows; the server checks the same list. */
const CURRENCIES: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : ['EUR', 'GBP', 'USD'];
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** "United Kingdom" for GB; null for what is no region's code (the server says which it takes). */
const countryName = (code: string | null) => (code && /^[A-Z]{2}$/.test(code) ? (regionNames.of(code) ?? null) : null);
const describeCountry = (name: string | null) =>
  name ? `Numbers without +country code count as ${name} numbers` : "Numbers without +country code count as this country's (ISO 3166, like GB)";

export function WorkspaceSection() {
  const settings = useWorkspaceSettings();
  const teams = useTeams().data ?? [];
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (settings.data && !form) {
      const { defaultCountry, defaultCurrency, lifecycle, moments } = settings.data;
      setForm({ defaultCountry, defaultCurrency, lifecycle: { ...lifecycle }, moments: { ...moments } });
    }
  }, [settings.data, form]);
  const save = useSettingsWrite((body: Form) => api.patch('/workspace/settings', body), [keys.settings.workspace]);
  if (settings.error) return <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} />;
  if (!form) return <Text size="sm">Loading…</Text>;
  const edit = (patch: Partial<Form>) => (setSaved(false), setForm({ ...form, ...patch }));
  const life = (patch: Partial<Form['lifecycle']>) => edit({ lifecycle: { ...form.lifecycle, ...patch } });
  const mom = (patch: Partial<Form['moments']>) => edit({ moments: { ...form.moments, ...patch } });
  const whole = (v: string | number, fallback: number) => (typeof v === 'number' ? v : fallback);
  return (
    <Section title="Customers and moments" description="How phone numbers and order amounts are read, how customers move through lifecycle stages, and the defaults every moment starts with.">
      <Stack component="form" onSubmit={(e) => (e.preventDefault(), save.mutate(form, { onSuccess: () => setSaved(true) }))}>
        <Panel title="Customers">
          <SimpleGrid cols={2}>
            <TextInput
              label="Default phone country"
              description={describeCountry(countryName(form.defaultCountry))}
              placeholder="None: only international numbers"
              value={form.defaultCountry ?? ''}
              onChange={(e) => edit({ defaultCountry: e.currentTarget.value.trim().toUpperCase() || null })}
              maxLength={2}
            />
            <Select
              label="Default currency"
              description="Order amounts that name no currency count in it; revenue is summed per currency"
              data={[...CURRENCIES]}
              value={form.defaultCurrency}
              onChange={(code) => code && edit({ defaultCurrency: code })}
              searchable
              allowDeselect={false}
            />
          </SimpleGrid>
        </Panel>
        <Panel title="Lifecycle rules">
          <Stack gap="sm">
            <TagsInput label="Lead events" description="Any of these makes someone a lead" value={[...form.lifecycle.leadEvents]} onChange={(leadEvents) => life({ leadEvents })} />
            <TagsInput label="Order events" description="Each counts as an order" value={[...form.lifecycle.orderEvents]} onChange={(orderEvents) => life({ orderEvents })} />
            <TagsInput label="Advocate events" description="A customer who sends one is an advocate" value={[...form.lifecycle.advocateEvents]} onChange={(advocateEvents) => life({ advocateEvents })} />
            <SimpleGrid cols={3}>
              <NumberInput label="Repeat customer after (orders)" min={2} allowDecimal={false} value={form.lifecycle.repeatAfterOrders} onChange={(v) => life({ repeatAfterOrders: whole(v, 2) })} />
              <NumberInput label="At risk after (days silent)" min={1} allowDecimal={false} value={form.lifecycle.atRiskAfterDays} onChange={(v) => life({ atRiskAfterDays: whole(v, 60) })} />
              <NumberInput label="Churned after (days silent)" min={1} allowDecimal={false} value={form.lifecycle.churnedAfterDays} onChange={(v) => life({ churnedAfterDays: whole(v, 180) })} />
            </SimpleGrid>
          </Stack>
        </Panel>
        <Panel title="Moments">
          <SimpleGrid cols={2}>
            <Select
              label="Default team"
              description="Gets moments no assignment rule matches"
              data={teams.map((t) => ({ value: t.id, label: t.name }))}
              value={form.moments.defaultTeamId}
              onChange={(defaultTeamId) => mom({ defaultTeamId })}
              clearable
              placeholder="None: the workspace owner holds them"
            />
            <NumberInput label="Reopen window (hours)" description="A resolved moment reopens when the customer writes within it" min={0} allowDecimal={false} value={form.moments.reopenWindowHours} onChange={(v) => mom({ reopenWindowHours: whole(v, 72) })} />
            <NumberInput label="Default capacity" description="Moments an agent holds at once, unless set per agent" min={1} allowDecimal={false} value={form.moments.defaultCapacity} onChange={(v) => mom({ defaultCapacity: whole(v, 5) })} />
            <NumberInput label="“Due soon” (minutes)" description="How close to a deadline a moment counts as due soon" min={1} allowDecimal={false} value={form.moments.dueSoonMinutes} onChange={(v) => mom({ dueSoonMinutes: whole(v, 30) })} />
          </SimpleGrid>
        </Panel>
        <SaveError error={save.error} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save settings
          </Button>
          {saved && (
            <Text size="sm" c="teal.9" role="status">
              Saved.
            </Text>
          )}
        </Group>
      </Stack>
    </Section>
  );
}

/** One titled group of the form's fields. */
function Panel({ title, children }: { readonly title: string; readonly children: ReactNode }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      {children}
    </Paper>
  );
}
