import { Center, EmptyState } from '@mantine/core';
import { IconSettings } from '@tabler/icons-react';

/** Workspace settings (admins). The screens themselves come next; the route and its guard are here. */
export function SettingsScreen() {
  return (
    <Center h="100%" p="xl">
      <EmptyState
        icon={<IconSettings size={28} aria-hidden />}
        withIndicatorBackground
        title="Settings"
        description="Business units, teams, agents, assignment rules, SLAs and channels will be managed here. Until then, use the REST API (see /api/docs)."
      />
    </Center>
  );
}
