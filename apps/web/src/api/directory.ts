import { useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';
import type { Agent, BusinessUnit, Channel, Team } from './types.ts';

// The organisation changes rarely: read once per few minutes, shared by every screen.
const STALE = 5 * 60_000;

/** `fresh`: read again on mount (settings show presence and membership, which others change). */
export function useAgents(options: { readonly fresh?: boolean } = {}) {
  return useQuery({ queryKey: keys.agents, queryFn: () => api.get<{ data: Agent[] }>('/agents').then((r) => r.data), staleTime: options.fresh ? 0 : STALE });
}

export function useTeams(options: { readonly fresh?: boolean } = {}) {
  return useQuery({ queryKey: keys.teams, queryFn: () => api.get<{ data: Team[] }>('/teams').then((r) => r.data), staleTime: options.fresh ? 0 : STALE });
}

export function useBusinessUnits() {
  return useQuery({ queryKey: keys.businessUnits, queryFn: () => api.get<{ data: BusinessUnit[] }>('/business-units').then((r) => r.data), staleTime: STALE });
}

export function useChannels() {
  return useQuery({ queryKey: keys.channels, queryFn: () => api.get<{ data: Channel[] }>('/channels').then((r) => r.data), staleTime: STALE });
}

/** id → name lookups for people and teams (an unknown id shows as "someone"). */
export function useNames() {
  const agents = useAgents().data ?? [];
  const teams = useTeams().data ?? [];
  const agentName = (id: string | null | undefined) => (id ? (agents.find((a) => a.id === id)?.name ?? (id.startsWith('key:') ? 'an API key' : 'someone')) : 'nobody');
  const teamName = (id: string | null | undefined) => (id ? (teams.find((t) => t.id === id)?.name ?? 'a team') : 'no team');
  return { agentName, teamName };
}
