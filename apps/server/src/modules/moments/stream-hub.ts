import { randomUUID } from 'node:crypto';
import type { SignalFrame } from '@touchpoint/contracts';
import { sql } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import { listenToPostgres } from '../../platform/db/listen-postgres.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { startHeartbeat } from '../../platform/heartbeat.ts';
import type { Role } from '../workspaces/index.ts';
import { canReceive, latestActivitySeq, type Activity, type Audience, type Publish } from './activity.ts';
import { REPLAYABLE_ACTIVITIES } from './prune-activity.ts';
import { viewerOf, type Viewer } from './visibility.ts';

/** The part of a `ws` WebSocket the hub uses (a test hands in a fake). */
export type HubSocket = {
  readonly bufferedAmount: number;
  send(data: Buffer, options: { readonly binary: boolean }, done?: (error?: Error) => void): void;
  ping(): void;
  close(code: number, reason: string): void;
  terminate(): void;
  on(event: 'pong' | 'close', listener: () => void): unknown;
};

/** Who a socket belongs to, as authentication found it. */
export type StreamPrincipal = { readonly workspaceId: string; readonly agentId: string | null; readonly role: Role };

export type Subscription = {
  /** Replays what came after `after`, then continues live (the client's `resume` frame). */
  readonly resume: (after: number) => void;
};

/** Fans committed moment activities out to connected sockets, across processes on PostgreSQL. */
export type StreamHub = {
  readonly publish: Publish;
  /**
   * Ephemeral frames (someone typing, a customer changed), not logged and never replayed: sent
   * to the sockets that may see the moment (`audience`), on every process (NOTIFY on
   * PostgreSQL). Best effort: a socket mid-replay misses it.
   */
  readonly signal: (workspaceId: string, audience: Audience, frame: SignalFrame) => void;
  /** Streams the principal's workspace to the socket: replay after `after` (null: from now), `ready`, then live. */
  readonly subscribe: (socket: HubSocket, principal: StreamPrincipal, after: number | null) => Subscription;
  /**
   * Reads again what the workspace's agents may see (their roles and teams), after a change of
   * role or membership: from the next activity on, each socket gets what its agent may see now.
   * Other processes read it again within `teamRefreshMs`.
   */
  readonly refreshAccess: (workspaceId: string) => Promise<void>;
  /** Open subscriptions. */
  readonly connections: () => number;
  /** Stops listening and closes every socket with 1001. */
  readonly close: () => Promise<void>;
};

export type StreamHubOptions = {
  /** PostgreSQL URL: LISTEN for activities that other processes commit. */
  readonly databaseUrl?: string;
  readonly heartbeatMs?: number;
  readonly teamRefreshMs?: number;
  /** A socket whose unsent bytes exceed this is closed with 1013 (it resumes from its cursor). */
  readonly maxBufferedBytes?: number;
  /** A longer replay answers `reset`: reloading lists is cheaper than streaming the backlog. */
  readonly maxReplay?: number;
};

export const NOTIFY_CHANNEL = 'tp_moment_activity';
export const SIGNAL_CHANNEL = 'tp_moment_signal';
/** NOTIFY payloads must stay under 8,000 bytes; a larger signal stays on this process. */
const MAX_SIGNAL_BYTES = 7_000;
const TEXT = { binary: false } as const;
const PAGE = 500;
const GOING_AWAY = 1001;
const TOO_SLOW = 1013;

/** An activity ready to send: serialised once, whatever the number of sockets. */
type Outgoing = { readonly seq: number; readonly audience: Audience; readonly frame: Buffer };

type Subscriber = {
  readonly socket: HubSocket;
  /** As signed in; the role follows changes (refreshAccess). */
  principal: StreamPrincipal;
  viewer: Viewer | null;
  /** Highest seq this socket has been given (or skipped as not its to see): live frames at or below it are duplicates. */
  sent: number;
  /** Between subscribe/resume and `ready`, live frames wait here so replay and live neither gap nor overlap. */
  buffer: Outgoing[] | null;
  alive: boolean;
  closed: boolean;
  turn: Promise<void>;
  readonly gone: Promise<void>;
};

