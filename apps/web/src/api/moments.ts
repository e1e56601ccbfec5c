import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';
import type { Message, Moment, MomentCounts, MomentPage, OwnershipEntry, Page } from './types.ts';

/** Rows per inbox page: enough to fill a tall screen twice; the next page loads while scrolling. */
export const INBOX_PAGE = 50;

/**
 * One inbox list, cursor-paged as it scrolls; `params` null: nothing to ask. Each page brings
 * its moments' customers along, kept where useCustomerBrief finds them: rows name their
 * customer without a request each.
 */
export function useMomentList(params: Readonly<Record<string, string>> | null) {
  const client = useQueryClient();
  return useInfiniteQuery({
    queryKey: keys.moments.list(params ?? {}),
    queryFn: async ({ pageParam, signal }): Promise<Page<Moment>> => {
      const page = await api.get<MomentPage>('/moments', { ...params, include: 'customers', limit: INBOX_PAGE, cursor: pageParam ?? undefined }, signal);
      for (const [customerId, brief] of Object.entries(page.customers ?? {})) client.setQueryData(keys.customerBriefs.one(customerId), brief);
      return page;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: params !== null,
  });
}

export function useMomentCounts() {
  return useQuery({ queryKey: keys.moments.counts, queryFn: () => api.get<MomentCounts>('/moments/counts') });
}

export function useMoment(id: string) {
  return useQuery({ queryKey: keys.moments.detail(id), queryFn: ({ signal }) => api.get<Moment>(`/moments/${id}`, undefined, signal) });
}

/** The whole thread, oldest first (pages of 500 until the end). */
export function useMessages(id: string) {
  return useQuery({
    queryKey: keys.moments.messages(id),
    queryFn: async ({ signal }) => {
      const all: Message[] = [];
      let after: string | undefined;
      do {
        const page = await api.get<Page<Message>>(`/moments/${id}/messages`, { limit: 500, after }, signal);
        all.push(...page.data);
        after = page.nextCursor ?? undefined;
      } while (after);
      return all;
    },
  });
}

export function useOwnership(id: string) {
  return useQuery({ queryKey: keys.moments.ownership(id), queryFn: ({ signal }) => api.get<{ data: OwnershipEntry[] }>(`/moments/${id}/ownership`, undefined, signal).then((r) => r.data) });
}
