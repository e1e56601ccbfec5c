import { Box, Button, Center, EmptyState, Loader } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { IconArrowLeft, IconInbox } from '@tabler/icons-react';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useMomentList } from '../../api/moments.ts';
import type { Session } from '../../api/types.ts';
import { useBusinessUnitScope } from '../../app/business-unit-scope.tsx';
import { useSession, useViewer } from '../../app/session.ts';
import { useNarrowScreen } from '../../app/use-narrow-screen.ts';
import type { PaneCommands } from '../moment/pane-commands.ts';
import { filtersFromSearch, filtersToSearch, listParams, type InboxFilters as Filters } from './inbox-filters.ts';
import { InboxFilterBar } from './InboxFilterBar.tsx';
import { InboxViews } from './InboxViews.tsx';
import { MomentList, type MomentListHandle } from './MomentList.tsx';

/** Marked once per page load when the inbox is first usable. */
export const INBOX_READY_MARK = 'touchpoint:inbox-ready';

const MomentPane = lazy(() => import('../moment/MomentPane.tsx').then((m) => ({ default: m.MomentPane })));

/**
 * The inbox: a view (mine, my teams, waiting, all) with filters on the left, the selected
 * moment on the right (on a phone, one or the other). Filters live in the address bar, so a view can be bookmarked and the
 * back button works; j/k move through the list, r/e/a act on the selected moment, c opens its customer.
 */
export function InboxScreen() {
  const session = useSession().data as Session;
  const viewer = useViewer(session);
  const { businessUnitId } = useBusinessUnitScope();
  const [search, setSearch] = useSearchParams();
  const { momentId } = useParams();
  const navigate = useNavigate();
  const filters = useMemo<Filters>(() => ({ ...filtersFromSearch(search, viewer), businessUnit: businessUnitId ?? undefined }), [search, viewer, businessUnitId]);
  const params = useMemo(() => listParams(filters, viewer), [filters, viewer]);
  const list = useMomentList(params);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const listRef = useRef<MomentListHandle>(null);
  const pane = useRef<PaneCommands | null>(null);

  const setFilters = useCallback((next: Filters) => setSearch(filtersToSearch(next, viewer), { replace: true }), [setSearch, viewer]);
  const open = useCallback((id: string, focus = false) => {
    navigate({ pathname: `/inbox/${id}`, search: search.toString() }, { replace: true });
    if (focus) pane.current?.focusThread();
  }, [navigate, search]);

  // Keys can come faster than renders: read the latest list and selection, not a render's copy.
  const latest = useRef({ rows, momentId, urlId: momentId });
  latest.current = latest.current.urlId === momentId ? { ...latest.current, rows } : { rows, momentId, urlId: momentId };
  const move = (step: 1 | -1) => {
    const { rows: current, momentId: selected } = latest.current;
    if (current.length === 0) return;
    const at = current.findIndex((m) => m.id === selected);
    const next = at === -1 ? 0 : Math.min(current.length - 1, Math.max(0, at + step));
    latest.current = { ...latest.current, momentId: current[next]!.id };
    open(current[next]!.id);
    listRef.current?.scrollToIndex(next);
  };
  useHotkeys([
    ['j', () => move(1)],
    ['k', () => move(-1)],
    ['r', () => pane.current?.reply()],
    ['e', () => pane.current?.resolve()],
    ['a', () => pane.current?.assign()],
    ['c', () => pane.current?.openCustomer()],
  ]);

  // A mark for performance tooling (bench/p10-inbox-load.ts): the first time the inbox shows its rows or says it is empty.
  const shown = list.isSuccess || list.isError || params === null;
  useEffect(() => {
    if (shown && performance.getEntriesByName(INBOX_READY_MARK).length === 0) performance.mark(INBOX_READY_MARK);
  }, [shown]);

  // Warm the moment view's code while the person reads the list.
  useEffect(() => {
    const idle = window.setTimeout(() => void import('../moment/MomentPane.tsx'), 1500);
    return () => window.clearTimeout(idle);
  }, []);

  // A phone has room for one pane: the list, or the open moment with a way back to the list.
  const narrow = useNarrowScreen();
  const showList = !narrow || !momentId;
  const showMoment = !narrow || Boolean(momentId);
  const backToList = () => navigate({ pathname: '/inbox', search: search.toString() }, { replace: true });

  return (
    <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
      <h1 className="sr-only">Inbox</h1>
      {showList && (
        <Box
          component="section"
          aria-label="Inbox"
          style={{ ...(narrow ? { flex: 1, minWidth: 0 } : { width: 440, flexShrink: 0, borderRight: '1px solid var(--mantine-color-default-border)' }), display: 'flex', flexDirection: 'column', minHeight: 0 }}
        >
          <InboxViews filters={filters} viewer={viewer} onChange={setFilters} />
          <InboxFilterBar filters={filters} viewer={viewer} onChange={setFilters} />
          <MomentList
            ref={listRef}
            list={list}
            rows={rows}
            params={params}
            filters={filters}
            viewer={viewer}
            presence={session.agent?.presence ?? null}
            selectedId={momentId ?? null}
            onOpen={open}
            onMove={move}
            onClearFilters={() => setFilters({ view: filters.view, team: filters.team, sort: filters.sort })}
          />
        </Box>
      )}
      {showMoment && (
        <Box component="section" aria-label="Moment" style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
          {narrow && (
            <Box px="xs" py={4} style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
              <Button variant="subtle" size="xs" leftSection={<IconArrowLeft size={14} aria-hidden />} onClick={backToList}>
                Back to the inbox
              </Button>
            </Box>
          )}
          {momentId ? (
            <Suspense
              fallback={
                <Center h="100%">
                  <Loader role="status" aria-label="Loading the moment" />
                </Center>
              }
            >
              <MomentPane key={momentId} momentId={momentId} viewer={viewer} commands={pane} />
            </Suspense>
          ) : (
            <Center h="100%" p="xl">
              <EmptyState
                icon={<IconInbox size={28} aria-hidden />}
                withIndicatorBackground
                title="Pick a moment"
                description="Choose a moment on the left to read the conversation and act on it. Press j and k to move through the list, ? for every shortcut."
              />
            </Center>
          )}
        </Box>
      )}
    </Box>
  );
}
