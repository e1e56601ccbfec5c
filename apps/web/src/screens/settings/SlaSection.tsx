import { Button, Group, Modal, MultiSelect, NumberInput, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useBusinessUnits } from '../../api/directory.ts';
import { keys } from '../../api/keys.ts';
import { useBusinessHours, useSettingsWrite, useSlaPolicies } from '../../api/settings.ts';
import type { BusinessHours, Priority, SlaPolicy, Weekday } from '../../api/types.ts';
import { channelLabel } from '../../ui/format.ts';
import { parseHolidays, rangesText, timeZoneChoices, WEEKDAYS, weeklyFromText } from './business-hours.ts';
import { formErrors } from './form-errors.ts';
import { CHANNEL_KINDS, FormDialog, ListTable, Loaded, minutesText, SaveError, Section, EditCell } from './parts.tsx';

const BREACH_ACTIONS = [
  { value: 'notify_lead', label: 'Tell the team lead' },
  { value: 'raise_priority', label: 'Raise the priority' },
  { value: 'reassign', label: 'Reassign' },
];
const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'normal', 'low'];

export function SlaSection() {
  const policies = useSlaPolicies();
  const hours = useBusinessHours();
  const units = useBusinessUnits().data ?? [];
  const [policy, setPolicy] = useState<SlaPolicy | 'new' | null>(null);
  const [schedule, setSchedule] = useState<BusinessHours | 'new' | null>(null);
  const hoursName = (id: string | null) => (id ? (hours.data?.find((h) => h.id === id)?.name ?? 'deleted hours') : 'around the clock');
  const scope = (p: SlaPolicy) =>
    [p.priority ?? 'any priority', p.channel ? channelLabel(p.channel) : 'any channel', p.businessUnitId ? (units.find((u) => u.id === p.businessUnitId)?.name ?? 'a business unit') : null].filter(Boolean).join(' · ');
  return (
    <Stack gap="xl">
      <Section
        title="SLA policies"
        description="How fast moments get a first response, each next response and a resolution. The most specific policy that fits a moment's priority, channel and business unit applies; its clock counts business hours when it has them."
        action={<Button onClick={() => setPolicy('new')}>New policy</Button>}
      >
        <Loaded query={policies} empty="No SLA policies: moments have no deadlines. Add one (for example: first response in 1 h, resolution in 8 h).">
          {(data) => (
            <ListTable columns={['Policy', 'Applies to', 'First response', 'Next response', 'Resolution', 'Clock']}>
                {data.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{p.name}</Table.Td>
                    <Table.Td>{scope(p)}</Table.Td>
                    <Table.Td>{minutesText(p.firstResponseMinutes)}</Table.Td>
                    <Table.Td>{minutesText(p.nextResponseMinutes)}</Table.Td>
                    <Table.Td>{minutesText(p.resolutionMinutes)}</Table.Td>
                    <Table.Td>{hoursName(p.businessHoursId)}</Table.Td>
                    <EditCell name={p.name} onEdit={() => setPolicy(p)} />
                  </Table.Tr>
                ))}
              </ListTable>
          )}
        </Loaded>
      </Section>
      <Section
        title="Business hours"
        description="When SLA clocks run: a time zone, opening ranges per weekday and holidays. Outside them, deadlines wait."
        action={
          <Button variant="default" onClick={() => setSchedule('new')}>
            New schedule
          </Button>
        }
      >
        <Loaded query={hours} empty="No schedules: SLA clocks run around the clock. Add one for office hours.">
          {(data) => (
            <ListTable columns={['Schedule', 'Time zone', 'Week', 'Holidays']}>
                {data.map((h) => (
                  <Table.Tr key={h.id}>
                    <Table.Td>{h.name}</Table.Td>
                    <Table.Td>{h.timeZone}</Table.Td>
                    <Table.Td>
                      {WEEKDAYS.filter((d) => h.weekly[d.day]?.length)
                        .map((d) => `${d.label.slice(0, 3)} ${rangesText(h.weekly[d.day])}`)
                        .join('; ') || 'closed'}
                    </Table.Td>
                    <Table.Td>{h.holidays.length}</Table.Td>
                    <EditCell name={h.name} onEdit={() => setSchedule(h)} />
                  </Table.Tr>
                ))}
              </ListTable>
          )}
        </Loaded>
      </Section>
      {policy && <PolicyForm policy={policy === 'new' ? undefined : policy} hours={hours.data ?? []} onClose={() => setPolicy(null)} />}
      {schedule && <HoursForm hours={schedule === 'new' ? undefined : schedule} onClose={() => setSchedule(null)} />}
    </Stack>
  );
}

