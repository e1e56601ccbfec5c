import { ActionIcon, AppShell, Avatar, Badge, Button, Drawer, Group, Kbd, Menu, Select, Stack, Text, Tooltip, UnstyledButton, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { useDisclosure, useHotkeys } from '@mantine/hooks';
import { IconChevronDown, IconKeyboard, IconLogout, IconMenu2, IconMoon, IconSearch, IconSun, IconSwitchHorizontal } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { useBusinessUnits } from '../api/directory.ts';
import { keys } from '../api/keys.ts';
import type { Presence, Session } from '../api/types.ts';
import { useBusinessUnitScope } from './business-unit-scope.tsx';
import { useKnownWorkspaces, type KnownWorkspace } from './known-workspaces.ts';
import { useLiveUpdates, type LiveState } from './live-updates.ts';
import { navFor } from './nav.ts';
import { useSignOut, useViewer } from './session.ts';
import { useNarrowScreen } from './use-narrow-screen.ts';
import { ShortcutHelp } from './ShortcutHelp.tsx';

// Their code loads on first use: the inbox's initial bundle does not carry it.
const SearchDialog = lazy(() => import('../screens/search/SearchDialog.tsx').then((m) => ({ default: m.SearchDialog })));
const SwitchWorkspaceDialog = lazy(() => import('./SwitchWorkspaceDialog.tsx').then((m) => ({ default: m.SwitchWorkspaceDialog })));

const PRESENCE: Readonly<Record<Presence, { readonly label: string; readonly color: string; readonly hint: string }>> = {
  online: { label: 'Online', color: 'teal', hint: 'New moments come to you' },
  away: { label: 'Away', color: 'yellow', hint: 'You keep your moments; no new ones come to you' },
  offline: { label: 'Offline', color: 'gray', hint: 'Your moments go back to your teams' },
};

/** The frame around every signed-in screen: workspace, navigation, business unit, presence, account. */
export function Shell({ session, children }: { readonly session: Session; readonly children: ReactNode }) {
  const viewer = useViewer(session);
  const live = useLiveUpdates(viewer);
  const [help, { open: openHelp, close: closeHelp }] = useDisclosure(false);
  const [search, { open: openSearch, close: closeSearch }] = useDisclosure(false);
  const narrow = useNarrowScreen();
  useHotkeys([
    ['shift+?', openHelp],
    ['/', openSearch],
  ]);
  // ⌘K / Ctrl+K works even while typing elsewhere.
  useHotkeys([['mod+K', openSearch]], []);

  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header px={narrow ? 'xs' : 'md'}>
        <Group h="100%" justify="space-between" wrap="nowrap" gap={narrow ? 'xs' : 'md'}>
          <Group gap={narrow ? 'xs' : 'lg'} wrap="nowrap">
            <Group gap={8} wrap="nowrap">
              <img src="/favicon.svg" alt="" width={24} height={24} />
              {!narrow && (
                <>
                  <Text fw={700}>Touchpoint</Text>
                  <WorkspaceSwitcher session={session} />
                </>
              )}
            </Group>
            <Group component="nav" aria-label="Main" gap={4} wrap="nowrap">
              {navFor(session.role).map((item) => (
                <NavLink key={item.to} to={item.to} className="main-nav-link" style={navLinkStyle}>
                  {item.label}
                </NavLink>
              ))}
            </Group>
          </Group>
          {narrow ? (
            <Group gap={6} wrap="nowrap">
              <ActionIcon variant="default" size="lg" onClick={openSearch} aria-label="Search (/ or Ctrl+K)">
                <IconSearch size={18} aria-hidden />
              </ActionIcon>
              <LiveBadge state={live} />
              <PhoneMenu session={session} onHelp={openHelp} />
            </Group>
          ) : (
            <Group gap="sm" wrap="nowrap">
              <Button variant="default" size="xs" onClick={openSearch} leftSection={<IconSearch size={14} aria-hidden />} rightSection={<Kbd size="xs">/</Kbd>} aria-label="Search (/ or Ctrl+K)">
                Search
              </Button>
              <BusinessUnitSwitcher />
              <LiveBadge state={live} />
              <Tooltip label="Keyboard shortcuts (?)">
                <ActionIcon variant="subtle" color="gray" onClick={openHelp} aria-label="Keyboard shortcuts">
                  <IconKeyboard size={18} aria-hidden />
                </ActionIcon>
              </Tooltip>
              <ColorSchemeToggle />
              {/* Presence decides who gets new moments; analysts never get any. */}
              {session.agent && session.role !== 'analyst' && <PresenceMenu agentId={session.agent.id} presence={session.agent.presence} />}
              <AccountMenu session={session} onHelp={openHelp} />
            </Group>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main" style={{ height: '100dvh', display: 'flex', flexDirection: 'column' }}>
        {children}
      </AppShell.Main>
      <ShortcutHelp opened={help} onClose={closeHelp} />
      {search && (
        <Suspense fallback={null}>
          <SearchDialog onClose={closeSearch} />
        </Suspense>
      )}
    </AppShell>
  );
}

const navLinkStyle = ({ isActive }: { isActive: boolean }): React.CSSProperties => ({
  padding: '6px 12px',
  borderRadius: 'var(--mantine-radius-md)',
  textDecoration: 'none',
  fontWeight: 500,
  fontSize: 'var(--mantine-font-size-sm)',
  color: isActive ? 'var(--mantine-color-blue-light-color)' : 'var(--mantine-color-text)',
  background: isActive ? 'var(--mantine-color-blue-light)' : 'transparent',
});

/** Light or dark: follows the system until chosen here, then remembered on this browser. */
function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const current = useComputedColorScheme('light', { getInitialValueInEffect: false });
  const next = current === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={next === 'dark' ? 'Dark mode' : 'Light mode'}>
      <ActionIcon variant="subtle" color="gray" onClick={() => setColorScheme(next)} aria-label={next === 'dark' ? 'Switch to dark mode' : 'Switch to light mode'} data-testid="color-scheme-toggle">
        {current === 'dark' ? <IconSun size={18} aria-hidden /> : <IconMoon size={18} aria-hidden />}
      </ActionIcon>
    </Tooltip>
  );
}

