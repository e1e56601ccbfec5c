import { Alert, Button, Group } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { errorMessage } from '../api/client.ts';

/** What went wrong, in words, with a way to try again. */
export function ErrorNotice({ error, onRetry, title = 'That did not work' }: { readonly error: unknown; readonly onRetry?: () => void; readonly title?: string }) {
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlertTriangle size={18} aria-hidden />} role="alert" m="md">
      {errorMessage(error)}
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        </Group>
      )}
    </Alert>
  );
}
