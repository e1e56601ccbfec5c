/**
 * The visitors' chat protocol, shared by the widget's frame (a browser) and by the server's
 * tests (Node, with `ws`): the frames both ways, the parser the server applies to what a
 * visitor sends, and ChatClient, which keeps one visitor's conversation over a socket that may
 * drop at any moment.
 *
 * What the client and the server promise each other:
 * - every visitor message carries a client id (a UUID) and is resent until acknowledged; the
 *   server stores it once (external id `chat:<clientId>`) and acknowledges a resend with the
 *   same message id;
 * - the client sends one message at a time, the next only once the one before is acknowledged,
 *   so messages are stored in the order they were written even when the server refuses one for
 *   a while (rate limit: it says when to try again, `retryAfterMs`);
 * - every message the server shows carries its id; frames that move the cursor carry `seq`,
 *   sent in increasing order, and a reconnect with `after=<cursor>` replays what came after:
 *   nothing is lost, and the client drops what it already has, so nothing is shown twice.
 *
 * No imports and no DOM or Node types: the frame bundle stays small and tests run it as is.
 */

/** Where the visitors' socket listens, relative to the Touchpoint origin. */
export const SOCKET_PATH = '/widget/socket';

/** Close codes the server uses when it refuses a visitor; the client does not reconnect after them. */
export const VisitorClose = {
  /** The query was malformed (no channel, a bad visitor id). */
  badRequest: 4400,
  /** A userId without a valid userHash: identity verification failed. */
  unverified: 4401,
  /** The page's origin is not one of the channel's allowed origins, or the channel is disabled. */
  forbidden: 4403,
  /** No such chat channel. */
  unknownChannel: 4404,
} as const;

/**
 * The visitor ids the socket takes: the ids analytics.js gives a page (a UUID, `auth0|5f3c…`), so
 * the chat joins the page views tracked with it. Printable ASCII, no spaces, 8 to 128 characters:
 * it travels in a URL and is stored as the visitor's anonymous id. The id is also what lets a
 * returning visitor see their conversation, so a short one (`a-42`, guessable) is not taken: the
 * loader then keeps the widget on an id of its own.
 * @example VISITOR_ID.test('auth0|5f3c7e2a') // true
 */
export const VISITOR_ID = /^[\x21-\x7e]{8,128}$/;

/** Limits the server enforces and the frame checks before sending. */
export const CHAT_LIMITS = { body: 10_000, fileBytes: 5 * 1024 * 1024, files: 1 } as const;

export type AttachmentMeta = { readonly id: string; readonly fileName: string; readonly contentType: string; readonly size: number };

/** A message as the visitor sees it: their own (`in`) or an agent's reply (`out`). */
export type VisitorMessage = {
  readonly id: string;
  readonly momentId: string;
  /** The client id the visitor sent it with (their own messages only). */
  readonly clientId: string | null;
  readonly direction: 'in' | 'out';
  readonly body: string;
  readonly authorName: string | null;
  readonly attachments: readonly AttachmentMeta[];
  readonly createdAt: string;
  /** An agent's reply the visitor has read (in any tab, on any device); false for their own messages. */
  readonly read: boolean;
};

/** A file the visitor attaches, base64. */
export type OutgoingAttachment = { readonly fileName: string; readonly contentType: string; readonly data: string };

/** Client → server. */
export type ClientFrame =
  | { readonly type: 'message'; readonly clientId: string; readonly body: string; readonly attachments?: readonly OutgoingAttachment[] }
  | { readonly type: 'typing'; readonly typing: boolean }
  | { readonly type: 'delivered' | 'read'; readonly ids: readonly string[] }
  | { readonly type: 'identify'; readonly email: string; readonly name?: string }
  | { readonly type: 'file'; readonly id: string }
  | { readonly type: 'ping' };

/** What the widget shows before anything is sent: business hours, what to ask for. */
export type WelcomeFrame = {
  readonly type: 'welcome';
  /** Inside the channel's business hours: agents answer live. Outside: offline mode (leave a message and an email). */
  readonly online: boolean;
  /** Ask for an email before the first message (pre-chat capture; always when offline). */
  readonly askEmail: boolean;
  /** The visitor's profile already has an email. */
  readonly emailKnown: boolean;
  readonly title: string;
  readonly greeting: string;
  readonly verified: boolean;
};

export type FileFrame = { readonly type: 'file'; readonly id: string; readonly fileName: string; readonly contentType: string; readonly data: string };

