import { Box, Stack, Text } from '@mantine/core';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { AgentsSection } from './AgentsSection.tsx';
import { AssignmentRulesSection } from './AssignmentRulesSection.tsx';
import { BusinessUnitsSection } from './BusinessUnitsSection.tsx';
import { ChannelsSection } from './ChannelsSection.tsx';
import { KeysSection } from './KeysSection.tsx';
import { SlaSection } from './SlaSection.tsx';
import { TeamsSection } from './TeamsSection.tsx';
import { WorkspaceSection } from './WorkspaceSection.tsx';

const SECTIONS = [
  { path: 'business-units', label: 'Business units', element: <BusinessUnitsSection /> },
  { path: 'teams', label: 'Teams', element: <TeamsSection /> },
  { path: 'agents', label: 'Agents', element: <AgentsSection /> },
  { path: 'assignment', label: 'Assignment rules', element: <AssignmentRulesSection /> },
  { path: 'sla', label: 'SLAs and hours', element: <SlaSection /> },
  { path: 'channels', label: 'Channels', element: <ChannelsSection /> },
  { path: 'keys', label: 'API and write keys', element: <KeysSection /> },
  { path: 'workspace', label: 'Customers and moments', element: <WorkspaceSection /> },
] as const;

/** Workspace settings (owners and admins; the server enforces it too), one section at a time. */
export function SettingsScreen() {
  return (
    <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
      <Box component="nav" aria-label="Settings" w={220} p="md" style={{ borderRight: '1px solid var(--mantine-color-default-border)', flexShrink: 0 }}>
        <Text size="xs" fw={600} c="dimmed" tt="uppercase" mb="xs">
          Settings
        </Text>
        <Stack gap={2}>
          {SECTIONS.map((s) => (
            <NavLink key={s.path} to={`/settings/${s.path}`} className="settings-nav-link">
              {s.label}
            </NavLink>
          ))}
        </Stack>
      </Box>
      <Box style={{ flex: 1, overflowY: 'auto' }} p="lg">
        <Box maw={1100}>
          <Routes>
            <Route index element={<Navigate to="teams" replace />} />
            {SECTIONS.map((s) => (
              <Route key={s.path} path={s.path} element={s.element} />
            ))}
            <Route path="*" element={<Navigate to="teams" replace />} />
          </Routes>
        </Box>
      </Box>
    </Box>
  );
}
