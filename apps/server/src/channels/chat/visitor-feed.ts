import type { ServerFrame, VisitorMessage } from '@touchpoint/widget/protocol';
import { clientIdOf, customerMessagesByIds, MESSAGE_ACTIVITIES, SHOWN_TO_CUSTOMER, type CustomerView, type MessageView, type VisibleMoments } from '../../modules/moments/index.ts';
import type { HubSocket, StreamHub } from '../../modules/moments/stream-hub.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Deps } from '../../platform/deps.ts';

/** A connected visitor as the feed routes to them. */
export type FeedMember = {
  /** The visitor's own addresses (`anonymous_id:…`, `user_id:…`): a message from one of them is theirs. */
  readonly addresses: readonly string[];
  /** The moments the visitor may see, and from which message on. */
  readonly visible: VisibleMoments;
  /** A frame for this visitor; `seq` (the activity's) when it moves their cursor. */
  readonly deliver: (frame: ServerFrame, seq: number | null) => void;
  readonly drop: (code: number, reason: string) => void;
  readonly isOpen: () => boolean;
  /** The moment the visitor saw was merged into another. */
  readonly moved: (fromId: string, toId: string) => void;
};

/**
 * One workspace's moment activity, as its visitors need it. The feed follows the live moment
 * stream (in seq order, gap-free, across processes on PostgreSQL) as an internal subscriber
 * that sees everything, and routes each message to the visitors of its moment. Work that
 * needs the database runs in one queue, in seq order, so a visitor's frames leave in seq order.
 */
export type Feed = {
  readonly workspaceId: string;
  /**
   * Adds a visitor at a point where every activity up to `processed` has been routed and no
   * later one has: `task` reads what the visitor may see and replays up to there, and from
   * then on the feed routes the rest. Nothing falls between the replay and the live frames.
   */
  readonly join: (member: FeedMember, task: (processed: number) => Promise<void>) => Promise<void>;
  readonly leave: (member: FeedMember) => void;
  /** The visitor may see this moment from message `since` on. */
  readonly adopt: (member: FeedMember, momentId: string, since: string) => void;
  readonly membersOf: (momentId: string) => readonly FeedMember[];
  readonly size: () => number;
  readonly close: (code: number, reason: string) => void;
};

const TEXT_FRAME = (seq: number, message: VisitorMessage): ServerFrame => ({ type: 'message', seq, message });