/** Server → client. */
export type ServerFrame =
  | WelcomeFrame
  | { readonly type: 'message'; readonly seq: number | null; readonly message: VisitorMessage }
  /** Replay is over; `cursor` is the resume point from here on. */
  | { readonly type: 'ready'; readonly cursor: number }
  /** The cursor is unknown here (another database): forget what you have, the history follows. */
  | { readonly type: 'reset' }
  | { readonly type: 'ack'; readonly clientId: string; readonly messageId: string; readonly momentId: string }
  | { readonly type: 'typing'; readonly typing: boolean; readonly name: string | null }
  | { readonly type: 'identified'; readonly email: string }
  | FileFrame
  /** `retry`: the same frame may succeed later (rate limit), after `retryAfterMs`; otherwise it never will. */
  /** `field`: what the frame lacks or got wrong (`email`: an askEmail channel needs it before a message). */
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly field?: string; readonly clientId?: string; readonly fileId?: string; readonly retry?: boolean; readonly retryAfterMs?: number }
  | { readonly type: 'pong' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = /^[A-Za-z0-9._:-]{1,64}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/**
 * Checks a frame a visitor sent; returns it typed, or a reason naming the bad field.
 * @example parseClientFrame('{"type":"typing","typing":true}') // { ok: true, frame: { type: 'typing', typing: true } }
 */
export function parseClientFrame(text: string): { readonly ok: true; readonly frame: ClientFrame } | { readonly ok: false; readonly field: string; readonly message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, field: 'frame', message: 'not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, field: 'frame', message: 'must be an object' };
  const f = value as Record<string, unknown>;
  const bad = (field: string, message: string) => ({ ok: false as const, field, message });
  switch (f.type) {
    case 'message': {
      if (typeof f.clientId !== 'string' || !UUID.test(f.clientId)) return bad('clientId', 'must be a UUID');
      if (typeof f.body !== 'string' || f.body.length > CHAT_LIMITS.body) return bad('body', `must be text of at most ${CHAT_LIMITS.body} characters`);
      const attachments = f.attachments ?? [];
      if (!Array.isArray(attachments) || attachments.length > CHAT_LIMITS.files) return bad('attachments', `at most ${CHAT_LIMITS.files} file per message`);
      for (const a of attachments as unknown[]) {
        const x = (a ?? {}) as Record<string, unknown>;
        if (typeof x.fileName !== 'string' || x.fileName.length < 1 || x.fileName.length > 255) return bad('attachments.fileName', 'must be 1 to 255 characters');
        if (typeof x.contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(x.contentType)) return bad('attachments.contentType', 'must be a media type such as image/png');
        if (typeof x.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(x.data)) return bad('attachments.data', 'must be base64');
      }
      if (f.body.trim() === '' && attachments.length === 0) return bad('body', 'write something or attach a file');
      return { ok: true, frame: { type: 'message', clientId: f.clientId.toLowerCase(), body: f.body, attachments: attachments as OutgoingAttachment[] } };
    }
    case 'typing':
      return typeof f.typing === 'boolean' ? { ok: true, frame: { type: 'typing', typing: f.typing } } : bad('typing', 'must be true or false');
    case 'delivered':
    case 'read':
      if (!Array.isArray(f.ids) || f.ids.length > 500 || !f.ids.every((id) => typeof id === 'string' && ID.test(id))) return bad('ids', 'must be a list of at most 500 message ids');
      return { ok: true, frame: { type: f.type, ids: f.ids as string[] } };
    case 'identify':
      if (typeof f.email !== 'string' || !EMAIL.test(f.email.trim())) return bad('email', 'must be an email address');
      if (f.name !== undefined && (typeof f.name !== 'string' || f.name.length > 200)) return bad('name', 'must be at most 200 characters');
      return { ok: true, frame: { type: 'identify', email: f.email.trim(), ...(typeof f.name === 'string' && f.name.trim() ? { name: f.name.trim() } : {}) } };
    case 'file':
      return typeof f.id === 'string' && ID.test(f.id) ? { ok: true, frame: { type: 'file', id: f.id } } : bad('id', 'must be an attachment id');
    case 'ping':
      return { ok: true, frame: { type: 'ping' } };
    default:
      return bad('type', 'must be message, typing, delivered, read, identify, file or ping');
  }
}

/**
 * Whether `origin` is one of a channel's allowed origins: an exact origin
 * (`https://shop.example.com`) or every subdomain of one (`https://*.example.com`).
 * The frame checks postMessage senders with it; the server checks the visitors' socket.
 * @example originAllowed('https://www.example.com', ['https://*.example.com']) // true
 */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  const o = origin.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p === o) return true;
    const star = p.indexOf('://*.');
    if (star < 0) return false;
    const scheme = p.slice(0, star + 3);
    const suffix = p.slice(star + 4); // ".example.com[:port]"
    return o.startsWith(scheme) && o.endsWith(suffix) && o.length > scheme.length + suffix.length && !o.slice(scheme.length, o.length - suffix.length).includes('/');
  });
}

