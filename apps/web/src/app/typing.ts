import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { SignalFrame } from '@touchpoint/contracts';
import { useEffect, useState } from 'react';
import { keys } from '../api/keys.ts';

/** Someone typing on a moment: the customer (web chat), or an agent. */
export type Typist = { readonly kind: 'customer' | 'agent'; readonly id: string | null; readonly name: string | null };
type Typing = Typist & { readonly until: number };

/**
 * How long "typing" shows without being renewed. Typists renew it every two seconds while they
 * type and say when they stop; a "stopped" that never arrives (a closed tab) must not leave it
 * on for good. The widget waits as long for an agent's.
 */
export const TYPING_SHOWS_MS = 8_000;

const same = (a: Typist, b: Typist) => a.kind === b.kind && (a.kind === 'customer' || a.id === b.id);

/** A typing signal from the live stream into the cache, by moment. */
export function noteTyping(client: QueryClient, frame: Extract<SignalFrame, { signal: 'typing' }>, now = Date.now()): void {
  const who: Typist = { kind: frame.from.kind, id: frame.from.id ?? null, name: frame.from.name ?? null };
  client.setQueryData<Typing[]>(keys.typing(frame.momentId), (old = []) => {
    const others = old.filter((t) => !same(t, who) && t.until > now);
    return frame.typing ? [...others, { ...who, until: now + TYPING_SHOWS_MS }] : others;
  });
}

/** Whoever wrote a message has stopped typing it. */
export function stoppedTyping(client: QueryClient, momentId: string, who: Typist): void {
  if (!client.getQueryData(keys.typing(momentId))) return;
  client.setQueryData<Typing[]>(keys.typing(momentId), (old = []) => old.filter((t) => !same(t, who)));
}

/**
 * Who is typing on a moment now, other than the viewer; re-renders when an entry runs out.
 * The cache holds only what the stream said: nothing is fetched.
 */
export function useTypists(momentId: string, viewerAgentId: string | null): readonly Typist[] {
  const client = useQueryClient();
  const key = keys.typing(momentId);
  // Nothing to fetch: a refetch keeps what the stream said (an empty answer racing a signal would wipe it).
  const { data } = useQuery<Typing[]>({ queryKey: key, queryFn: () => client.getQueryData<Typing[]>(key) ?? [], initialData: [], staleTime: Infinity, gcTime: TYPING_SHOWS_MS });
  const [now, setNow] = useState(() => Date.now());
  const live = data.filter((t) => t.until > now && !(t.kind === 'agent' && t.id === viewerAgentId));
  const next = Math.min(...live.map((t) => t.until));
  useEffect(() => {
    if (!Number.isFinite(next)) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, next - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [next]);
  // A new signal renders with the clock of its arrival, not of the last expiry.
  useEffect(() => setNow(Date.now()), [data]);
  return live;
}
