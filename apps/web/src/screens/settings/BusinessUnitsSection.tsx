import { Button, Group, Paper, Table, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useBusinessUnits } from '../../api/directory.ts';
import { keys } from '../../api/keys.ts';
import { useSettingsWrite } from '../../api/settings.ts';
import type { BusinessUnit } from '../../api/types.ts';
import { Loaded, SaveError, Section } from './parts.tsx';

/** A key from a name: "Retail Europe" → "retail-europe". */
export const keyFrom = (name: string) =>
  name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50);

export function BusinessUnitsSection() {
  const units = useBusinessUnits();
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const create = useSettingsWrite((input: { key: string; name: string }) => api.post('/business-units', input), [keys.businessUnits]);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim(), key: key || keyFrom(name) }, { onSuccess: () => (setName(''), setKey('')) });
  };
  return (
    <Section title="Business units" description="The parts of the company that own customers and moments (brands, regions, departments). Channels, teams, SLAs and rules can belong to one; the header's switcher narrows every list to it.">
      <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="New business unit">
        <Group align="flex-end">
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} w={260} />
          <TextInput label="Key" description="Lower case, digits, - and _" value={key} placeholder={keyFrom(name)} onChange={(e) => setKey(e.currentTarget.value)} w={200} />
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Add business unit
          </Button>
        </Group>
        <SaveError error={create.error} />
      </Paper>
      <Loaded query={units} empty="No business units yet. Add one above (for example Retail, or Europe).">
        {(data) => (
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>
                  <span className="sr-only">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((u) => (
                <UnitRow key={u.id} unit={u} />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Loaded>
    </Section>
  );
}

/** A business unit; its name can be changed in place (the key stays: rules and integrations use it). */
function UnitRow({ unit }: { readonly unit: BusinessUnit }) {
  const [name, setName] = useState<string | null>(null);
  const rename = useSettingsWrite((input: { name: string }) => api.patch(`/business-units/${unit.id}`, input), [keys.businessUnits]);
  const save = (event: React.FormEvent) => {
    event.preventDefault();
    if (name !== null) rename.mutate({ name: name.trim() }, { onSuccess: () => setName(null) });
  };
  const cancel = () => (setName(null), rename.reset());
  return (
    <Table.Tr data-testid="business-unit">
      <Table.Td>
        {name === null ? (
          unit.name
        ) : (
          <form onSubmit={save} aria-label={`Rename ${unit.name}`} onKeyDown={(e) => e.key === 'Escape' && cancel()}>
            <Group gap="xs" align="flex-start">
              <TextInput aria-label="Name" size="xs" required value={name} onChange={(e) => setName(e.currentTarget.value)} w={240} data-autofocus autoFocus />
              <Button size="xs" type="submit" loading={rename.isPending} disabled={!name.trim()}>
                Save
              </Button>
              <Button size="xs" variant="default" onClick={cancel}>
                Cancel
              </Button>
            </Group>
            <SaveError error={rename.error} />
          </form>
        )}
      </Table.Td>
      <Table.Td>
        <code>{unit.key}</code>
      </Table.Td>
      <Table.Td ta="right">
        {name === null && (
          <Button size="xs" variant="default" onClick={() => setName(unit.name)} aria-label={`Rename ${unit.name}`}>
            Rename
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
