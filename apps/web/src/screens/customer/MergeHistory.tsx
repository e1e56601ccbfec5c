import { Alert, Anchor, Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { useUnmergeCustomer } from '../../api/customers.ts';
import type { CustomerProfile, Merge } from '../../api/types.ts';
import { fullTime } from '../../ui/format.ts';
import { IDENTITY_LABEL } from './customer-view.ts';
import { undoableMerges, unmergePreview } from './merge-preview.ts';

/** The profile's merges (by hand or by identity), each undoable with a preview of what leaves. */
export function MergeHistory({ customer, canWrite }: { readonly customer: CustomerProfile; readonly canWrite: boolean }) {
  const [undoing, setUndoing] = useState<Merge | null>(null);
  const [restored, setRestored] = useState<string | null>(null);
  if (customer.merges.length === 0 && !restored) return null;
  const undoable = new Set(undoableMerges(customer).map((m) => m.id));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="merges-heading">
      <Title order={2} size="h5" id="merges-heading" mb="sm">
        Merges
      </Title>
      {restored && (
        <Alert color="teal" mb="sm" role="status" data-testid="unmerged">
          Unmerged. <Anchor component={Link} to={`/customers/${restored}`} underline="always">Open the restored profile</Anchor>
        </Alert>
      )}
      <Stack gap="sm">
        {customer.merges.map((m) => (
          <div key={m.id} data-testid="merge-entry">
            <Text size="sm">
              {m.survivorId === customer.id ? 'Absorbed another profile' : 'Was merged into another profile'} ({m.cause === 'manual' ? 'by hand' : m.cause}) {fullTime(m.at)}
              {m.detail ? `: “${m.detail}”` : ''}
              {m.undoneAt ? ` · undone ${fullTime(m.undoneAt)}` : ''}
            </Text>
            {canWrite && undoable.has(m.id) && (
              <Button size="xs" variant="default" mt={4} onClick={() => setUndoing(m)}>
                Unmerge…
              </Button>
            )}
          </div>
        ))}
      </Stack>
      {undoing && (
        <UnmergeDialog
          customer={customer}
          merge={undoing}
          onClose={() => setUndoing(null)}
          onDone={(id) => {
            setUndoing(null);
            setRestored(id);
          }}
        />
      )}
    </Paper>
  );
}

function UnmergeDialog({ customer, merge, onClose, onDone }: { readonly customer: CustomerProfile; readonly merge: Merge; readonly onClose: () => void; readonly onDone: (restoredId: string) => void }) {
  const unmerge = useUnmergeCustomer();
  const { leaving, staying } = unmergePreview(customer, merge);
  const list = (items: typeof leaving) => (items.length === 0 ? 'none' : items.map((i) => `${IDENTITY_LABEL[i.kind] ?? i.kind} ${i.value}`).join(', '));
  return (
    <Modal opened onClose={onClose} title="Unmerge this profile">
      <Stack data-testid="unmerge-preview">
        <Text size="sm">The merged profile comes back with everything that joined through it, and both are rebuilt from their own events.</Text>
        <Text size="sm">
          <strong>Goes back to the restored profile:</strong> {list(leaving)}
        </Text>
        <Text size="sm">
          <strong>Stays here:</strong> {list(staying)}
        </Text>
        {unmerge.isError && (
          <Alert color="red" role="alert" title="The unmerge did not happen">
            {errorMessage(unmerge.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={unmerge.isPending} onClick={() => unmerge.mutate({ customerId: customer.id, mergeId: merge.id }, { onSuccess: (r) => onDone(r.restoredId) })}>
            Unmerge
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
