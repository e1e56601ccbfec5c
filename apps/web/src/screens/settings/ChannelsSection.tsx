import { ActionIcon, Badge, Button, Code, CopyButton, Group, JsonInput, NumberInput, PasswordInput, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useBusinessUnits } from '../../api/directory.ts';
import { keys } from '../../api/keys.ts';
import { useChannelDetails, useSettingsWrite } from '../../api/settings.ts';
import type { ChannelDetail } from '../../api/types.ts';
import { channelLabel } from '../../ui/format.ts';
import { CHANNEL_KINDS, FormDialog, ListTable, Loaded, Section, EditCell } from './parts.tsx';

const HEALTH_COLOR: Readonly<Record<string, string>> = { ok: 'teal', healthy: 'teal', degraded: 'orange', failing: 'red', error: 'red', unknown: 'gray' };

export function ChannelsSection() {
  const channels = useChannelDetails();
  const [editing, setEditing] = useState<ChannelDetail | 'new' | null>(null);
  return (
    <Section
      title="Channels"
      description="Where customers reach you: email, chat, WhatsApp, SMS, calls and more. Each has a cost per contact for reports, its connection health, and the webhook addresses to paste into the provider. Secrets are write-only."
      action={<Button onClick={() => setEditing('new')}>Connect a channel</Button>}
    >
      <Loaded query={channels} empty="No channels connected: moments come only through the API. Connect email or chat first.">
        {(data) => (
          <ListTable columns={['Channel', 'Address', 'Cost per contact', 'Health']}>
              {data.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Text size="sm">{c.name}</Text>
                    <Text size="xs" c="dimmed">
                      {channelLabel(c.kind)}
                      {c.enabled ? '' : ' · disabled'}
                    </Text>
                  </Table.Td>
                  <Table.Td>{c.address ?? '—'}</Table.Td>
                  <Table.Td>{c.costPerContact === null ? '—' : `${c.costPerContact} ${c.currency ?? ''}`}</Table.Td>
                  <Table.Td>
                    <Tooltip label={c.health.error ?? (c.health.at ? `checked ${new Date(c.health.at).toLocaleString()}` : 'not checked yet')}>
                      <Badge variant="light" color={HEALTH_COLOR[c.health.state] ?? 'orange'}>
                        {c.health.state}
                      </Badge>
                    </Tooltip>
                  </Table.Td>
                  <EditCell name={c.name} onEdit={() => setEditing(c)} />
                </Table.Tr>
              ))}
            </ListTable>
        )}
      </Loaded>
      {editing && <ChannelForm channel={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Section>
  );
}

