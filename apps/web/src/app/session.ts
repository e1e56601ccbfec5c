import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, ApiError } from '../api/client.ts';
import { useTeams } from '../api/directory.ts';
import { keys } from '../api/keys.ts';
import type { Session } from '../api/types.ts';
import type { Viewer } from '../screens/inbox/inbox-filters.ts';

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
    mutationFn: (input: { readonly email: string; readonly password: string }) => api.post('/sessions', input),
    onSuccess: async () => {
      // A new person: nothing cached for the last one may show.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
      await client.refetchQueries({ queryKey: keys.session });
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete('/sessions'),
    onSettled: () => {
      client.clear();
      client.setQueryData(keys.session, null);
    },
  });
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
