import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';
import { briefOf } from './customer-brief.ts';
import type { CustomerProfile, CustomerSummary, Moment, Page, Stage, TimelineItem } from './types.ts';

/** Every status: the customer page shows moments past and present. */
export const ALL_STATUSES = 'open,pending,snoozed,resolved,closed';
const TIMELINE_PAGE = 50;

/** A customer's whole profile; `undefined` waits (a moment not loaded yet). */
export function useCustomerProfile(id: string | undefined) {
  return useQuery({ queryKey: keys.customers.detail(id ?? ''), queryFn: ({ signal }) => api.get<CustomerProfile>(`/customers/${id}`, undefined, signal), enabled: id !== undefined });
}

/**
 * How a list row names a customer. Inbox pages leave each brief here every time they load, so
 * a brief is never asked for on its own again (a row each would be fifty requests); a row no
 * page brought (a moment the live stream added) reads the profile once. Briefs stay for the
 * session (a few hundred bytes each): a row scrolled away and back, long after its page loaded,
 * must not ask again either.
 */
export function useCustomerBrief(id: string) {
  return useQuery({
    queryKey: keys.customerBriefs.one(id),
    queryFn: ({ signal }) => api.get<CustomerProfile>(`/customers/${id}`, undefined, signal).then(briefOf),
    staleTime: Infinity,
    gcTime: Infinity,
  });
}

/** Touchpoints newest first, a page at a time; `filter` is the server's channel/type/name. */
export function useTimeline(id: string, filter: Readonly<Record<string, string>>) {
  return useInfiniteQuery({
    queryKey: keys.customers.timeline(id, filter),
    queryFn: ({ pageParam, signal }) => api.get<Page<TimelineItem>>(`/customers/${id}/timeline`, { ...filter, limit: TIMELINE_PAGE, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** The customer's moments, with those of profiles merged into them (the server includes those). */
export function useCustomerMoments(id: string, businessUnit: string) {
  return useInfiniteQuery({
    queryKey: keys.customers.moments(id, businessUnit),
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Moment>>('/moments', { customer: id, status: ALL_STATUSES, businessUnit: businessUnit || undefined, sort: 'recent', limit: 50, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** The customer's latest touchpoint named `name` (their latest order, say), or null. */
export function useLatestTouchpoint(id: string, name: string) {
  return useQuery({
    queryKey: keys.customers.timeline(id, { name, limit: '1' }),
    queryFn: ({ signal }) => api.get<Page<TimelineItem>>(`/customers/${id}/timeline`, { name, limit: 1 }, signal).then((r) => r.data[0] ?? null),
  });
}

/** The customer's moments still being worked (open, pending, snoozed), newest first: the first page. */
export function useOpenMomentsOf(id: string) {
  return useQuery({
    queryKey: keys.customers.openMoments(id),
    queryFn: ({ signal }) => api.get<Page<Moment>>('/moments', { customer: id, status: 'open,pending,snoozed', sort: 'recent', limit: 20 }, signal).then((r) => r.data),
  });
}

export function searchCustomers(q: string, signal?: AbortSignal) {
  return api.get<Page<CustomerSummary>>('/customers', { q, limit: 8 }, signal).then((r) => r.data);
}

export function useCustomerSearch(q: string) {
  const text = q.trim();
  return useQuery({ queryKey: keys.customers.search(text), queryFn: ({ signal }) => searchCustomers(text, signal), enabled: text.length >= 2, staleTime: 10_000 });
}

/**
 * After a merge, unmerge or stage change everything about customers (and their moments) may
 * differ. Inbox lists load again, and with them the names of their rows.
 */
function useRefreshCustomers() {
  const client = useQueryClient();
  return () => Promise.all([client.invalidateQueries({ queryKey: keys.customers.all }), client.invalidateQueries({ queryKey: keys.moments.lists })]);
}

export function useMergeCustomers() {
  const refresh = useRefreshCustomers();
  return useMutation({
    mutationFn: (input: { readonly ids: readonly [string, string]; readonly reason: string; readonly force?: boolean }) =>
      api.post<{ survivorId: string; absorbedId: string; mergeId: string }>('/customers/merge', input),
    onSuccess: refresh,
  });
}

export function useUnmergeCustomer() {
  const refresh = useRefreshCustomers();
  return useMutation({
    mutationFn: (input: { readonly customerId: string; readonly mergeId?: string }) =>
      api.post<{ survivorId: string; restoredId: string; mergeId: string }>(`/customers/${input.customerId}/unmerge`, input.mergeId ? { mergeId: input.mergeId } : {}),
    onSuccess: refresh,
  });
}

export function useOverrideStage(customerId: string) {
  const refresh = useRefreshCustomers();
  return useMutation({
    mutationFn: (input: { readonly stage: Stage | null; readonly reason?: string }) => api.put(`/customers/${customerId}/stage`, input),
    onSuccess: refresh,
  });
}
