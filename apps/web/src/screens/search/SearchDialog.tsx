import { Box, Group, Kbd, Loader, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, errorMessage } from '../../api/client.ts';
import { ALL_STATUSES, useCustomerSearch } from '../../api/customers.ts';
import { keys } from '../../api/keys.ts';
import type { MomentPage } from '../../api/types.ts';
import { groupResults, type SearchHit } from './search-results.ts';

/** One box across customers, moments and messages (⌘K, Ctrl+K or /); arrows move, Enter opens. */
export function SearchDialog({ onClose }: { readonly onClose: () => void }) {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 180);
  const [active, setActive] = useState(0);
  const navigate = useNavigate();
  const customers = useCustomerSearch(debounced);
  const moments = useQuery({
    queryKey: keys.search(debounced),
    queryFn: ({ signal }) => api.get<MomentPage>('/moments', { q: debounced, status: ALL_STATUSES, limit: 10, include: 'customers' }, signal),
    enabled: debounced.length >= 2,
    staleTime: 10_000,
  });
  const { groups, flat } = useMemo(
    () => groupResults(debounced, customers.data ?? [], moments.data?.data ?? [], moments.data?.customers ?? {}),
    [debounced, customers.data, moments.data],
  );
  useEffect(() => setActive(0), [debounced]);

  const open = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onClose();
    navigate(hit.to);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (flat.length) setActive((i) => (i + (event.key === 'ArrowDown' ? 1 : -1) + flat.length) % flat.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open(flat[active]);
    }
  };
  const loading = debounced.length >= 2 && (customers.isFetching || moments.isFetching);
  const failed = customers.error ?? moments.error;
  const activeHit = flat[active];
  const optionId = (hit: SearchHit) => `search-${hit.key.replace(/[^a-zA-Z0-9-]/g, '-')}`;

  return (
    // The title names the dialog for screen readers; the search box is the visible header.
    <Modal opened onClose={onClose} withCloseButton={false} size="lg" padding={0} yOffset="10vh" title="Search" styles={{ header: { display: 'none' } }}>
      <Box p="sm" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
        <TextInput
          data-autofocus
          size="md"
          variant="unstyled"
          placeholder="Search customers, moments and messages"
          aria-label="Search customers, moments and messages"
          role="combobox"
          aria-expanded={flat.length > 0}
          aria-controls="search-results"
          aria-autocomplete="list"
          aria-activedescendant={activeHit ? optionId(activeHit) : undefined}
          leftSection={<IconSearch size={18} aria-hidden />}
          rightSection={loading ? <Loader size="xs" aria-label="Searching" /> : null}
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
      </Box>
      <Box mah="60vh" style={{ overflowY: 'auto' }} p="xs">
        <div id="search-results" role="listbox" aria-label="Results">
          {groups.map((group) => (
            <div key={group.label} role="group" aria-label={group.label}>
              <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" pt="xs" pb={4} aria-hidden>
                {group.label}
              </Text>
              {group.hits.map((hit) => (
                <div
                  key={hit.key}
                  id={optionId(hit)}
                  role="option"
                  aria-selected={hit === activeHit}
                  data-active={hit === activeHit}
                  className="list-row"
                  style={{ cursor: 'pointer' }}
                  onMouseEnter={() => setActive(flat.indexOf(hit))}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => open(hit)}
                >
                  <Text size="sm" fw={500} truncate>
                    {hit.title}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {hit.detail}
                  </Text>
                </div>
              ))}
            </div>
          ))}
        </div>
        {failed ? (
          <Text size="sm" c="red" p="sm" role="alert">
            {errorMessage(failed)}
          </Text>
        ) : debounced.length < 2 ? (
          <Text size="sm" c="dimmed" p="sm">
            Type a name, email, phone number, subject or words from a conversation.
          </Text>
        ) : (
          !loading &&
          flat.length === 0 && (
            <Text size="sm" c="dimmed" p="sm" data-testid="search-empty">
              Nothing matches “{debounced}”. Try fewer words, or an email address.
            </Text>
          )
        )}
      </Box>
      <Group gap="md" px="sm" py={6} style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> to move · <Kbd size="xs">Enter</Kbd> to open · <Kbd size="xs">Esc</Kbd> to close
          </Text>
        </Stack>
      </Group>
    </Modal>
  );
}
