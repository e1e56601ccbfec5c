import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../api/client.ts';
import { useSession, useSignIn } from '../../app/session.ts';

/** Email and password; on success, back to where the person was going. A failure keeps what they typed. */
export function SignInScreen() {
  const session = useSession();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/inbox';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  if (session.data) return <Navigate to={from} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email: email.trim(), password }, { onSuccess: () => navigate(from, { replace: true }) });
  };
  const wrongCredentials = signIn.error instanceof ApiError && signIn.error.status === 401;

  return (
    <Center mih="100dvh" p="md" bg="var(--mantine-color-gray-light)">
      <Paper component="main" withBorder shadow="sm" radius="lg" p="xl" w="100%" maw={400}>
        <form onSubmit={submit} noValidate aria-labelledby="sign-in-title">
          <Stack gap="md">
            <div>
              <Title order={1} size="h3" id="sign-in-title">
                Sign in to Touchpoint
              </Title>
              <Text c="dimmed" size="sm" mt={4}>
                Every customer moment, one owner at a time.
              </Text>
            </div>
            {signIn.isError && (
              <Alert color="red" variant="light" role="alert">
                {wrongCredentials ? 'That email and password do not match an account. Check them and try again.' : errorMessage(signIn.error)}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={wrongCredentials}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={wrongCredentials}
            />
            <Button type="submit" loading={signIn.isPending} disabled={!email.trim() || !password}>
              Sign in
            </Button>
            <Text size="xs" c="dimmed">
              First start? The server printed the owner's email and password in its log.
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