/**
 * The part of a WebSocket the client uses: the browser's and `ws`'s both fit. Handlers take
 * `never` so either's own event types are accepted; the client annotates what it reads.
 */
export type SocketLike = {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
};

/** A visitor message not yet acknowledged: resent on every (re)connection until it is. */
export type PendingMessage = { readonly clientId: string; readonly body: string; readonly attachments: readonly OutgoingAttachment[] };

export type ChatEvent =
  | { readonly type: 'message'; readonly message: VisitorMessage }
  | { readonly type: 'ack'; readonly clientId: string; readonly messageId: string }
  | { readonly type: 'connected' | 'disconnected' | 'reset' }
  | { readonly type: 'welcome'; readonly welcome: WelcomeFrame }
  | { readonly type: 'typing'; readonly typing: boolean; readonly name: string | null }
  | { readonly type: 'identified'; readonly email: string }
  /** The server refused the connection for good (close code 44xx): no reconnect. */
  | { readonly type: 'refused'; readonly code: number; readonly reason: string }
  /** The server will never take this message (too large, bad file): it leaves the pending list. */
  | { readonly type: 'failed'; readonly clientId: string; readonly code: string; readonly message: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

export type ChatClientOptions = {
  /** The Touchpoint origin as a WebSocket URL: `wss://touchpoint.example.com`. */
  readonly url: string;
  readonly channelId: string;
  /** The visitor's anonymous id (analytics.js' anonymousId when the page has one). */
  readonly visitorId: string;
  readonly userId?: string | null;
  readonly userHash?: string | null;
  /** A signed-in visitor's email and name as the page gave them: they go on the profile once userHash verifies. */
  readonly email?: string | null;
  readonly name?: string | null;
  readonly connect: (url: string) => SocketLike;
  /** Delay before reconnect attempt `n` (0-based). */
  readonly retryMs?: (attempt: number) => number;
  /** Unacknowledged messages, e.g. restored from storage after a page load. */
  readonly pending?: readonly PendingMessage[];
  readonly newId?: () => string;
};

const OPEN = 1;
const TYPING_EVERY_MS = 2_000;
/** How long to wait before resending a refused message when the server does not say. */
const RETRY_AFTER_MS = 2_000;

/**
 * One visitor's conversation. Messages are kept by id (so a replayed or re-pushed one is not
 * shown twice), pending ones by client id (so they are resent until acknowledged).
 * @example const chat = new ChatClient({ url, channelId, visitorId, connect: (u) => new WebSocket(u) }); chat.on(render); chat.start(); chat.send('Hello')
 */
export class ChatClient {
  private socket: SocketLike | null = null;
  private readonly byId = new Map<string, VisitorMessage>();
  private readonly waiting = new Map<string, PendingMessage>();
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private readonly files = new Map<string, { resolve: (file: FileFrame) => void; reject: (error: Error) => void }[]>();
  private readonly toAck = { delivered: new Set<string>(), read: new Set<string>() };
  private readonly marked = { delivered: new Set<string>(), read: new Set<string>() };
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The one message on the wire, awaiting its ack; the rest of `waiting` queues behind it. */
  private inFlight: string | null = null;
  private resendTimer: ReturnType<typeof setTimeout> | null = null;
  /** The email the visitor gave, until the server confirms it (`identified`). */
  private unconfirmedEmail: Extract<ClientFrame, { type: 'identify' }> | null = null;
  private attempt = 0;
  private running = false;
  private typingSentAt = 0;
  private typingState = false;
  /** The resume point: the highest `seq` received (null before the first history). */
  cursor: number | null = null;
  /** Replay done and live: new messages go out at once. */
  ready = false;
  welcome: WelcomeFrame | null = null;

  constructor(private readonly options: ChatClientOptions) {
    for (const p of options.pending ?? []) this.waiting.set(p.clientId, p);
  }

  /** Every message received, oldest first (ids are time-ordered), each once. */
  get messages(): VisitorMessage[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Agents' replies the visitor has not read yet: neither read on the server nor marked read here. */
  get unread(): number {
    let count = 0;
    for (const m of this.byId.values()) if (m.direction === 'out' && !m.read && !this.marked.read.has(m.id) && !this.toAck.read.has(m.id)) count++;
    return count;
  }

  /** Sent but not yet acknowledged, in the order they were written. */
  get pending(): PendingMessage[] {
    return [...this.waiting.values()];
  }

  on(listener: (event: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  /** Closes the socket and stops reconnecting; pending messages stay pending. */
  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.holdOutbox();
    this.flushAcks();
    this.socket?.close(1000, 'bye');
    this.socket = null;
    this.ready = false;
  }

  /** Queues a message (sent after those before it, resent until acknowledged); returns its client id. */
  send(body: string, attachments: readonly OutgoingAttachment[] = []): string {
    const clientId = (this.options.newId ?? uuid)();
    this.waiting.set(clientId, { clientId, body, attachments });
    this.sendNext();
    return clientId;
  }

  /** Tells the agent the visitor is typing (at most every two seconds) or stopped. */
  setTyping(typing: boolean): void {
    const now = Date.now();
    if (typing && this.typingState && now - this.typingSentAt < TYPING_EVERY_MS) return;
    if (!typing && !this.typingState) return;
    this.typingState = typing;
    this.typingSentAt = now;
    if (this.ready) this.transmit({ type: 'typing', typing });
  }

  /** Marks agents' messages read (all received ones by default). */
  markRead(ids: readonly string[] = this.messages.filter((m) => m.direction === 'out').map((m) => m.id)): void {
    for (const id of ids) if (!this.marked.read.has(id)) this.toAck.read.add(id);
    this.scheduleAcks();
  }

  /** Pre-chat or offline email capture: sent now, or when the connection is back, until the server confirms it. */
  identify(email: string, name?: string): void {
    this.unconfirmedEmail = { type: 'identify', email, ...(name ? { name } : {}) };
    if (this.ready) this.transmit(this.unconfirmedEmail);
  }

  /** Downloads an attachment over the socket (base64). */
  fetchFile(id: string): Promise<FileFrame> {
    return new Promise((resolve, reject) => {
      const waiters = this.files.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.files.set(id, waiters);
      if (waiters.length === 1 && !this.transmit({ type: 'file', id })) {
        this.files.delete(id);
        reject(new Error('not connected'));
      }
    });
  }

  private open(): void {
    const o = this.options;
    const query = [`channel=${enc(o.channelId)}`, `visitor=${enc(o.visitorId)}`];
    if (o.userId) {
      query.push(`userId=${enc(o.userId)}`, `userHash=${enc(o.userHash ?? '')}`);
      if (o.email) query.push(`email=${enc(o.email)}`);
      if (o.name) query.push(`name=${enc(o.name)}`);
    }
    if (this.cursor !== null) query.push(`after=${this.cursor}`);
    const socket = o.connect(`${o.url.replace(/\/$/, '')}${SOCKET_PATH}?${query.join('&')}`);
    this.socket = socket;
    socket.onmessage = (event: { readonly data: unknown }) => {
      if (this.socket !== socket) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(typeof event.data === 'string' ? event.data : String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.receive(frame);
    };
    socket.onclose = (event: { readonly code: number; readonly reason: string }) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const wasReady = this.ready;
      this.ready = false;
      this.holdOutbox();
      for (const [id, waiters] of this.files) for (const w of waiters) w.reject(new Error(`connection closed before file ${id} arrived`));
      this.files.clear();
      if (wasReady) this.emit({ type: 'disconnected' });
      if (event.code >= 4400 && event.code < 4500) {
        this.running = false;
        this.emit({ type: 'refused', code: event.code, reason: event.reason });
        return;
      }
      if (this.running) this.retry();
    };
    socket.onerror = () => undefined; // a close follows
  }

  private retry(): void {
    const delay = (this.options.retryMs ?? backoff)(this.attempt++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.open();
    }, delay);
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.welcome = frame;
        this.emit({ type: 'welcome', welcome: frame });
        return;
      case 'reset':
        this.byId.clear();
        this.cursor = null;
        this.emit({ type: 'reset' });
        return;
      case 'message':
        if (frame.seq !== null) this.cursor = Math.max(this.cursor ?? 0, frame.seq);
        return this.take(frame.message);
      case 'ready':
        this.cursor = Math.max(this.cursor ?? 0, frame.cursor);
        this.ready = true;
        this.attempt = 0;
        this.emit({ type: 'connected' });
        // An email given while the connection was down, or whose confirmation it lost: before the
        // messages, which a channel asking for an email refuses without one.
        if (this.unconfirmedEmail) this.transmit(this.unconfirmedEmail);
        // Everything unacknowledged goes again, oldest first: the server stores each client id once.
        this.sendNext();
        if (this.typingState) this.transmit({ type: 'typing', typing: true });
        this.scheduleAcks();
        return;
      case 'ack':
        this.settle(frame.clientId);
        this.emit({ type: 'ack', clientId: frame.clientId, messageId: frame.messageId });
        return;
      case 'typing':
        this.emit({ type: 'typing', typing: frame.typing, name: frame.name });
        return;
      case 'identified':
        this.unconfirmedEmail = null;
        this.emit({ type: 'identified', email: frame.email });
        return;
      case 'file': {
        const waiters = this.files.get(frame.id) ?? [];
        this.files.delete(frame.id);
        for (const w of waiters) w.resolve(frame);
        return;
      }
      case 'error': {
        if (frame.fileId) {
          for (const w of this.files.get(frame.fileId) ?? []) w.reject(new Error(frame.message));
          this.files.delete(frame.fileId);
          return;
        }
        const pending = frame.clientId ? this.waiting.get(frame.clientId) : undefined;
        if (pending && frame.retry) {
          // Rate limited: the same message goes again when the server says, and the ones
          // written after it keep waiting behind it, so none overtakes it.
          if (this.resendTimer) clearTimeout(this.resendTimer);
          this.resendTimer = setTimeout(() => {
            this.resendTimer = null;
            if (this.inFlight === pending.clientId) this.inFlight = null;
            this.sendNext();
          }, frame.retryAfterMs ?? RETRY_AFTER_MS);
        } else if (pending) {
          this.settle(pending.clientId);
          this.emit({ type: 'failed', clientId: pending.clientId, code: frame.code, message: frame.message });
        } else this.emit({ type: 'error', code: frame.code, message: frame.message });
        return;
      }
      case 'pong':
        return;
    }
  }

  private take(message: VisitorMessage): void {
    if (message.clientId) this.settle(message.clientId);
    if (this.byId.has(message.id)) return;
    this.byId.set(message.id, message);
    if (message.direction === 'out' && !this.marked.delivered.has(message.id)) {
      this.toAck.delivered.add(message.id);
      this.scheduleAcks();
    }
    this.emit({ type: 'message', message });
  }

  /** Delivered and read receipts go in batches, a moment after the messages arrive. */
  private scheduleAcks(): void {
    if (this.ackTimer || (this.toAck.delivered.size === 0 && this.toAck.read.size === 0)) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.flushAcks();
    }, 50);
  }

  private flushAcks(): void {
    if (!this.ready) return;
    for (const kind of ['delivered', 'read'] as const) {
      const ids = [...this.toAck[kind]].slice(0, 500);
      if (ids.length === 0) continue;
      if (!this.transmit({ type: kind, ids })) return;
      for (const id of ids) {
        this.toAck[kind].delete(id);
        this.marked[kind].add(id);
      }
    }
    this.scheduleAcks();
  }

  /** Sends the oldest unacknowledged message, unless one is already on the wire or waiting out a refusal. */
  private sendNext(): void {
    if (!this.ready || this.inFlight !== null || this.resendTimer) return;
    const next = this.waiting.values().next();
    if (next.done) return;
    if (this.transmit({ type: 'message', ...next.value })) this.inFlight = next.value.clientId;
  }

  /** A message is stored (or refused for good): it leaves the queue and the next one goes. */
  private settle(clientId: string): void {
    this.waiting.delete(clientId);
    if (this.inFlight !== clientId) return;
    this.inFlight = null;
    this.sendNext();
  }

  /** The socket is gone: nothing is on the wire any more, and the next connection starts the queue over. */
  private holdOutbox(): void {
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.resendTimer = null;
    this.inFlight = null;
  }

  private transmit(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  private emit(event: ChatEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

const enc = encodeURIComponent;

function backoff(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

/** A v4 UUID from the platform's crypto (browsers and Node 20 both have it). */
export function uuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = c!.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