type Channel = {
  readonly workspaceId: string;
  readonly subscribers: Set<Subscriber>;
  agents: number;
  /** Every seq up to here has been fanned out (or predates the channel); -1 until known. */
  delivered: number;
  /** Team ids the agents' memberships were read against: an audience naming another triggers a re-read. */
  knownTeams: Set<string>;
  /** Deliveries that needed the database run one after another; null when idle. */
  tail: Promise<void> | null;
  ready: Promise<void>;
};

type ActivityRow = { seq: number; moment_id: string; type: string; audience: string; payload: string; created_at: number };

export function createStreamHub(deps: Deps, options: StreamHubOptions = {}): StreamHub {
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  // Never beyond what pruning keeps (prune-activity.ts): a longer replay could meet a gap.
  const maxReplay = Math.min(options.maxReplay ?? REPLAYABLE_ACTIVITIES, REPLAYABLE_ACTIVITIES);
  const channels = new Map<string, Channel>();
  let stopped = false;
  // Our own signals come back through NOTIFY: this id tells them apart.
  const self = randomUUID();
  // Other processes' activities and signals arrive as notifications; after a lost connection,
  // read what its notifications would have announced.
  const listener =
    options.databaseUrl && deps.engine === 'postgres'
      ? listenToPostgres(options.databaseUrl, [NOTIFY_CHANNEL, SIGNAL_CHANNEL], {
          onNotification: (channel, payload) => (channel === SIGNAL_CHANNEL ? onSignal(payload) : onNotification(payload)),
          onReconnect: () => {
            for (const ch of channels.values()) void enqueue(ch, () => catchUp(ch, Number.MAX_SAFE_INTEGER));
          },
          log: deps.log,
        })
      : null;

  const heartbeat = startHeartbeat(function* () {
    for (const ch of channels.values()) yield* ch.subscribers;
  }, options.heartbeatMs ?? 30_000);
  const teamRefresh = setInterval(() => {
    for (const ch of channels.values()) if (ch.subscribers.size > 0) void enqueue(ch, () => refreshAccess(ch, []));
  }, options.teamRefreshMs ?? 60_000);
  teamRefresh.unref();

  function enqueue(ch: Channel, task: () => Promise<void>): Promise<void> {
    const run = (ch.tail ?? Promise.resolve()).then(task).catch((error: unknown) => deps.log.error({ err: error, workspaceId: ch.workspaceId }, 'stream delivery failed'));
    ch.tail = run;
    void run.then(() => {
      if (ch.tail === run) ch.tail = null;
    });
    return run;
  }

  function channelOf(workspaceId: string): Channel {
    const existing = channels.get(workspaceId);
    if (existing) return existing;
    const ch: Channel = { workspaceId, subscribers: new Set(), agents: 0, delivered: -1, knownTeams: new Set(), tail: null, ready: Promise.resolve() };
    channels.set(workspaceId, ch);
    // LISTEN first: what another process commits after this read then arrives as a notification.
    ch.ready = enqueue(ch, async () => {
      await listener?.ready;
      ch.delivered = await latestActivitySeq(deps.db, workspaceId);
      ch.knownTeams = await teamIds(workspaceId);
    });
    return ch;
  }

  function needsTeamCheck(ch: Channel, audience: Audience): boolean {
    return ch.agents > 0 && audience.teams.some((t) => !ch.knownTeams.has(t));
  }

  function publish(activities: readonly Activity[]): void {
    if (stopped || activities.length === 0) return;
    const byWorkspace = new Map<string, Activity[]>();
    for (const a of activities) {
      const list = byWorkspace.get(a.workspaceId);
      if (list) list.push(a);
      else byWorkspace.set(a.workspaceId, [a]);
    }
    for (const [workspaceId, items] of byWorkspace) {
      const ch = channels.get(workspaceId);
      if (ch) deliver(ch, items.sort((a, b) => a.seq - b.seq));
      if (deps.engine === 'postgres') notify(workspaceId, items.at(-1)!.seq);
    }
  }

  /** In order and nothing to look up: fan out now. Otherwise (a gap, an unknown team) through the queue. */
  function deliver(ch: Channel, items: readonly Activity[]): void {
    let i = 0;
    for (; i < items.length; i++) {
      const a = items[i];
      if (ch.tail !== null || ch.delivered < 0) break;
      if (a.seq <= ch.delivered) continue;
      if (a.seq !== ch.delivered + 1 || needsTeamCheck(ch, a.audience)) break;
      fanOut(ch, outgoingOf(a));
    }
    const rest = items.slice(i);
    if (rest.length > 0) void enqueue(ch, () => deliverInOrder(ch, rest));
  }

  async function deliverInOrder(ch: Channel, items: readonly Activity[]): Promise<void> {
    for (const a of items) {
      if (a.seq <= ch.delivered) continue;
      // Another writer's activities committed before this one but have not been published yet.
      if (a.seq > ch.delivered + 1) await catchUp(ch, a.seq - 1);
      if (needsTeamCheck(ch, a.audience)) await refreshAccess(ch, a.audience.teams);
      fanOut(ch, outgoingOf(a));
    }
  }

  /** Loads and fans out what was committed after `ch.delivered`, up to `upTo`. */
  async function catchUp(ch: Channel, upTo: number): Promise<void> {
    while (ch.delivered < upTo) {
      const rows = await activityRows(ch.workspaceId, ch.delivered, upTo);
      for (const row of rows) {
        const out = outgoingOfRow(row);
        if (needsTeamCheck(ch, out.audience)) await refreshAccess(ch, out.audience.teams);
        if (out.seq > ch.delivered) fanOut(ch, out);
      }
      if (rows.length < PAGE) return;
    }
  }

  function fanOut(ch: Channel, out: Outgoing): void {
    ch.delivered = out.seq;
    // The agents an activity names (its owner, whoever was mentioned) are the ones expected to
    // act on it: their sockets are written first, before the rest of the workspace's.
    const named = out.audience.agents;
    const isNamed = (s: Subscriber) => s.principal.agentId !== null && named.includes(s.principal.agentId);
    if (named.length > 0) for (const s of ch.subscribers) if (isNamed(s)) offer(ch, s, out);
    for (const s of ch.subscribers) if (named.length === 0 || !isNamed(s)) offer(ch, s, out);
  }

  function offer(ch: Channel, s: Subscriber, out: Outgoing): void {
    if (s.buffer) {
      s.buffer.push(out);
      // A replay outpaced by live traffic: let the client come back rather than hold it all.
      if (s.buffer.length > maxReplay) drop(ch, s, TOO_SLOW, 'replay overtaken: resume from your cursor');
      return;
    }
    if (out.seq <= s.sent) return;
    s.sent = out.seq;
    if (!canReceive(out.audience, s.viewer!)) return;
    s.socket.send(out.frame, TEXT);
    if (s.socket.bufferedAmount > maxBuffered) drop(ch, s, TOO_SLOW, 'too slow: resume from your cursor');
  }

  function subscribe(socket: HubSocket, principal: StreamPrincipal, after: number | null): Subscription {
    let gone!: () => void;
    const s: Subscriber = { socket, principal, viewer: null, sent: 0, buffer: [], alive: true, closed: false, turn: Promise.resolve(), gone: new Promise<void>((resolve) => (gone = resolve)) };
    if (stopped) {
      socket.close(GOING_AWAY, 'server shutting down');
      return { resume: () => undefined };
    }
    const ch = channelOf(principal.workspaceId);
    ch.subscribers.add(s);
    if (principal.role === 'agent') ch.agents++;
    socket.on('pong', () => (s.alive = true));
    socket.on('close', () => {
      leave(ch, s);
      gone();
    });
    const start = (cursor: number | null) => {
      s.turn = s.turn.then(() => replay(ch, s, cursor)).catch((error: unknown) => {
        deps.log.error({ err: error, workspaceId: principal.workspaceId }, 'stream replay failed');
        drop(ch, s, 1011, 'internal error');
      });
    };
    start(after);
    return { resume: (cursor) => start(cursor) };
  }

  async function replay(ch: Channel, s: Subscriber, after: number | null): Promise<void> {
    if (s.closed) return;
    s.buffer ??= [];
    await ch.ready;
    s.viewer ??= await viewerOf(deps.db, s.principal);
    // Anything committed after this read reaches the buffer: the socket was subscribed before it.
    const latest = await latestActivitySeq(deps.db, ch.workspaceId);
    if (after !== null && (after > latest || latest - after > maxReplay)) sendJson(s, { type: 'reset' });
    else if (after !== null) {
      let cursor = after;
      while (cursor < latest && !s.closed) {
        const rows = await activityRows(ch.workspaceId, cursor, latest);
        // Seqs follow one another; a missing one was pruned meanwhile (prune-activity.ts).
        if (rows.length === 0 || !rows.every((row, i) => Number(row.seq) === cursor + 1 + i)) {
          sendJson(s, { type: 'reset' });
          break;
        }
        const visible = rows.map(outgoingOfRow).filter((out) => canReceive(out.audience, s.viewer!));
        // Wait for the last page to leave before the next: a long replay never piles up in memory.
        const sent = new Promise<void>((resolve) => {
          visible.forEach((out, i) => s.socket.send(out.frame, TEXT, i === visible.length - 1 ? () => resolve() : undefined));
          if (visible.length === 0) resolve();
        });
        await Promise.race([sent, s.gone]);
        cursor = rows.at(-1)!.seq;
      }
    }
    if (s.closed) return;
    s.sent = latest;
    sendJson(s, { type: 'ready', seq: latest });
    const waiting = s.buffer;
    s.buffer = null;
    for (const out of waiting) offer(ch, s, out);
  }

  function signal(workspaceId: string, audience: Audience, frame: SignalFrame): void {
    if (stopped) return;
    fanOutSignal(workspaceId, audience, frame);
    if (!listener) return;
    const payload = JSON.stringify({ o: self, w: workspaceId, a: audience, f: frame });
    if (Buffer.byteLength(payload) > MAX_SIGNAL_BYTES) return;
    sql`select pg_notify(${SIGNAL_CHANNEL}, ${payload})`.execute(deps.db).catch((error: unknown) => deps.log.warn({ err: error }, 'stream signal failed'));
  }

  function fanOutSignal(workspaceId: string, audience: Audience, frame: Readonly<Record<string, unknown>>): void {
    const ch = channels.get(workspaceId);
    if (!ch) return;
    const data = Buffer.from(JSON.stringify(frame));
    for (const s of ch.subscribers) if (!s.buffer && !s.closed && s.viewer && canReceive(audience, s.viewer)) s.socket.send(data, TEXT);
  }

  function onSignal(payload: string | undefined): void {
    try {
      const { o, w, a, f } = JSON.parse(payload ?? '') as { o: string; w: string; a: Audience; f: Record<string, unknown> };
      if (o !== self && typeof w === 'string' && a && f) fanOutSignal(w, a, f);
    } catch {
      // not ours to understand
    }
  }

  function sendJson(s: Subscriber, frame: Readonly<Record<string, unknown>>): void {
    s.socket.send(Buffer.from(JSON.stringify(frame)), TEXT);
  }

  function drop(ch: Channel, s: Subscriber, code: number, reason: string): void {
    if (s.closed) return;
    leave(ch, s);
    s.socket.close(code, reason);
  }

  function leave(ch: Channel, s: Subscriber): void {
    if (s.closed) return;
    s.closed = true;
    ch.subscribers.delete(s);
    if (s.principal.role === 'agent') ch.agents--;
    if (ch.subscribers.size === 0 && channels.get(ch.workspaceId) === ch) channels.delete(ch.workspaceId);
  }

  /**
   * Re-reads the roles and team memberships of the channel's agents (they change without a
   * stream event): a demoted admin stops seeing everything, a new member starts seeing the team.
   */
  async function refreshAccess(ch: Channel, mentioned: readonly string[]): Promise<void> {
    const agentIds = [...new Set([...ch.subscribers].map((s) => s.principal.agentId).filter((id): id is string => id !== null))];
    const roles = new Map<string, Role>();
    const memberships = new Map<string, Set<string>>();
    for (let i = 0; i < agentIds.length; i += PAGE) {
      const page = agentIds.slice(i, i + PAGE);
      for (const r of await deps.db.selectFrom('agent').select(['id', 'role']).where('workspace_id', '=', ch.workspaceId).where('id', 'in', page).execute()) roles.set(r.id, r.role as Role);
      const rows = await deps.db.selectFrom('team_member').select(['agent_id', 'team_id']).where('workspace_id', '=', ch.workspaceId).where('agent_id', 'in', page).execute();
      for (const r of rows) memberships.set(r.agent_id, (memberships.get(r.agent_id) ?? new Set()).add(r.team_id));
    }
    const known = await teamIds(ch.workspaceId);
    for (const s of ch.subscribers) {
      const agentId = s.principal.agentId;
      if (agentId === null || !s.viewer) continue;
      const role = roles.get(agentId) ?? s.principal.role;
      if (role !== s.principal.role) {
        ch.agents += (role === 'agent' ? 1 : 0) - (s.principal.role === 'agent' ? 1 : 0);
        s.principal = { ...s.principal, role };
      }
      const seesAll = role !== 'agent';
      s.viewer = { ...s.viewer, seesAll, teamIds: seesAll ? new Set() : (memberships.get(agentId) ?? new Set()) };
    }
    // A deleted team stays "known" too, or every activity naming it would re-read.
    ch.knownTeams = new Set([...known, ...mentioned]);
  }

  async function teamIds(workspaceId: string): Promise<Set<string>> {
    const rows = await deps.db.selectFrom('team').select('id').where('workspace_id', '=', workspaceId).execute();
    return new Set(rows.map((r) => r.id));
  }

  function activityRows(workspaceId: string, after: number, upTo: number): Promise<ActivityRow[]> {
    return deps.db
      .selectFrom('moment_activity')
      .select(['seq', 'moment_id', 'type', 'audience', 'payload', 'created_at'])
      .where('workspace_id', '=', workspaceId)
      .where('seq', '>', after)
      .where('seq', '<=', upTo)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
  }

  function notify(workspaceId: string, seq: number): void {
    sql`select pg_notify(${NOTIFY_CHANNEL}, ${`${workspaceId}:${seq}`})`.execute(deps.db).catch((error: unknown) => deps.log.warn({ err: error }, 'stream notify failed'));
  }

  function onNotification(payload: string | undefined): void {
    const [workspaceId, seqText] = (payload ?? '').split(':');
    const seq = Number(seqText);
    const ch = channels.get(workspaceId);
    // Our own notifications come back too: already delivered.
    if (!ch || !Number.isInteger(seq) || (ch.tail === null && seq <= ch.delivered)) return;
    void enqueue(ch, () => catchUp(ch, seq));
  }

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      stopped = true;
      heartbeat.stop();
      clearInterval(teamRefresh);
      await listener?.stop();
      const open = [...channels.values()].flatMap((ch) => [...ch.subscribers].map((s) => ({ ch, s })));
      for (const { ch, s } of open) drop(ch, s, GOING_AWAY, 'server shutting down');
      // Let clients answer the close handshake, but never hold shutdown for one that will not.
      const timer = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
      await Promise.race([Promise.all(open.map(({ s }) => s.gone)), timer]);
      for (const { s } of open) s.socket.terminate();
    })());

  const refreshAccessOf = (workspaceId: string): Promise<void> => {
    const ch = channels.get(workspaceId);
    return ch ? enqueue(ch, () => refreshAccess(ch, [])) : Promise.resolve();
  };
  return { publish, signal, subscribe, refreshAccess: refreshAccessOf, connections: () => [...channels.values()].reduce((n, ch) => n + ch.subscribers.size, 0), close };
}

function outgoingOf(a: Activity): Outgoing {
  return { seq: a.seq, audience: a.audience, frame: frameOf(a.seq, a.momentId, a.type, a.payload, a.createdAt) };
}

function outgoingOfRow(row: ActivityRow): Outgoing {
  const audience = parseJsonObject(row.audience);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return { seq: Number(row.seq), audience: { teams: strings(audience.teams), agents: strings(audience.agents) }, frame: frameOf(Number(row.seq), row.moment_id, row.type, parseJsonObject(row.payload), row.created_at) };
}

function frameOf(seq: number, momentId: string, type: string, payload: Readonly<Record<string, unknown>>, createdAt: number): Buffer {
  return Buffer.from(JSON.stringify({ type: 'activity', seq, momentId, activity: type, payload, createdAt: new Date(createdAt).toISOString() }));
}