export function openFeed(deps: Deps, stream: StreamHub, workspaceId: string, onClosed: (feed: Feed) => void): Feed {
  const members = new Set<FeedMember>();
  const byMoment = new Map<string, Set<FeedMember>>();
  const byAddress = new Map<string, Set<FeedMember>>();
  /** Replies already shown: their later delivered and read updates are not news to the visitor. */
  const shownReplies = new Set<string>();
  let processed = -1;
  let closed = false;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let queue: Promise<void> = ready;
  const listeners = { pong: [] as (() => void)[], close: [] as (() => void)[] };

  const enqueue = (task: () => Promise<void> | void) => {
    const run = queue.then(task).catch((error: unknown) => deps.log.error({ err: error, workspaceId }, 'chat feed failed'));
    queue = run;
    return run;
  };

  // The stream hub's view of us: a socket that never falls behind and answers every ping.
  const socket: HubSocket = {
    bufferedAmount: 0,
    send: (data, _options, done) => {
      receive(data);
      if (done) queueMicrotask(() => done());
    },
    ping: () => queueMicrotask(() => listeners.pong.forEach((l) => l())),
    close: (code, reason) => shut(code, reason),
    terminate: () => shut(1006, 'terminated'),
    on: (event, listener) => void listeners[event].push(listener),
  };
  stream.subscribe(socket, { workspaceId, agentId: null, role: 'owner' }, null);

  function receive(data: Buffer): void {
    if (closed) return;
    const frame = JSON.parse(data.toString('utf8')) as { type: string; seq?: number; momentId?: string; activity?: string; payload?: Record<string, unknown>; signal?: string; typing?: unknown; from?: { kind?: string; name?: string } };
    if (frame.type === 'ready') {
      processed = Number(frame.seq);
      markReady();
    } else if (frame.type === 'activity') {
      void enqueue(() => route(Number(frame.seq), String(frame.momentId), String(frame.activity), frame.payload ?? {}));
    } else if (frame.type === 'signal' && frame.signal === 'typing' && frame.from?.kind === 'agent') {
      // Ephemeral: straight to the visitors, outside the ordered queue.
      for (const m of byMoment.get(String(frame.momentId)) ?? []) m.deliver({ type: 'typing', typing: frame.typing === true, name: frame.from.name ?? null }, null);
    }
  }

  async function route(seq: number, momentId: string, activity: string, payload: Record<string, unknown>): Promise<void> {
    try {
      // The survivor's side of a merge names the duplicate; only a chat survivor is the widget's.
      const survivor = payload.moment as { channel?: unknown } | undefined;
      if (activity === 'moment.updated' && typeof payload.merged === 'string') return survivor?.channel === 'chat' ? followMerge(payload.merged, momentId) : undefined;
      const message = payload.message as MessageView | undefined;
      if (!message || !MESSAGE_ACTIVITIES.includes(activity)) return;
      if (message.direction === 'in' && activity !== 'message.updated') {
        const targets = new Set(byMoment.get(momentId) ?? []);
        // Another tab (or server) of the same visitor wrote: the moment is theirs here too.
        for (const m of byAddress.get(message.address ?? '') ?? []) {
          adopt(m, momentId, message.id);
          targets.add(m);
        }
        if (targets.size === 0) return;
        const frame = TEXT_FRAME(seq, fromView(message));
        for (const m of targets) if (message.id >= (m.visible.get(momentId)?.since ?? '\uffff')) m.deliver(frame, seq);
      } else if (message.direction === 'out' && SHOWN_TO_CUSTOMER.includes(message.delivery) && !shownReplies.has(message.id)) {
        // Bounded: forgetting only means a visitor may be sent a reply they already have (and drop it).
        if (shownReplies.size >= 100_000) shownReplies.clear();
        shownReplies.add(message.id);
        const targets = byMoment.get(momentId);
        if (!targets || targets.size === 0) return;
        // The stream's copy lacks the files and the agent's name.
        const [loaded] = await customerMessagesByIds(chatView(deps.db, workspaceId), [message.id]);
        if (!loaded) return;
        const { delivery: _d, externalId: _e, ...view } = loaded;
        const frame = TEXT_FRAME(seq, view);
        for (const m of targets) if (view.id >= (m.visible.get(momentId)?.since ?? '\uffff')) m.deliver(frame, seq);
      }
    } finally {
      processed = Math.max(processed, seq);
    }
  }

  /**
   * A chat merged into another chat moved its messages there: its visitors now see the survivor
   * from where they saw the duplicate, so replies on the survivor reach them live. (Merged into
   * an email or a WhatsApp moment, replies go out that way, not to the widget.)
   */
  function followMerge(duplicateId: string, intoId: string): void {
    for (const m of [...(byMoment.get(duplicateId) ?? [])]) {
      const seen = m.visible.get(duplicateId);
      if (!seen) continue;
      adopt(m, intoId, seen.since);
      m.visible.delete(duplicateId);
      unindex(byMoment, duplicateId, m);
      m.moved(duplicateId, intoId);
    }
  }

  function index(map: Map<string, Set<FeedMember>>, key: string, member: FeedMember): void {
    const set = map.get(key);
    if (set) set.add(member);
    else map.set(key, new Set([member]));
  }

  function unindex(map: Map<string, Set<FeedMember>>, key: string, member: FeedMember): void {
    const set = map.get(key);
    set?.delete(member);
    if (set?.size === 0) map.delete(key);
  }

  function adopt(member: FeedMember, momentId: string, since: string): void {
    if (!members.has(member)) return;
    const known = member.visible.get(momentId);
    if (!known || since < known.since) member.visible.set(momentId, { since, lastMessageAt: known?.lastMessageAt ?? Date.now() });
    index(byMoment, momentId, member);
  }

  function shut(code: number, reason: string): void {
    if (closed) return;
    closed = true;
    for (const l of listeners.close) l();
    for (const m of [...members]) m.drop(code === 1001 ? 1001 : 1012, code === 1001 ? 'server shutting down' : `chat feed restarting (${reason}): reconnect`);
    members.clear();
    onClosed(feed);
  }

  const feed: Feed = {
    workspaceId,
    join: (member, task) =>
      enqueue(async () => {
        if (closed) return member.drop(1012, 'chat feed restarting: reconnect');
        if (!member.isOpen()) return;
        members.add(member);
        for (const a of member.addresses) index(byAddress, a, member);
        try {
          await task(processed);
          // The visitor left while joining: forget them rather than route to a closed socket.
          if (!member.isOpen()) return feed.leave(member);
          for (const momentId of member.visible.keys()) index(byMoment, momentId, member);
        } catch (error) {
          deps.log.error({ err: error, workspaceId }, 'chat visitor could not join');
          feed.leave(member);
          member.drop(1011, 'temporary failure: reconnect');
        }
      }),
    leave: (member) => {
      if (!members.delete(member)) return;
      for (const a of member.addresses) unindex(byAddress, a, member);
      for (const momentId of member.visible.keys()) unindex(byMoment, momentId, member);
    },
    adopt,
    membersOf: (momentId) => [...(byMoment.get(momentId) ?? [])],
    size: () => members.size,
    close: shut,
  };
  return feed;
}

/** What a visitor may see of their chats in a workspace (the moments module answers). */
export const chatView = (db: Db, workspaceId: string): CustomerView => ({ db, workspaceId, channel: 'chat' });

/** The stream's message view, as a visitor sees their own message. */
function fromView(m: MessageView): VisitorMessage {
  return {
    id: m.id,
    momentId: m.momentId,
    clientId: clientIdOf({ channel: 'chat' }, m.externalId),
    direction: 'in',
    body: m.body,
    authorName: null,
    attachments: m.attachments.map((a) => ({ id: a.id, fileName: a.fileName, contentType: a.contentType, size: a.size })),
    createdAt: m.createdAt,
    read: false,
  };
}