function ChannelForm({ channel, onClose }: { readonly channel?: ChannelDetail; readonly onClose: () => void }) {
  const units = useBusinessUnits().data ?? [];
  const [kind, setKind] = useState<string>(channel?.kind ?? 'email');
  const [name, setName] = useState(channel?.name ?? '');
  const [address, setAddress] = useState(channel?.address ?? '');
  const [businessUnitId, setBusinessUnitId] = useState<string | null>(channel?.businessUnitId ?? null);
  const [settings, setSettings] = useState(JSON.stringify(channel?.settings ?? {}, null, 2));
  const [cost, setCost] = useState<number | ''>(channel?.costPerContact ?? '');
  const [currency, setCurrency] = useState(channel?.currency ?? 'USD');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  // Secrets: only new values are sent; existing ones show as "set" until replaced.
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [replacing, setReplacing] = useState<string[]>([]);
  const [newSecret, setNewSecret] = useState('');
  let parsedSettings: Record<string, unknown> | null = null;
  try {
    parsedSettings = JSON.parse(settings || '{}') as Record<string, unknown>;
  } catch {
    parsedSettings = null;
  }
  const save = useSettingsWrite((body: object) => (channel ? api.patch(`/channels/${channel.id}`, body) : api.post('/channels', body)), [keys.channels]);
  const submit = () => {
    if (!parsedSettings) return;
    const filled = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== ''));
    save.mutate(
      {
        ...(channel ? {} : { kind }),
        name: name.trim(),
        address: address.trim() || null,
        businessUnitId,
        settings: parsedSettings,
        ...(cost === '' ? {} : { costPerContact: cost, currency }),
        enabled,
        ...(Object.keys(filled).length ? { secrets: filled } : {}),
      },
      { onSuccess: onClose },
    );
  };
  const secretNames = [...new Set([...(channel?.secretsSet ?? []), ...Object.keys(secrets)])];
  return (
    <FormDialog
      title={channel ? `Channel “${channel.name}”` : 'Connect a channel'}
      size="lg"
      onClose={onClose}
      onSubmit={submit}
      error={save.error}
      pending={save.isPending}
      disabled={!name.trim() || !parsedSettings}
      submitLabel={channel ? 'Save channel' : 'Connect'}
    >
      <SimpleGrid cols={2}>
        <Select label="Kind" data={CHANNEL_KINDS} value={kind} onChange={(v) => v && setKind(v)} disabled={Boolean(channel)} allowDeselect={false} />
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
      </SimpleGrid>
      <SimpleGrid cols={2}>
        <TextInput label="Address" description="Email address, phone number (E.164), page or account id" value={address} onChange={(e) => setAddress(e.currentTarget.value)} />
        <Select label="Business unit" data={units.map((u) => ({ value: u.id, label: u.name }))} value={businessUnitId} onChange={setBusinessUnitId} clearable placeholder="None" />
      </SimpleGrid>
      <SimpleGrid cols={2}>
        <NumberInput label="Cost per contact" min={0} decimalScale={4} value={cost} onChange={(v) => setCost(typeof v === 'number' ? v : '')} />
        <TextInput label="Currency" value={currency} onChange={(e) => setCurrency(e.currentTarget.value.toUpperCase())} maxLength={3} />
      </SimpleGrid>
      <JsonInput label="Settings" description="Public settings of this kind (provider ids, allowed origins, SMTP relay host…)" value={settings} onChange={setSettings} autosize minRows={3} formatOnBlur error={parsedSettings ? undefined : 'Not valid JSON'} />
      <Stack gap={6} role="group" aria-label="Secrets">
        <Text size="sm" fw={500}>
          Secrets
        </Text>
        <Text size="xs" c="dimmed">
          Tokens and app secrets are never shown again once saved. Replace one by typing a new value.
        </Text>
        {secretNames.map((key) =>
          channel?.secretsSet.includes(key) && !replacing.includes(key) ? (
            <Group key={key} gap="xs">
              <Code>{key}</Code>
              <Badge color="teal" variant="light">
                set
              </Badge>
              <Button size="compact-xs" variant="default" onClick={() => setReplacing([...replacing, key])}>
                Replace
              </Button>
            </Group>
          ) : (
            <PasswordInput key={key} label={key} value={secrets[key] ?? ''} onChange={(e) => setSecrets({ ...secrets, [key]: e.currentTarget.value })} autoComplete="new-password" />
          ),
        )}
        <Group gap="xs" align="flex-end">
          <TextInput aria-label="New secret name" placeholder="authToken" value={newSecret} onChange={(e) => setNewSecret(e.currentTarget.value)} size="xs" />
          <Button
            size="xs"
            variant="default"
            disabled={!newSecret.trim() || secretNames.includes(newSecret.trim())}
            onClick={() => {
              setSecrets({ ...secrets, [newSecret.trim()]: '' });
              setNewSecret('');
            }}
          >
            Add a secret
          </Button>
        </Group>
      </Stack>
      {channel?.webhooks && Object.keys(channel.webhooks).length > 0 && (
        <Stack gap={6}>
          <Text size="sm" fw={500}>
            Webhook addresses for the provider
          </Text>
          {Object.entries(channel.webhooks).map(([label, url]) => (
            <Group key={label} gap="xs" wrap="nowrap">
              <Text size="xs" w={70}>
                {label}
              </Text>
              <Code style={{ flex: 1, overflowWrap: 'anywhere' }}>{url}</Code>
              <CopyButton value={url}>
                {({ copied, copy }) => (
                  <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={copied ? 'Copied' : `Copy the ${label} webhook address`}>
                    {copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
                  </ActionIcon>
                )}
              </CopyButton>
            </Group>
          ))}
        </Stack>
      )}
      <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
    </FormDialog>
  );
}