/**
 * The workspace's name; a menu of the others when the sign-in's password verified in more than
 * one (known-workspaces.ts). Choosing one asks for its password again.
 */
function WorkspaceSwitcher({ session }: { readonly session: Session }) {
  const known = useKnownWorkspaces();
  const [target, setTarget] = useState<KnownWorkspace | null>(null);
  const others = known.filter((w) => w.id !== session.workspace.id);
  const name = (
    <Text c="dimmed" size="sm" truncate maw={180} data-testid="workspace-name">
      {session.workspace.name}
    </Text>
  );
  if (others.length === 0 || !session.agent) return name;
  return (
    <>
      <Menu position="bottom-start" withinPortal>
        <Menu.Target>
          <UnstyledButton aria-label={`Workspace: ${session.workspace.name}. Switch workspace`} data-testid="workspace-switcher">
            <Group gap={4} wrap="nowrap">
              {name}
              <IconChevronDown size={14} aria-hidden />
            </Group>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Switch workspace</Menu.Label>
          {others.map((w) => (
            <Menu.Item key={w.id} leftSection={<IconSwitchHorizontal size={16} aria-hidden />} onClick={() => setTarget(w)}>
              {w.name}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      {target && (
        <Suspense fallback={null}>
          <SwitchWorkspaceDialog target={target} email={session.agent.email} onClose={() => setTarget(null)} />
        </Suspense>
      )}
    </>
  );
}

function BusinessUnitSwitcher() {
  const units = useBusinessUnits().data ?? [];
  const { businessUnitId, setBusinessUnitId } = useBusinessUnitScope();
  if (units.length === 0) return null;
  return (
    <Select
      aria-label="Business unit"
      size="xs"
      w={190}
      allowDeselect={false}
      data={[{ value: '', label: 'All business units' }, ...units.map((u) => ({ value: u.id, label: u.name }))]}
      value={businessUnitId ?? ''}
      onChange={(value) => setBusinessUnitId(value ? value : null)}
    />
  );
}

function LiveBadge({ state }: { readonly state: LiveState }) {
  const label = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <Tooltip label={state === 'live' ? 'Changes appear as they happen' : 'Live updates paused: reconnecting'}>
      <Badge variant="dot" color={state === 'live' ? 'teal' : 'orange'} role="status" aria-live="polite">
        {label}
      </Badge>
    </Tooltip>
  );
}

function PresenceMenu({ agentId, presence }: { readonly agentId: string; readonly presence: Presence }) {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: (next: Presence) => api.put(`/agents/${agentId}/presence`, { presence: next }),
    onSuccess: (_data, next) => {
      client.setQueryData<Session | null>(keys.session, (old) => (old?.agent ? { ...old, agent: { ...old.agent, presence: next } } : old));
      void client.invalidateQueries({ queryKey: keys.moments.all });
    },
  });
  const current = PRESENCE[presence] ?? PRESENCE.offline;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={`Status: ${current.label}`}>
          <Badge color={current.color} variant="light" rightSection={<IconChevronDown size={12} aria-hidden />}>
            {current.label}
          </Badge>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Your status</Menu.Label>
        {(Object.keys(PRESENCE) as Presence[]).map((p) => (
          <Menu.Item key={p} onClick={() => change.mutate(p)} leftSection={<Badge size="xs" circle color={PRESENCE[p].color} />}>
            <Text size="sm">{PRESENCE[p].label}</Text>
            <Text size="xs" c="dimmed">
              {PRESENCE[p].hint}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

/** Signs out, then shows the sign-in screen. */
function useSignOutAndLeave(): () => void {
  const signOut = useSignOut();
  const navigate = useNavigate();
  return () => signOut.mutate(undefined, { onSettled: () => navigate('/sign-in', { replace: true }) });
}

function AccountMenu({ session, onHelp }: { readonly session: Session; readonly onHelp: () => void }) {
  const leave = useSignOutAndLeave();
  const name = session.agent?.name ?? 'API key';
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <UnstyledButton>
          <Group gap={6} wrap="nowrap">
            <Avatar size="sm" color="blue" name={name} aria-hidden />
            <Text size="sm" fw={500}>
              {name}
            </Text>
            <IconChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {name} · {session.role}
        </Menu.Label>
        <Menu.Item leftSection={<IconKeyboard size={16} aria-hidden />} onClick={onHelp}>
          Keyboard shortcuts
        </Menu.Item>
        <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={leave}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/**
 * On a phone the header has room for the navigation, search and the live badge only: the
 * rest (workspace, business unit, presence, colour scheme, shortcuts, sign-out) is in a drawer.
 */
function PhoneMenu({ session, onHelp }: { readonly session: Session; readonly onHelp: () => void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const leave = useSignOutAndLeave();
  const name = session.agent?.name ?? 'API key';
  return (
    <>
      <ActionIcon variant="default" size="lg" onClick={open} aria-label={`Menu: ${name}`}>
        <IconMenu2 size={18} aria-hidden />
      </ActionIcon>
      <Drawer opened={opened} onClose={close} position="right" size="xs" title={`${name} · ${session.role}`}>
        <Stack gap="md">
          <WorkspaceSwitcher session={session} />
          <BusinessUnitSwitcher />
          {session.agent && session.role !== 'analyst' && (
            <Group justify="space-between">
              <Text size="sm">Your status</Text>
              <PresenceMenu agentId={session.agent.id} presence={session.agent.presence} />
            </Group>
          )}
          <Group justify="space-between">
            <Text size="sm">Colour scheme</Text>
            <ColorSchemeToggle />
          </Group>
          <Button variant="default" leftSection={<IconKeyboard size={16} aria-hidden />} onClick={() => (close(), onHelp())}>
            Keyboard shortcuts
          </Button>
          <Button variant="light" color="red" leftSection={<IconLogout size={16} aria-hidden />} onClick={leave}>
            Sign out
          </Button>
        </Stack>
      </Drawer>
    </>
  );
}
