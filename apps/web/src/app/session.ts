import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError } from '../api/client.ts';
import { useTeams } from '../api/directory.ts';
import { keys } from '../api/keys.ts';
import type { Session, SignInReply } from '../api/types.ts';
import type { Viewer } from '../screens/inbox/inbox-filters.ts';
import { rememberWorkspaces } from './known-workspaces.ts';

/** Who is signed in (null: nobody). The session cookie is HttpOnly, so the server is asked. */
export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: async (): Promise<Session | null> => {
      try {
        return await api.get<Session>('/sessions/current');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { readonly email: string; readonly password: string }) => api.post<SignInReply>('/sessions', input),
    meta: { checksPassword: true },
    onSuccess: async (reply) => {
      rememberWorkspaces(reply?.workspaces, 'replace');
      // A new person: nothing cached for the last one may show.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
      await client.refetchQueries({ queryKey: keys.session });
      announceSessionChange();
    },
  });
}

/**
 * Enters another workspace: signing in again there, with its password (never kept) and its id.
 * The session and CSRF cookies are replaced by the server's reply; everything cached for the
 * old workspace is dropped and the app starts over at the inbox. The old workspace's session
 * is not ended: it stays valid on the server until it expires (this browser no longer holds it).
 */
export function useSwitchWorkspace() {
  const client = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: (input: { readonly email: string; readonly password: string; readonly workspaceId: string }) => api.post<SignInReply>('/sessions', input),
    // A wrong password for the other workspace leaves this one signed in.
    meta: { checksPassword: true },
    onSuccess: async (reply) => {
      // This password may verify in fewer workspaces than the first one did: keep the others listed.
      rememberWorkspaces(reply?.workspaces, 'merge');
      const session = await api.get<Session>('/sessions/current');
      navigate('/inbox');
      startOver(client, session);
      announceSessionChange();
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete('/sessions'),
    onSettled: () => {
      rememberWorkspaces([], 'replace');
      client.clear();
      client.setQueryData(keys.session, null);
      announceSessionChange();
    },
  });
}

/**
 * Someone else, or somewhere else, is signed in now: drop every cached answer and set the new
 * session. The signed-in screens are keyed by workspace and agent (App.tsx), so they mount
 * afresh: new queries, a new live stream, this workspace's business-unit scope.
 */
function startOver(client: QueryClient, session: Session | null): void {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
  client.setQueryData(keys.session, session);
}

/*
 * Tabs share the cookies: when one signs in, switches workspace or signs out, the others drop
 * what they cached and ask again who is signed in, rather than show one workspace's screens
 * over another's data.
 */
const SESSION_CHANNEL = 'touchpoint.session';
// This tab's own announcements reach its listener too: it skips them.
const THIS_TAB = Math.random().toString(36).slice(2);

function announceSessionChange(): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(SESSION_CHANNEL);
  channel.postMessage(THIS_TAB);
  channel.close();
}

export function useSessionChangesFromOtherTabs(): void {
  const client = useQueryClient();
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(SESSION_CHANNEL);
    channel.onmessage = async (event: MessageEvent) => {
      if (event.data === THIS_TAB) return;
      const before = client.getQueryData<Session | null>(keys.session);
      let now: Session | null;
      try {
        now = await api.get<Session>('/sessions/current');
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) return;
        now = null;
      }
      if (before?.workspace.id === now?.workspace.id && before?.agent?.id === now?.agent?.id) return;
      startOver(client, now);
    };
    return () => channel.close();
  }, [client]);
}

/** The signed-in person as the inbox needs them: id, role and teams. */
export function useViewer(session: Session): Viewer {
  const teams = useTeams().data;
  const agentId = session.agent?.id ?? null;
  return useMemo(
    () => ({ agentId, role: session.role, teamIds: agentId === null || !teams ? [] : teams.filter((t) => t.memberIds.includes(agentId)).map((t) => t.id) }),
    [agentId, session.role, teams],
  );
}

export const isManager = (role: string) => role === 'owner' || role === 'admin';
