import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { keys } from '../../api/keys.ts';
import { useApiKeys, useSettingsWrite } from '../../api/settings.ts';
import type { ApiKey } from '../../api/types.ts';
import { fullTime } from '../../ui/format.ts';
import { Loaded, SaveError, Section, ListTable } from './parts.tsx';

const KINDS = [
  { value: 'api', label: 'API key (reads and writes the REST API as an admin)' },
  { value: 'write', label: 'Write key (sends touchpoints from websites and apps)' },
];

export function KeysSection() {
  const list = useApiKeys();
  const [kind, setKind] = useState<'api' | 'write'>('api');
  const [name, setName] = useState('');
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const create = useSettingsWrite((body: { kind: string; name: string }) => api.post<{ key: string; name: string }>('/keys', body), [keys.settings.keys]);
  const revoke = useSettingsWrite((k: ApiKey) => api.delete(`/keys/${k.id}`), [keys.settings.keys]);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    create.mutate({ kind, name: name.trim() }, { onSuccess: (created) => (setShown({ name: created.name, key: created.key }), setName('')) });
  };
  return (
    <Section title="API and write keys" description="Keys for servers and websites. A key is shown once, when it is created; store it in your secrets manager. Revoking one stops it at once.">
      <Group component="form" onSubmit={submit} align="flex-end" aria-label="New key">
        <Select label="Kind" data={KINDS} value={kind} onChange={(v) => v && setKind(v as 'api' | 'write')} allowDeselect={false} w={420} />
        <TextInput label="Name" description="Where it is used" value={name} onChange={(e) => setName(e.currentTarget.value)} w={220} />
        <Button type="submit" loading={create.isPending}>
          Create key
        </Button>
      </Group>
      <SaveError error={create.error ?? revoke.error} />
      <Loaded query={list} empty="No keys. Create an API key for your servers, or a write key for your website.">
        {(data) => (
          <ListTable columns={['Name', 'Kind', 'Starts with', 'Created']}>
              {data.map((k) => (
                <Table.Tr key={k.id} data-testid="api-key">
                  <Table.Td>{k.name || '—'}</Table.Td>
                  <Table.Td>{k.kind === 'api' ? 'API' : 'Write'}</Table.Td>
                  <Table.Td>
                    <Code>{k.prefix}…</Code>
                  </Table.Td>
                  <Table.Td>{fullTime(k.createdAt)}</Table.Td>
                  <Table.Td ta="right">
                    {k.revokedAt ? (
                      <Badge color="gray">revoked {fullTime(k.revokedAt)}</Badge>
                    ) : (
                      <Button size="xs" variant="subtle" color="red" onClick={() => window.confirm(`Revoke “${k.name || k.prefix}”? Anything using it stops working at once.`) && revoke.mutate(k)} aria-label={`Revoke ${k.name || k.prefix}`}>
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </ListTable>
        )}
      </Loaded>
      {shown && (
        <Modal opened onClose={() => setShown(null)} title="Your new key" closeOnClickOutside={false}>
          <Stack>
            <Alert color="orange" title="Copy it now">
              This is the only time the key is shown. If you lose it, revoke it and create another.
            </Alert>
            <Code block data-testid="new-key" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
              {shown.key}
            </Code>
            <Group justify="space-between">
              <CopyButton value={shown.key}>
                {({ copied, copy }) => (
                  <Button color={copied ? 'teal' : undefined} onClick={copy}>
                    {copied ? 'Copied' : 'Copy key'}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={() => setShown(null)}>
                I have stored it
              </Button>
            </Group>
            <Text size="xs" c="dimmed">
              {shown.name}
            </Text>
          </Stack>
        </Modal>
      )}
    </Section>
  );
}
