import { createHash } from 'node:crypto';
import { originAllowed, parseClientFrame, VisitorClose, VISITOR_ID, type ClientFrame, type ServerFrame } from '@touchpoint/widget/protocol';
import { findChannelById, type ChannelRecord } from '../../modules/channels/index.ts';
import type { IngestQueue } from '../../modules/collect/index.ts';
import { announceCustomerChanged, audienceOfMoment, clientExternalId, customerAttachment, customerHistory, customerMessagesByIds, customerReplay, latestActivitySeq, recordDelivery, repliesAmong, visibleMoments, type MomentsCtx, type OutboundReply, type VisibleMoments } from '../../modules/moments/index.ts';
import type { StreamHub } from '../../modules/moments/stream-hub.ts';
import { findCustomerIdByIdentity, normalizeIdentity, profileGroupOf, rootOf, type IdentityKind, type Touchpoint } from '../../modules/profiles/index.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { startHeartbeat } from '../../platform/heartbeat.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { findUnstorableText, UNSTORABLE_TEXT } from '../../platform/storable-text.ts';
import { receiveInbound } from '../receive-inbound.ts';
import { chatSettingsOf, UNVERIFIED_EMAIL } from './chat-settings.ts';
import { isOpenNow } from './is-open-now.ts';
import { verifyUserHash } from './verify-user-hash.ts';
import { chatView as chatViewOf, openFeed, type Feed, type FeedMember } from './visitor-feed.ts';

/** The part of a `ws` WebSocket the hub uses. */
export type VisitorSocket = {
  readonly bufferedAmount: number;
  send(data: string): void;
  ping(): void;
  close(code: number, reason: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: 'pong' | 'close', listener: () => void): unknown;
};

/** What the socket's URL and headers said. */
export type VisitorRequest = {
  readonly channelId: string;
  readonly visitor: string;
  readonly userId: string | null;
  readonly userHash: string | null;
  /** What the page says of a signed-in visitor (window.Touchpoint's email and name); used only with a verified userId. */
  readonly email: string | null;
  readonly name: string | null;
  /** The client's cursor; null for a first connection (history instead of replay). */
  readonly after: number | null;
  /** The Origin header (browsers send it; the frame's origin is Touchpoint's own). */
  readonly origin: string | null;
  readonly host: string | null;
};

export type ChatContext = { readonly deps: Deps; readonly moments: MomentsCtx; readonly stream: StreamHub; readonly ingest: IngestQueue };

/** Connected visitors of this process. */
export type VisitorHub = {
  readonly deps: Deps;
  /** Takes a visitor's socket: checks who and where they are, replays, then keeps them live. */
  readonly accept: (socket: VisitorSocket, request: VisitorRequest) => void;
  /** Shows a reply being sent to the visitor's sockets on this process; how many got it, and the message's external id. */
  readonly pushReply: (reply: OutboundReply) => Promise<{ readonly reached: number; readonly externalId: string | null }>;
  readonly connections: () => number;
  readonly close: () => Promise<void>;
};

export type VisitorHubOptions = { readonly heartbeatMs?: number; readonly maxBufferedBytes?: number; readonly feedIdleMs?: number };

type Session = Omit<FeedMember, 'addresses'> & {
  readonly addresses: string[];
  readonly socket: VisitorSocket;
  channel: ChannelRecord | null;
  visitor: string;
  /** Verified user id, or null for an anonymous visitor. */
  userId: string | null;
  /** Who the visitor writes as: `user_id:…` when verified, else `anonymous_id:…`. */
  identity: string;
  /** The visitor gave an email (now or before) or the site signed one in: an askEmail channel takes their messages. */
  emailKnown: boolean;
  feed: Feed | null;
  /** The moment the visitor's next message continues. */
  current: string | null;
  /** Highest seq sent: a frame at or below it is a repeat. */
  sent: number;
  ready: boolean;
  closed: boolean;
  alive: boolean;
  inbox: Promise<void>;
  /** Rate limit: a token bucket refilled at the channel's visitorMessagesPerMinute. */
  tokens: number;
  perSecond: number;
  burst: number;
  refilledAt: number;
  typingAt: number;
};

