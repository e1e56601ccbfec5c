import { Alert, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client.ts';
import type { KnownWorkspace } from './known-workspaces.ts';
import { useSwitchWorkspace } from './session.ts';

/**
 * Enters another workspace: its password is asked again (each workspace keeps its own, and
 * the app never keeps one), then the app starts over there. A wrong password keeps the typing.
 */
export function SwitchWorkspaceDialog({ target, email: knownEmail, onClose }: { readonly target: KnownWorkspace; readonly email: string; readonly onClose: () => void }) {
  const switchTo = useSwitchWorkspace();
  const [email, setEmail] = useState(knownEmail);
  const [password, setPassword] = useState('');
  const wrong = switchTo.error instanceof ApiError && switchTo.error.status === 401;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    switchTo.mutate({ email: email.trim(), password, workspaceId: target.id });
  };

  return (
    <Modal opened onClose={onClose} title={`Switch to ${target.name}`} centered>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Enter your password for {target.name}. Each workspace has its own.
          </Text>
          {switchTo.isError && (
            <Alert color="red" variant="light" role="alert">
              {wrong ? `That email and password do not open ${target.name}. Check them and try again.` : errorMessage(switchTo.error)}
            </Alert>
          )}
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={wrong} />
          <PasswordInput label="Password" autoComplete="current-password" required data-autofocus value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={wrong} />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={switchTo.isPending} disabled={!email.trim() || !password}>
              Switch
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
