import { Group, Kbd, Modal, Stack, Text } from '@mantine/core';

/** The keyboard shortcuts, in one place: the help dialog lists exactly these. */
export const SHORTCUTS: readonly { readonly keys: readonly string[]; readonly does: string }[] = [
  { keys: ['j'], does: 'Next moment' },
  { keys: ['k'], does: 'Previous moment' },
  { keys: ['Enter'], does: 'Open the selected moment' },
  { keys: ['r'], does: 'Reply (focus the composer)' },
  { keys: ['e'], does: 'Resolve' },
  { keys: ['a'], does: 'Assign (admins) or take over' },
  { keys: ['c'], does: "Open the customer's profile" },
  { keys: ['/'], does: 'Search customers, moments and messages' },
  { keys: ['Ctrl', 'K'], does: 'Search from anywhere (⌘K on a Mac)' },
  { keys: ['Ctrl', 'Enter'], does: 'Send from the composer' },
  { keys: ['?'], does: 'This help' },
];

export function ShortcutHelp({ opened, onClose }: { readonly opened: boolean; readonly onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts">
      <Stack gap="xs">
        {SHORTCUTS.map((s) => (
          <Group key={s.does} justify="space-between">
            <Text size="sm">{s.does}</Text>
            <Group gap={4}>
              {s.keys.map((k) => (
                <Kbd key={k}>{k}</Kbd>
              ))}
            </Group>
          </Group>
        ))}
        <Text size="xs" c="dimmed">
          Shortcuts work when you are not typing in a field.
        </Text>
      </Stack>
    </Modal>
  );
}
