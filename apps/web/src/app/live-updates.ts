import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ActivityFrame, ServerFrame } from '@touchpoint/contracts';
import { useEffect, useRef, useState } from 'react';
import { keys } from '../api/keys.ts';
import type { Message, Moment } from '../api/types.ts';
import type { Viewer } from '../screens/inbox/inbox-filters.ts';
import { applyMoment } from './apply-moment.ts';
import { noteTyping, stoppedTyping } from './typing.ts';

/** A server frame of GET /api/v1/stream; the contract leaves an activity's payload open, the web app reads its moment and message. */
type Frame =
  | Exclude<ServerFrame, ActivityFrame>
  | (Readonly<Omit<ActivityFrame, 'payload'>> & { readonly payload: { readonly moment?: Moment; readonly message?: Message } });

export type LiveState = 'connecting' | 'live' | 'reconnecting';

const PING_MS = 25_000;
/** Activities after which a customer's lists of moments may differ. */
const CUSTOMER_LIST_CHANGES: readonly string[] = ['moment.created', 'moment.updated', 'message.added'];
const COUNTS_EVERY_MS = 1_000;

/**
 * Keeps every cached list, moment and thread current from the live stream (the session
 * cookie authenticates the socket). A dropped socket reconnects with backoff and resumes
 * after the last activity it saw, so nothing is missed or applied twice; a `reset` (too far
 * behind) refetches the moments instead.
 */
export function useLiveUpdates(viewer: Viewer | null): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const viewerRef = useRef(viewer);
  viewerRef.current = viewer;
  const enabled = viewer !== null;

  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | null = null;
    let cursor: number | null = null;
    let attempt = 0;
    let stopped = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let pingTimer: ReturnType<typeof setInterval> | undefined;
    const refreshCounts = throttle(() => void client.invalidateQueries({ queryKey: keys.moments.counts }), COUNTS_EVERY_MS);

    const connect = () => {
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      socket = new WebSocket(`${scheme}://${window.location.host}/api/v1/stream${cursor === null ? '' : `?after=${cursor}`}`);
      socket.onmessage = (event) => {
        const frame = JSON.parse(String(event.data)) as Frame;
        if (frame.type === 'ready') {
          // First connection: a list read before the stream began may have missed what came between.
          if (cursor === null) refetchListsOlderThan(client, Date.now());
          cursor = frame.seq;
          attempt = 0;
          setState('live');
        } else if (frame.type === 'activity') {
          cursor = frame.seq;
          const current = viewerRef.current;
          if (current) applyActivity(client, frame, current);
          refreshCounts();
        } else if (frame.type === 'signal') {
          if (frame.signal === 'typing') noteTyping(client, frame);
          else refreshCustomer(client, frame.customerId);
        } else if (frame.type === 'reset') {
          void client.invalidateQueries({ queryKey: keys.moments.all });
        }
      };
      socket.onopen = () => {
        pingTimer = setInterval(() => socket?.readyState === WebSocket.OPEN && socket.send('{"type":"ping"}'), PING_MS);
      };
      socket.onclose = () => {
        clearInterval(pingTimer);
        if (stopped) return;
        setState('reconnecting');
        // The session may have ended (the upgrade is refused): asking again signs the app out if so.
        void client.invalidateQueries({ queryKey: keys.session });
        retryTimer = setTimeout(connect, Math.min(30_000, 500 * 2 ** attempt++));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      socket?.close();
    };
  }, [client, enabled]);

  return state;
}

/** One activity into the cache: the moment itself, every list it joins or leaves, its thread and ledger. */
export function applyActivity(client: QueryClient, frame: Extract<Frame, { type: 'activity' }>, viewer: Viewer): void {
  const { moment, message } = frame.payload;
  if (moment) applyMoment(client, moment, viewer, { onlyIfCached: true });
  if (message) {
    // Whoever sent it is done typing it (their "stopped" may still be on its way).
    if (frame.activity === 'message.added' && message.authorKind !== 'system') stoppedTyping(client, message.momentId, { kind: message.authorKind, id: message.authorId, name: null });
    client.setQueryData<Message[]>(keys.moments.messages(message.momentId), (old) => {
      if (!old) return old;
      const at = old.findIndex((m) => m.id === message.id);
      if (at === -1) return [...old, message];
      // Delivery updates carry no attachments: keep the ones we have.
      const next = [...old];
      next[at] = { ...message, attachments: message.attachments.length > 0 ? message.attachments : old[at]!.attachments };
      return next;
    });
  }
  if (frame.activity.startsWith('handoff.') || frame.activity === 'moment.assigned') {
    void client.invalidateQueries({ queryKey: keys.moments.ownership(frame.momentId) });
  }
  // A moment opened, resolved or reopened (by a customer's message too) changes what its
  // customer has going on (the card beside a conversation, the customer's page): those lists
  // load again if they are shown.
  if (moment && CUSTOMER_LIST_CHANGES.includes(frame.activity)) {
    void client.invalidateQueries({ queryKey: keys.customers.openMoments(moment.customerId) });
    void client.invalidateQueries({ queryKey: keys.customers.momentsOf(moment.customerId) });
  }
}

/**
 * A customer changed (merged, identified, a new stage): their name on inbox rows, the card beside
 * their conversation and their page load again, where they are on screen. The customer keys all
 * carry the id third (`['customers', kind, id, …]`).
 */
export function refreshCustomer(client: QueryClient, customerId: string): void {
  void client.invalidateQueries({ queryKey: keys.customerBriefs.one(customerId) });
  void client.invalidateQueries({ predicate: (query) => query.queryKey[0] === keys.customers.all[0] && query.queryKey[2] === customerId });
}

function refetchListsOlderThan(client: QueryClient, time: number): void {
  for (const query of client.getQueryCache().findAll({ queryKey: keys.moments.lists })) {
    if (query.state.dataUpdatedAt > 0 && query.state.dataUpdatedAt < time) void client.invalidateQueries({ queryKey: query.queryKey, exact: true });
  }
}

function throttle(run: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  };
}
