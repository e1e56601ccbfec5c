import { Button, Center, EmptyState } from '@mantine/core';
import { IconLock, IconMapSearch } from '@tabler/icons-react';
import { Link } from 'react-router';

/** An address that leads nowhere, or to a screen this role may not open. */
export function NotFoundScreen({ reason = 'missing' }: { readonly reason?: 'missing' | 'forbidden' }) {
  const forbidden = reason === 'forbidden';
  return (
    <Center h="100%" p="xl">
      <EmptyState
        icon={forbidden ? <IconLock size={28} aria-hidden /> : <IconMapSearch size={28} aria-hidden />}
        withIndicatorBackground
        title={forbidden ? 'This page is for admins' : 'Nothing here'}
        description={forbidden ? 'Ask an owner or admin of your workspace if you need to change its settings.' : 'The address may be mistyped, or the page has moved.'}
      >
        <EmptyState.Actions>
          <Button component={Link} to="/inbox">
            Go to the inbox
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    </Center>
  );
}