export function createVisitorHub(ctx: ChatContext, options: VisitorHubOptions = {}): VisitorHub {
  const { deps } = ctx;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const feedIdleMs = options.feedIdleMs ?? 30_000;
  const sessions = new Set<Session>();
  const feeds = new Map<string, Feed>();
  const idle = new Map<Feed, NodeJS.Timeout>();
  const linked = new Set<string>();
  let stopped = false;
  const chatView = (workspaceId: string) => chatViewOf(deps.db, workspaceId);

  // A visitor's tab can vanish without a close; unanswered pings find it.
  const heartbeat = startHeartbeat(() => sessions, options.heartbeatMs ?? 30_000);

  function send(s: Session, frame: ServerFrame): void {
    if (s.closed) return;
    s.socket.send(JSON.stringify(frame));
    if (s.socket.bufferedAmount > maxBuffered) drop(s, 1013, 'too slow: reconnect and resume from your cursor');
  }

  function drop(s: Session, code: number, reason: string): void {
    if (s.closed) return;
    leave(s);
    s.socket.close(code, reason);
  }

  function leave(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    sessions.delete(s);
    const feed = s.feed;
    if (!feed) return;
    feed.leave(s);
    // A feed without visitors stops following the stream after a while (a reload comes back soon).
    if (feed.size() === 0 && !idle.has(feed)) {
      const timer = setTimeout(() => {
        idle.delete(feed);
        if (feed.size() === 0) feed.close(1000, 'idle');
      }, feedIdleMs);
      timer.unref();
      idle.set(feed, timer);
    }
  }

  function feedOf(workspaceId: string): Feed {
    let feed = feeds.get(workspaceId);
    if (!feed) {
      feed = openFeed(deps, ctx.stream, workspaceId, (gone) => {
        if (feeds.get(workspaceId) === gone) feeds.delete(workspaceId);
        clearTimeout(idle.get(gone));
        idle.delete(gone);
      });
      feeds.set(workspaceId, feed);
    }
    clearTimeout(idle.get(feed));
    idle.delete(feed);
    return feed;
  }

  function accept(socket: VisitorSocket, request: VisitorRequest): void {
    const s: Session = {
      socket, channel: null, visitor: request.visitor, userId: null, identity: '', emailKnown: false, addresses: [], visible: new Map(), feed: null, current: null,
      sent: 0, ready: false, closed: false, alive: true, inbox: Promise.resolve(), tokens: 0, perSecond: 0, burst: 0, refilledAt: Date.now(), typingAt: 0,
      deliver: (frame, seq) => {
        if (seq !== null) {
          if (seq <= s.sent) return;
          s.sent = seq;
        }
        send(s, frame);
      },
      drop: (code, reason) => drop(s, code, reason),
      isOpen: () => !s.closed,
      moved: (fromId, toId) => {
        if (s.current === fromId) s.current = toId;
      },
    };
    if (stopped) return socket.close(1001, 'server shutting down');
    sessions.add(s);
    // Listeners go on before anything awaits, so no early frame is missed; frames wait for the start.
    socket.on('pong', () => (s.alive = true));
    socket.on('close', () => leave(s));
    socket.on('message', (data, isBinary) => {
      s.inbox = s.inbox.then(() => handle(s, data, isBinary)).catch((error: unknown) => {
        deps.log.error({ err: error }, 'chat frame failed');
        drop(s, 1011, 'temporary failure: reconnect and resend');
      });
    });
    s.inbox = start(s, request).catch((error: unknown) => {
      deps.log.error({ err: error }, 'chat visitor could not start');
      drop(s, 1011, 'temporary failure: reconnect');
    });
  }

  async function start(s: Session, request: VisitorRequest): Promise<void> {
    if (!VISITOR_ID.test(request.visitor) || !normalizeIdentity('anonymous_id', request.visitor).ok) return drop(s, VisitorClose.badRequest, 'visitor must be the anonymous id: 8 to 128 printable characters, no spaces');
    if (request.userId !== null && (request.userId.length > 200 || !normalizeIdentity('user_id', request.userId).ok || request.userId.trim() !== request.userId)) return drop(s, VisitorClose.badRequest, 'userId is not a usable user id');
    const channel = await findChannelById(deps, request.channelId, ['chat']);
    if (!channel) return drop(s, VisitorClose.unknownChannel, 'no enabled chat channel with that id');
    const settings = chatSettingsOf(channel);
    if (request.origin && !sameHost(request.origin, request.host) && !originAllowed(request.origin, settings.allowedOrigins)) return drop(s, VisitorClose.forbidden, `origin ${request.origin} is not allowed on this channel`);
    if (request.userId !== null && !verifyUserHash(channel.secrets.identitySecret, request.userId, request.userHash)) {
      return drop(s, VisitorClose.unverified, "identity verification failed: userHash must be the hex HMAC-SHA256 of userId with the channel's identity secret");
    }
    s.channel = channel;
    s.perSecond = settings.visitorMessagesPerMinute / 60;
    s.burst = s.tokens = Math.max(20, settings.visitorMessagesPerMinute / 6);
    s.userId = request.userId;
    s.identity = request.userId !== null ? `user_id:${request.userId}` : `anonymous_id:${request.visitor}`;
    const addresses = [...new Set([s.identity, `anonymous_id:${request.visitor}`])];
    s.addresses.push(...addresses);
    if (request.userId !== null) await link(channel, request.userId, request.visitor, await unclaimed(channel.workspaceId, s.identity, signedInTraits(request)));
    const online = await isOpenNow(deps.db, channel.workspaceId, settings.businessHoursId, deps.clock.now());
    if (s.closed) return;
    const feed = feedOf(channel.workspaceId);
    s.feed = feed;
    await feed.join(s, async (processed) => {
      const profile = await profileGroupOf(deps.db, channel.workspaceId, addresses);
      const visible = await visibleMoments(chatView(channel.workspaceId), profile.group, addresses);
      for (const [id, v] of visible) s.visible.set(id, v);
      s.current = latestOf(visible);
      s.emailKnown = profile.emailKnown || (s.userId !== null && signedInTraits(request).email !== undefined) || (settings.askEmail && (await typedClaimedEmail(channel.workspaceId, profile.group)));
      send(s, { type: 'welcome', online, askEmail: settings.askEmail, emailKnown: s.emailKnown, title: settings.title, greeting: settings.greeting, verified: s.userId !== null });
      let after = request.after;
      if (after !== null && after > (await latestActivitySeq(deps.db, channel.workspaceId))) {
        // A cursor from another database (restored backup, new install): start over.
        send(s, { type: 'reset' });
        after = null;
      }
      const replay = after === null ? null : await customerReplay(chatView(channel.workspaceId), s.visible, after, processed);
      if (replay === null) {
        if (after !== null) send(s, { type: 'reset' });
        for (const message of await customerHistory(chatView(channel.workspaceId), s.visible)) send(s, { type: 'message', seq: null, message });
      } else for (const r of replay) send(s, { type: 'message', seq: r.seq, message: r.message });
      s.sent = processed;
      s.ready = true;
      send(s, { type: 'ready', cursor: Math.max(after ?? 0, processed) });
    });
  }

  /**
   * A signed-in visitor's anonymous id joins their profile: the pages they browsed become theirs.
   * The email and name the site gave go on it too, so the agent knows who it is and the widget
   * does not ask them for an email.
   */
  async function link(channel: ChannelRecord, userId: string, visitor: string, traits: Record<string, string>): Promise<void> {
    const key = createHash('sha256').update(`${channel.workspaceId}\n${userId}\n${visitor}\n${JSON.stringify(traits)}`).digest('hex').slice(0, 32);
    if (linked.has(key)) return;
    await ctx.ingest.submit(channel.workspaceId, [identify(`chat-link:${key}`, userId, visitor, traits, deps.clock.now())]);
    if (linked.size > 100_000) linked.clear();
    linked.add(key);
  }

  async function handle(s: Session, data: Buffer, isBinary: boolean): Promise<void> {
    if (s.closed || !s.ready) return;
    const parsed = isBinary ? { ok: false as const, field: 'frame', message: 'send text frames' } : parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) return send(s, { type: 'error', code: 'invalid_field', message: `${parsed.field}: ${parsed.message}` });
    const frame = parsed.frame;
    // Text either engine cannot store (NUL, lone surrogates) is refused here, as on every HTTP route.
    const unstorable = findUnstorableText(frame, '');
    if (unstorable !== null) return send(s, { type: 'error', code: 'invalid_field', message: `${unstorable}: ${UNSTORABLE_TEXT}` });
    switch (frame.type) {
      case 'message':
        return message(s, frame);
      case 'typing':
        return typing(s, frame.typing);
      case 'delivered':
      case 'read':
        return receipts(s, frame.type, frame.ids);
      case 'identify':
        return identifyVisitor(s, frame);
      case 'file': {
        const file = await customerAttachment(chatView(s.channel!.workspaceId), frame.id, s.visible);
        if (!file) return send(s, { type: 'error', code: 'resource_not_found', message: `no file ${frame.id} in your conversations`, fileId: frame.id });
        return send(s, { type: 'file', id: frame.id, fileName: file.fileName, contentType: file.contentType, data: file.data.toString('base64') });
      }
      case 'ping':
        return send(s, { type: 'pong' });
    }
  }

  async function message(s: Session, frame: Extract<ClientFrame, { type: 'message' }>): Promise<void> {
    const channel = s.channel!;
    // The widget asks first; a client of its own must too, or the channel gets conversations it cannot follow up.
    if (!s.emailKnown && chatSettingsOf(channel).askEmail) {
      return send(s, { type: 'error', code: 'missing_field', field: 'email', message: 'email: this chat asks for your email before you write; send it first ({"type":"identify","email":"…"})', clientId: frame.clientId });
    }
    const wait = takeToken(s);
    // The widget resends this message after `retryAfterMs`, and holds the ones written after it until then.
    if (wait > 0) return send(s, { type: 'error', code: 'rate_limited', message: 'too many messages at once; this one is sent again shortly', clientId: frame.clientId, retry: true, retryAfterMs: wait });
    let ids: { messageId: string; momentId: string };
    try {
      const result = await receiveInbound(ctx.moments, channel, {
        identity: s.identity,
        message: {
          body: frame.body,
          externalId: clientExternalId(chatView(channel.workspaceId), frame.clientId),
          address: s.identity,
          meta: { visitor: s.visitor, ...(s.userId !== null ? { userId: s.userId } : {}) },
          attachments: (frame.attachments ?? []).map((a) => ({ fileName: a.fileName, contentType: a.contentType, data: Buffer.from(a.data, 'base64') })),
        },
        // Only a conversation this session may see: its anonymous id, or its verified user id, wrote in it.
        threadMomentId: s.current,
        threadsItself: true,
      });
      // A resend of a message already stored is acknowledged with the id it was stored under.
      if (result.outcome === 'duplicate' && !s.addresses.includes(result.message.address ?? '')) {
        return send(s, { type: 'error', code: 'conflict', message: 'that client id was used by someone else', clientId: frame.clientId });
      }
      ids = { messageId: result.message.id, momentId: result.moment.id };
    } catch (error) {
      if (error instanceof AppError) return send(s, { type: 'error', code: error.code, message: error.message, clientId: frame.clientId });
      throw error;
    }
    s.feed?.adopt(s, ids.momentId, ids.messageId);
    s.current = ids.momentId;
    send(s, { type: 'ack', clientId: frame.clientId, messageId: ids.messageId, momentId: ids.momentId });
  }

  async function typing(s: Session, on: boolean): Promise<void> {
    const now = Date.now();
    if (!s.current || (on && now - s.typingAt < 1_000)) return;
    s.typingAt = on ? now : 0;
    const audience = await audienceOfMoment(deps.db, s.channel!.workspaceId, s.current);
    if (!audience) return;
    ctx.stream.signal(s.channel!.workspaceId, audience, { type: 'signal', signal: 'typing', momentId: s.current, from: { kind: 'customer' }, typing: on });
  }

  async function receipts(s: Session, state: 'delivered' | 'read', ids: readonly string[]): Promise<void> {
    const workspaceId = s.channel!.workspaceId;
    for (const messageId of await repliesAmong(chatView(workspaceId), ids, [...s.visible.keys()])) {
      await recordDelivery(ctx.moments, { workspaceId, messageId, state });
    }
  }

  /** Pre-chat (or offline) email: an identify touchpoint gives the visitor's profile the email, which links it. */
  async function identifyVisitor(s: Session, frame: Extract<ClientFrame, { type: 'identify' }>): Promise<void> {
    const workspaceId = s.channel!.workspaceId;
    const email = normalizeIdentity('email', frame.email);
    if (!email.ok) return send(s, { type: 'error', code: 'invalid_field', message: `email: ${email.message}` });
    const traits = await unclaimed(workspaceId, s.identity, { email: email.identity.value, ...(frame.name ? { name: frame.name } : {}) });
    const key = createHash('sha256').update(`${workspaceId}\n${s.identity}\n${JSON.stringify(traits)}`).digest('hex').slice(0, 32);
    const outcome = await ctx.ingest.submit(workspaceId, [identify(`chat-email:${key}`, s.userId, s.visitor, traits, deps.clock.now())]);
    s.emailKnown = true;
    send(s, { type: 'identified', email: email.identity.value });
    // The agent on the chat sees who it is with now, without a reload.
    await announceCustomerChanged(deps, ctx.stream, workspaceId, outcome.customerIds.filter((id) => id !== null));
  }

  /**
   * Anyone can type any email into a chat, and a signed-in visitor's page can say any email
   * (only `userId` is signed). An address that is already someone else's is kept as what this
   * visitor said (UNVERIFIED_EMAIL) rather than linked: linking would merge that customer into
   * the visitor, whose widget would then show their conversations and take over their replies.
   */
  async function unclaimed(workspaceId: string, identity: string, traits: Record<string, string>): Promise<Record<string, string>> {
    if (traits.email === undefined || !(await heldByAnother(workspaceId, identity, traits.email))) return traits;
    const { email, ...rest } = traits;
    return { ...rest, [UNVERIFIED_EMAIL]: email };
  }

  /** Whether the visitor typed an email another customer holds (kept as UNVERIFIED_EMAIL): they gave one, so are not asked again. */
  async function typedClaimedEmail(workspaceId: string, group: readonly string[]): Promise<boolean> {
    if (group.length === 0) return false;
    return typeof parseJsonObject((await rootOf(deps.db, workspaceId, group[0]!)).traits)[UNVERIFIED_EMAIL] === 'string';
  }

  /** Whether the email is an identity of a profile other than the one `identity` (`kind:value`) resolves to. */
  async function heldByAnother(workspaceId: string, identity: string, email: string): Promise<boolean> {
    const holder = await findCustomerIdByIdentity(deps.db, workspaceId, 'email', email);
    if (holder === null) return false;
    const at = identity.indexOf(':');
    return holder !== (await findCustomerIdByIdentity(deps.db, workspaceId, identity.slice(0, at) as IdentityKind, identity.slice(at + 1)));
  }

  /** Takes a token for a message: 0 when taken, else the milliseconds until one is there. */
  function takeToken(s: Session): number {
    const now = Date.now();
    s.tokens = Math.min(s.burst, s.tokens + ((now - s.refilledAt) / 1000) * s.perSecond);
    s.refilledAt = now;
    if (s.tokens < 1) return Math.ceil(((1 - s.tokens) / s.perSecond) * 1000);
    s.tokens -= 1;
    return 0;
  }

  async function pushReply(reply: OutboundReply): Promise<{ reached: number; externalId: string | null }> {
    const [loaded] = await customerMessagesByIds(chatView(reply.workspaceId), [reply.messageId]);
    if (!loaded) return { reached: 0, externalId: null };
    const { delivery: _d, externalId, ...message } = loaded;
    let reached = 0;
    for (const m of feeds.get(reply.workspaceId)?.membersOf(reply.momentId) ?? []) {
      if (message.id < (m.visible.get(reply.momentId)?.since ?? '\uffff')) continue;
      m.deliver({ type: 'message', seq: null, message }, null);
      reached++;
    }
    return { reached, externalId };
  }

  async function close(): Promise<void> {
    stopped = true;
    heartbeat.stop();
    for (const timer of idle.values()) clearTimeout(timer);
    for (const s of [...sessions]) drop(s, 1001, 'server shutting down');
    for (const feed of [...feeds.values()]) feed.close(1001, 'server shutting down');
  }

  return { deps, accept, pushReply, connections: () => sessions.size, close };
}

