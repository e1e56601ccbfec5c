import { Alert, Badge, Button, Checkbox, Group, Loader, Modal, Paper, SimpleGrid, Stack, Text, Textarea, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { useCustomerProfile, useCustomerSearch, useMergeCustomers } from '../../api/customers.ts';
import type { CustomerProfile } from '../../api/types.ts';
import { fullTime } from '../../ui/format.ts';
import { customerName, identitiesByKind, revenueLines } from './customer-view.ts';
import { mergePreview, type MergePreview } from './merge-preview.ts';

/** Merge this customer with another: find them, see both side by side and what changes, then confirm. */
export function MergeDialog({ customer, onClose }: { readonly customer: CustomerProfile; readonly onClose: () => void }) {
  const [otherId, setOtherId] = useState<string | null>(null);
  return (
    <Modal opened onClose={onClose} title={`Merge ${customerName(customer)} with another profile`} size={otherId ? 'xl' : 'lg'}>
      {otherId === null ? <PickCustomer excludeId={customer.id} onPick={setOtherId} /> : <ConfirmMerge customer={customer} otherId={otherId} onBack={() => setOtherId(null)} onDone={onClose} />}
    </Modal>
  );
}

function PickCustomer({ excludeId, onPick }: { readonly excludeId: string; readonly onPick: (id: string) => void }) {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 200);
  const results = useCustomerSearch(debounced);
  const found = (results.data ?? []).filter((c) => c.id !== excludeId);
  return (
    <Stack>
      <TextInput label="Find the other profile" description="Search by name, email, phone or id" value={q} onChange={(e) => setQ(e.currentTarget.value)} data-autofocus rightSection={results.isFetching ? <Loader size="xs" /> : null} />
      {debounced.trim().length >= 2 && !results.isFetching && found.length === 0 && (
        <Text size="sm" c="dimmed">
          No other profile matches “{debounced.trim()}”. Try an email address or phone number.
        </Text>
      )}
      {results.isError && (
        <Text size="sm" c="red" role="alert">
          {errorMessage(results.error)}
        </Text>
      )}
      <Stack gap={2} component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Matching profiles">
        {found.map((c) => (
          <li key={c.id}>
            <UnstyledButton className="list-row" onClick={() => onPick(c.id)}>
              <Text size="sm" fw={500}>
                {c.name ?? c.email ?? c.phone ?? c.id}
              </Text>
              <Text size="xs" c="dimmed">
                {[c.email, c.phone, `${c.counts.orders} orders`].filter(Boolean).join(' · ')}
              </Text>
            </UnstyledButton>
          </li>
        ))}
      </Stack>
    </Stack>
  );
}

function ConfirmMerge({ customer, otherId, onBack, onDone }: { readonly customer: CustomerProfile; readonly otherId: string; readonly onBack: () => void; readonly onDone: () => void }) {
  const other = useCustomerProfile(otherId);
  const merge = useMergeCustomers();
  const navigate = useNavigate();
  const [reason, setReason] = useState('');
  const [force, setForce] = useState(false);
  if (other.isError)
    return (
      <Stack>
        <Text role="alert">{errorMessage(other.error)}</Text>
        <Button variant="default" onClick={onBack}>
          Back
        </Button>
      </Stack>
    );
  if (!other.data) return <Loader role="status" aria-label="Loading the other profile" />;
  if (other.data.id === customer.id)
    return (
      <Stack>
        <Text>These are already one profile.</Text>
        <Button variant="default" onClick={onBack}>
          Choose another
        </Button>
      </Stack>
    );
  const preview = mergePreview(customer, other.data);
  const submit = () =>
    merge.mutate(
      { ids: [customer.id, other.data.id], reason: reason.trim(), force: force || undefined },
      {
        onSuccess: (result) => {
          onDone();
          if (result.survivorId !== customer.id) navigate(`/customers/${result.survivorId}`);
        },
      },
    );

  return (
    <Stack data-testid="merge-preview">
      <SimpleGrid cols={2}>
        <ProfileCard profile={preview.survivor} role="survives" />
        <ProfileCard profile={preview.absorbed} role="absorbed" />
      </SimpleGrid>
      <Paper withBorder p="sm">
        <Text size="sm" fw={600}>
          After the merge
        </Text>
        <Text size="sm" data-testid="merge-outcome">
          {customerName(preview.survivor)} keeps its id and gains {preview.joining.length} {preview.joining.length === 1 ? 'identity' : 'identities'} ({preview.after.identities} in all), {preview.absorbed.counts.events} events and{' '}
          {preview.absorbed.counts.orders} orders: {preview.after.events} events, {preview.after.orders} orders
          {Object.keys(preview.after.revenue).length > 0 ? ` and revenue of ${revenueLines(preview.after.revenue).join(', ')}` : ''} in all. The older profile survives. You can unmerge it later.
        </Text>
        {(preview.newName !== null || preview.changedTraits.length > 0) && (
          <Text size="sm" mt={4} data-testid="merge-trait-changes">
            Where both have a trait, the profile changed last gives its value.
            {preview.newName !== null && ` Its name becomes ${preview.newName}.`}
            {preview.changedTraits.length > 0 && ` ${preview.changedTraits.length === 1 ? 'This trait changes' : 'These traits change'}: ${preview.changedTraits.join(', ')}.`}
          </Text>
        )}
      </Paper>
      {preview.clashes.length > 0 && (
        <Alert color="orange" title="Two different user ids">
          Each profile has its own user id; a profile normally holds one. Merge anyway only if you are sure these are the same person.
          <Checkbox mt="xs" label="Merge anyway (over the identity limits)" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} />
        </Alert>
      )}
      <Textarea label="Reason" description="Kept in the merge history" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
      {merge.isError && (
        <Alert color="red" role="alert" title="The merge did not happen">
          {errorMessage(merge.error)}
        </Alert>
      )}
      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>
          Choose another
        </Button>
        <Button onClick={submit} loading={merge.isPending} disabled={!reason.trim() || (preview.clashes.length > 0 && !force)}>
          Merge profiles
        </Button>
      </Group>
    </Stack>
  );
}

function ProfileCard({ profile, role }: { readonly profile: MergePreview['survivor']; readonly role: 'survives' | 'absorbed' }) {
  return (
    <Paper withBorder p="sm" data-testid={`merge-${role}`}>
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Text fw={600} truncate>
          {customerName(profile)}
        </Text>
        <Badge color={role === 'survives' ? 'teal' : 'gray'} variant="light">
          {role === 'survives' ? 'Survives' : 'Merged into it'}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed">
        Created {fullTime(profile.createdAt)}
      </Text>
      <Text size="xs" c="dimmed" mb="xs">
        {profile.counts.events} events · {profile.counts.orders} orders · revenue {revenueLines(profile.revenue).join(', ') || 'none'}
      </Text>
      {identitiesByKind(profile.identities).map((group) => (
        <Text key={group.kind} size="sm">
          <Text span size="xs" c="dimmed">
            {group.label}:{' '}
          </Text>
          {group.values.map((v) => v.value).join(', ')}
        </Text>
      ))}
    </Paper>
  );
}
