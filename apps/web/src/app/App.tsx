import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import type { Role } from '../api/types.ts';
import { InboxScreen } from '../screens/inbox/InboxScreen.tsx';
import { NotFoundScreen } from '../screens/not-found/NotFoundScreen.tsx';
import { SignInScreen } from '../screens/sign-in/SignInScreen.tsx';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { BusinessUnitScopeProvider } from './business-unit-scope.tsx';
import { useSession, useSessionChangesFromOtherTabs } from './session.ts';
import { Shell } from './Shell.tsx';

// Loaded on first visit: the inbox's initial bundle stays small (P10, < 300 KB gzipped).
const SettingsScreen = lazy(() => import('../screens/settings/SettingsScreen.tsx').then((m) => ({ default: m.SettingsScreen })));
const CustomerScreen = lazy(() => import('../screens/customer/CustomerScreen.tsx').then((m) => ({ default: m.CustomerScreen })));

/** The routes. Screens live in screens/<screen>/; everything but sign-in needs a session. */
export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInScreen />} />
      <Route element={<SignedIn />}>
        <Route index element={<Navigate to="/inbox" replace />} />
        <Route path="/inbox/:momentId?" element={<InboxScreen />} />
        <Route path="/customers/:customerId" element={<CustomerScreen />} />
        <Route
          path="/settings/*"
          element={
            <OnlyFor roles={['owner', 'admin']}>
              <SettingsScreen />
            </OnlyFor>
          }
        />
        <Route path="*" element={<NotFoundScreen />} />
      </Route>
    </Routes>
  );
}

function SignedIn() {
  const session = useSession();
  useSessionChangesFromOtherTabs();
  const location = useLocation();
  if (session.isPending) return <FullPageLoader />;
  if (session.isError) return <ErrorNotice error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  // Another workspace or person: every screen below starts over (queries, live stream, scope).
  return (
    <BusinessUnitScopeProvider key={`${session.data.workspace.id}:${session.data.agent?.id ?? ''}`} workspaceId={session.data.workspace.id}>
      <Shell session={session.data}>
        <Suspense fallback={<FullPageLoader />}>
          <Outlet />
        </Suspense>
      </Shell>
    </BusinessUnitScopeProvider>
  );
}

/** A screen only some roles may open; others are told why rather than shown a blank page. */
function OnlyFor({ roles, children }: { readonly roles: readonly Role[]; readonly children: React.ReactNode }) {
  const session = useSession();
  if (!session.data || !roles.includes(session.data.role)) return <NotFoundScreen reason="forbidden" />;
  return <>{children}</>;
}

export function FullPageLoader() {
  return (
    <Center h="100%" mih={200}>
      <Loader role="status" aria-label="Loading" />
    </Center>
  );
}