// The API's limits: a deadline within a year, a warning within a week.
const MAX_MINUTES = 525_600;
const MINUTES_RULE = 'A whole number of minutes from 1 to 525,600 (a year); empty: no deadline';
const DEADLINE_RULE = 'Give at least one deadline: first response, next response or resolution';
const MAX_WARN_MINUTES = 10_080;
const WARN_RULE = 'A whole number of minutes from 0 to 10,080 (a week)';

function PolicyForm({ policy, hours, onClose }: { readonly policy?: SlaPolicy; readonly hours: readonly BusinessHours[]; readonly onClose: () => void }) {
  const units = useBusinessUnits().data ?? [];
  const [form, setForm] = useState({
    name: policy?.name ?? '',
    priority: policy?.priority ?? null,
    channel: policy?.channel ?? null,
    businessUnitId: policy?.businessUnitId ?? null,
    firstResponseMinutes: policy?.firstResponseMinutes ?? null,
    nextResponseMinutes: policy?.nextResponseMinutes ?? null,
    resolutionMinutes: policy?.resolutionMinutes ?? null,
    businessHoursId: policy?.businessHoursId ?? null,
    warnBeforeMinutes: policy?.warnBeforeMinutes ?? 15,
    breachActions: [...(policy?.breachActions ?? [])] as string[],
  });
  const [tried, setTried] = useState(false);
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const minutes = (v: string | number) => (typeof v === 'number' && v > 0 ? v : null);
  const inRange = (value: number | null, min: number, max: number) => value === null || (Number.isInteger(value) && value >= min && value <= max);
  const checks = {
    firstResponseMinutes: !inRange(form.firstResponseMinutes, 1, MAX_MINUTES) ? MINUTES_RULE : form.firstResponseMinutes === null && form.nextResponseMinutes === null && form.resolutionMinutes === null ? DEADLINE_RULE : null,
    nextResponseMinutes: inRange(form.nextResponseMinutes, 1, MAX_MINUTES) ? null : MINUTES_RULE,
    resolutionMinutes: inRange(form.resolutionMinutes, 1, MAX_MINUTES) ? null : MINUTES_RULE,
    warnBeforeMinutes: inRange(form.warnBeforeMinutes, 0, MAX_WARN_MINUTES) ? null : WARN_RULE,
  };
  const save = useSettingsWrite((body: typeof form) => (policy ? api.patch(`/sla-policies/${policy.id}`, body) : api.post('/sla-policies', body)), [keys.settings.slaPolicies]);
  const remove = useSettingsWrite(() => api.delete(`/sla-policies/${policy!.id}`), [keys.settings.slaPolicies]);
  const errors = formErrors(checks, tried, save.error, Object.keys(form), { firstResponseMinutes: MINUTES_RULE, nextResponseMinutes: MINUTES_RULE, resolutionMinutes: MINUTES_RULE, warnBeforeMinutes: WARN_RULE });
  const submit = () => {
    setTried(true);
    if (Object.values(checks).some(Boolean)) return;
    save.mutate({ ...form, name: form.name.trim() }, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={policy ? `Policy “${policy.name}”` : 'New SLA policy'} size="lg">
      <Stack component="form" onSubmit={(e) => (e.preventDefault(), submit())}>
        <TextInput label="Name" required value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} error={errors.fields.name} data-autofocus />
        <SimpleGrid cols={3}>
          <Select label="Priority" data={PRIORITIES.map((p) => ({ value: p, label: p }))} value={form.priority} onChange={(v) => set({ priority: v as Priority | null })} clearable placeholder="Any" />
          <Select label="Channel" data={CHANNEL_KINDS} value={form.channel} onChange={(channel) => set({ channel })} clearable placeholder="Any" />
          <Select label="Business unit" data={units.map((u) => ({ value: u.id, label: u.name }))} value={form.businessUnitId} onChange={(businessUnitId) => set({ businessUnitId })} clearable placeholder="Any" />
        </SimpleGrid>
        <SimpleGrid cols={3}>
          <NumberInput label="First response (minutes)" min={1} allowDecimal={false} value={form.firstResponseMinutes ?? ''} onChange={(v) => set({ firstResponseMinutes: minutes(v) })} error={errors.fields.firstResponseMinutes} />
          <NumberInput label="Next response (minutes)" min={1} allowDecimal={false} value={form.nextResponseMinutes ?? ''} onChange={(v) => set({ nextResponseMinutes: minutes(v) })} error={errors.fields.nextResponseMinutes} />
          <NumberInput label="Resolution (minutes)" min={1} allowDecimal={false} value={form.resolutionMinutes ?? ''} onChange={(v) => set({ resolutionMinutes: minutes(v) })} error={errors.fields.resolutionMinutes} />
        </SimpleGrid>
        <SimpleGrid cols={2}>
          <Select label="Business hours" data={hours.map((h) => ({ value: h.id, label: h.name }))} value={form.businessHoursId} onChange={(businessHoursId) => set({ businessHoursId })} clearable placeholder="Around the clock" />
          <NumberInput label="Warn before (minutes)" min={0} allowDecimal={false} value={form.warnBeforeMinutes} onChange={(v) => set({ warnBeforeMinutes: typeof v === 'number' ? v : 0 })} error={errors.fields.warnBeforeMinutes} />
        </SimpleGrid>
        <MultiSelect label="On breach" data={BREACH_ACTIONS} value={form.breachActions} onChange={(breachActions) => set({ breachActions })} placeholder="Only mark it breached" />
        <SaveError error={errors.other ?? remove.error} />
        <Group justify="space-between">
          {policy ? (
            <Button variant="subtle" color="red" onClick={() => window.confirm(`Delete the policy “${policy.name}”?`) && remove.mutate(undefined, { onSuccess: onClose })}>
              Delete
            </Button>
          ) : (
            <span />
          )}
          <Group>
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!form.name.trim()}>
              {policy ? 'Save policy' : 'Create policy'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}

function HoursForm({ hours, onClose }: { readonly hours?: BusinessHours; readonly onClose: () => void }) {
  const [name, setName] = useState(hours?.name ?? '');
  const [timeZone, setTimeZone] = useState(hours?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  // Fixed for the dialog: the schedule's stored zone stays offered after another is picked.
  const [zones] = useState(() => timeZoneChoices(timeZone));
  const [week, setWeek] = useState<Partial<Record<Weekday, string>>>(
    Object.fromEntries(WEEKDAYS.map(({ day }) => [day, hours ? rangesText(hours.weekly[day]) : ['sat', 'sun'].includes(day) ? '' : '09:00-17:00'])),
  );
  const [holidayText, setHolidayText] = useState(hours?.holidays.join('\n') ?? '');
  const [tried, setTried] = useState(false);
  const { weekly, errors } = weeklyFromText(week);
  const holidays = parseHolidays(holidayText);
  const save = useSettingsWrite((body: object) => (hours ? api.patch(`/business-hours/${hours.id}`, body) : api.post('/business-hours', body)), [keys.settings.businessHours]);
  const submit = () => {
    setTried(true);
    if (Object.keys(errors).length || 'error' in holidays) return;
    save.mutate({ name: name.trim(), timeZone, weekly, holidays: holidays.holidays }, { onSuccess: onClose });
  };
  return (
    <FormDialog
      title={hours ? `Schedule “${hours.name}”` : 'New business hours'}
      size="lg"
      onClose={onClose}
      onSubmit={submit}
      error={save.error}
      pending={save.isPending}
      disabled={!name.trim()}
      submitLabel={hours ? 'Save schedule' : 'Create schedule'}
    >
      <Group grow>
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
        <Select label="Time zone" data={zones} value={timeZone} onChange={(v) => v && setTimeZone(v)} searchable allowDeselect={false} />
      </Group>
      <Text size="sm" c="dimmed">
        Opening ranges per day, like 09:00-12:30, 13:30-17:00. Empty: closed.
      </Text>
      <SimpleGrid cols={2} spacing="xs">
        {WEEKDAYS.map(({ day, label }) => (
          <TextInput key={day} label={label} value={week[day] ?? ''} onChange={(e) => setWeek({ ...week, [day]: e.currentTarget.value })} error={tried ? errors[day] : undefined} placeholder="Closed" />
        ))}
      </SimpleGrid>
      <Textarea label="Holidays" description="Dates like 2026-12-25, one per line" value={holidayText} onChange={(e) => setHolidayText(e.currentTarget.value)} error={tried && 'error' in holidays ? holidays.error : undefined} autosize minRows={2} />
    </FormDialog>
  );
}