/** The email and name the page gave with a verified userId; one that is not usable is left out rather than refusing the chat. */
function signedInTraits(request: VisitorRequest): Record<string, string> {
  const traits: Record<string, string> = {};
  const email = request.email === null ? null : normalizeIdentity('email', request.email);
  if (email?.ok) traits.email = email.identity.value;
  const name = request.name?.trim() ?? '';
  if (name !== '' && name.length <= 200) traits.name = name;
  for (const [key, value] of Object.entries(traits)) if (findUnstorableText(value, key) !== null) delete traits[key];
  return traits;
}

/** The most recently active moment: where the visitor's next message goes. */
function latestOf(visible: VisibleMoments): string | null {
  let best: string | null = null;
  let at = -Infinity;
  for (const [id, v] of visible) if (v.lastMessageAt > at) [best, at] = [id, v.lastMessageAt];
  return best;
}

/** The frame itself connects from Touchpoint's origin: the same host as the request. */
function sameHost(origin: string, host: string | null): boolean {
  try {
    return host !== null && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

function identify(messageId: string, userId: string | null, anonymousId: string, traits: Record<string, string>, now: number): Touchpoint {
  return { messageId, type: 'identify', name: null, channel: 'chat', userId, anonymousId, previousId: null, traits, properties: traits, context: {}, timestamp: now, receivedAt: now };
}
