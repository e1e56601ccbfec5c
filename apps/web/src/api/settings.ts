import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';
import type { ApiKey, AssignmentRule, BusinessHours, ChannelDetail, SlaPolicy, WorkspaceSettings } from './types.ts';

const list = <T>(path: string) => api.get<{ data: T[] }>(path).then((r) => r.data);

export const useAssignmentRules = () => useQuery({ queryKey: keys.settings.rules, queryFn: () => list<AssignmentRule>('/assignment-rules') });
export const useSlaPolicies = () => useQuery({ queryKey: keys.settings.slaPolicies, queryFn: () => list<SlaPolicy>('/sla-policies') });
export const useBusinessHours = () => useQuery({ queryKey: keys.settings.businessHours, queryFn: () => list<BusinessHours>('/business-hours') });
export const useApiKeys = () => useQuery({ queryKey: keys.settings.keys, queryFn: () => list<ApiKey>('/keys') });
/** The channels with their admin details (secrets set, health, webhooks): the same list the directory caches. */
export const useChannelDetails = () => useQuery({ queryKey: keys.channels, queryFn: () => list<ChannelDetail>('/channels'), staleTime: 5 * 60_000 });
export const useWorkspaceSettings = () =>
  useQuery({ queryKey: keys.settings.workspace, queryFn: () => api.get<{ settings: WorkspaceSettings }>('/workspace').then((r) => r.settings) });

/**
 * A settings write that refreshes what it changes. Settings screens keep their form state
 * when it fails, so what was typed survives the error.
 */
export function useSettingsWrite<I, O = unknown>(write: (input: I) => Promise<O>, refresh: readonly QueryKey[]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: () => Promise.all(refresh.map((queryKey) => client.invalidateQueries({ queryKey }))),
  });
}
