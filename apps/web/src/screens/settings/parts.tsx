import { Alert, Button, Group, Modal, Paper, Skeleton, Stack, Table, Text, Title, type ModalProps } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { errorMessage } from '../../api/client.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { CHANNEL_LABEL } from '../../ui/format.ts';

/** One settings section: a heading that says what it is for, an action, and its content. */
export function Section({ title, description, action, children }: { readonly title: string; readonly description: string; readonly action?: ReactNode; readonly children: ReactNode }) {
  return (
    <Stack gap="md" component="section" aria-label={title}>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} size="h3">
            {title}
          </Title>
          <Text size="sm" c="dimmed" maw={720}>
            {description}
          </Text>
        </div>
        {action}
      </Group>
      {children}
    </Stack>
  );
}

/** A list that is loading, failed, empty (saying what to do) or there. */
export function Loaded<T>({ query, empty, children }: { readonly query: { readonly data?: readonly T[]; readonly error: unknown; readonly isPending: boolean; readonly refetch: () => unknown }; readonly empty: string; readonly children: (data: readonly T[]) => ReactNode }) {
  if (query.isPending)
    return (
      <Stack gap="xs" role="status" aria-busy="true" aria-label="Loading">
        <Skeleton height={36} />
        <Skeleton height={36} />
        <Skeleton height={36} />
      </Stack>
    );
  if (query.error) return <ErrorNotice error={query.error} title="This did not load" onRetry={() => void query.refetch()} />;
  if (!query.data || query.data.length === 0)
    return (
      <Paper withBorder p="lg" data-testid="settings-empty">
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      </Paper>
    );
  return <>{children(query.data)}</>;
}

/** Why a save failed, next to the form that keeps what was typed. */
export function SaveError({ error }: { readonly error: unknown }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title="Not saved">
      {errorMessage(error)}
    </Alert>
  );
}

/**
 * A settings form in a dialog: the fields, why a save failed (what was typed stays), Cancel and
 * the submit button. `onSubmit` runs without the page reloading.
 */
export function FormDialog({ title, size, onClose, onSubmit, error, pending, disabled, submitLabel, children }: {
  readonly title: string;
  readonly size?: ModalProps['size'];
  readonly onClose: () => void;
  readonly onSubmit: () => void;
  readonly error: unknown;
  readonly pending: boolean;
  readonly disabled?: boolean;
  readonly submitLabel: string;
  readonly children: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Modal opened onClose={onClose} title={title} size={size}>
      <Stack component="form" onSubmit={submit}>
        {children}
        <SaveError error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={pending} disabled={disabled}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The channel kinds a workspace can have, for selects. */
export const CHANNEL_KINDS = ['email', 'chat', 'whatsapp', 'messenger', 'instagram', 'sms', 'voice', 'api'].map((value) => ({ value, label: CHANNEL_LABEL[value] ?? value }));

export const minutesText = (m: number | null) => (m === null ? '—' : m % 60 === 0 && m >= 60 ? `${m / 60} h` : `${m} min`);

/** A settings list: the named columns, one row per item, and a last column for each row's actions. */
export function ListTable({ columns, children }: { readonly columns: readonly string[]; readonly children: ReactNode }) {
  return (
    <Table highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          {columns.map((c) => (
            <Table.Th key={c}>{c}</Table.Th>
          ))}
          <Table.Th>
            <span className="sr-only">Actions</span>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>{children}</Table.Tbody>
    </Table>
  );
}

/** A list row's last cell: the button that opens the item's editor. */
export function EditCell({ name, onEdit }: { readonly name: string; readonly onEdit: () => void }) {
  return (
    <Table.Td ta="right">
      <Button size="xs" variant="default" onClick={onEdit} aria-label={`Edit ${name}`}>
        Edit
      </Button>
    </Table.Td>
  );
}
