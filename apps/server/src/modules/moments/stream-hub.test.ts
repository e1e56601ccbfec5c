import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.ts';
import { openDatabase, type Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import type { Deps } from '../../platform/deps.ts';
import { systemIds } from '../../platform/ids.ts';
import { createLogger } from '../../platform/logger.ts';
import { createSecretBox } from '../../platform/secret-box.ts';
import { recordActivities, type Activity, type Audience } from './activity.ts';
import { createStreamHub, type HubSocket, type StreamHub, type StreamHubOptions, type StreamPrincipal } from './stream-hub.ts';

/** A socket that records what it is sent; `respondsToPing` decides whether it is alive. */
class FakeSocket implements HubSocket {
  bufferedAmount = 0;
  readonly sent: Buffer[] = [];
  closedWith: number | null = null;
  terminated = false;
  private readonly listeners = new Map<string, (() => void)[]>();
  constructor(private readonly respondsToPing = true) {}
  send(data: Buffer, _options: { readonly binary: boolean }, done?: (error?: Error) => void): void {
    this.sent.push(data);
    if (done) queueMicrotask(() => done());
  }
  ping(): void {
    if (this.respondsToPing) queueMicrotask(() => this.emit('pong'));
  }
  close(code: number): void {
    this.closedWith = code;
    this.emit('close');
  }
  terminate(): void {
    this.terminated = true;
    this.emit('close');
  }
  on(event: 'pong' | 'close', listener: () => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  frames(): { type: string; seq?: number }[] {
    return this.sent.map((b) => JSON.parse(b.toString()) as { type: string; seq?: number });
  }
  seqs(): number[] {
    return this.frames()
      .filter((f) => f.type === 'activity')
      .map((f) => f.seq!);
  }
  private emit(event: string): void {
    for (const l of this.listeners.get(event) ?? []) l();
  }
}

const W = 'w1';
const admin: StreamPrincipal = { workspaceId: W, agentId: null, role: 'admin' };
const agent: StreamPrincipal = { workspaceId: W, agentId: 'agent-1', role: 'agent' };
const everyone: Audience = { teams: [], agents: [] };

async function until(test: () => boolean, ms = 2000): Promise<void> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('stream hub', () => {
  let dir: string;
  let database: Database;
  let deps: Deps;
  const hubs: StreamHub[] = [];
  const hub = (options: StreamHubOptions = {}) => {
    const h = createStreamHub(deps, options);
    hubs.push(h);
    return h;
  };
  const commit = (audiences: readonly Audience[]): Promise<Activity[]> =>
    deps.db.transaction().execute((tx) => recordActivities(tx, W, Date.now(), audiences.map((audience, i) => ({ momentId: `m${i}`, type: 'moment.updated', actor: 'test', audience, payload: { i } }))));
  const ready = (socket: FakeSocket) => until(() => socket.frames().some((f) => f.type === 'ready'));

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-hub-'));
    database = await openDatabase({ dataDir: dir });
    await migrateToLatest(database.db);
    deps = { db: database.db, reads: database.reads, engine: database.engine, clock: systemClock, ids: systemIds, log: createLogger('silent'), secretBox: createSecretBox(randomBytes(32)) };
  });
  afterEach(async () => {
    for (const h of hubs.splice(0)) await h.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serialises an activity once, whatever the number of sockets', async () => {
    const h = hub();
    const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    for (const s of sockets) h.subscribe(s, admin, null);
    await Promise.all(sockets.map(ready));
    h.publish(await commit([everyone]));
    const frames = sockets.map((s) => s.sent.at(-1));
    expect(frames[0]).toBe(frames[1]);
    expect(frames[1]).toBe(frames[2]);
    expect(sockets[0].seqs()).toEqual([1]);
  });

  it('delivers in seq order: a gap is filled from the log, a late duplicate dropped', async () => {
    const h = hub();
    const socket = new FakeSocket();
    h.subscribe(socket, admin, null);
    await ready(socket);
    const [a1, a2, a3] = await commit([everyone, everyone, everyone]);
    h.publish([a3]);
    await until(() => socket.seqs().length === 3);
    h.publish([a1, a2]);
    h.publish([a3]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.seqs()).toEqual([1, 2, 3]);
  });

  it('replays after a cursor while live activities arrive, without gap or duplicate', async () => {
    const h = hub();
    const live = new FakeSocket();
    h.subscribe(live, admin, null);
    await ready(live);
    await commit([everyone, everyone, everyone, everyone]);
    const late = new FakeSocket();
    h.subscribe(late, admin, 1);
    // Committed before the replay reads the log and published while it runs: in both.
    h.publish(await commit([everyone]));
    h.publish(await commit([everyone]));
    await ready(late);
    h.publish(await commit([everyone]));
    await until(() => late.seqs().length === 6);
    expect(late.seqs()).toEqual([2, 3, 4, 5, 6, 7]);
    expect(late.frames().filter((f) => f.type === 'ready')).toHaveLength(1);
  });

  it('filters per socket by audience, and re-reads memberships when a team it has not checked appears', async () => {
    const h = hub();
    const socket = new FakeSocket();
    h.subscribe(socket, agent, null);
    await ready(socket);
    await deps.db.insertInto('team').values({ workspace_id: W, id: 'team-1', key: 'one', name: 'One', created_at: 0 }).execute();
    await deps.db.insertInto('team_member').values({ workspace_id: W, team_id: 'team-1', agent_id: agent.agentId! }).execute();
    h.publish(await commit([everyone, { teams: ['team-1'], agents: [] }, { teams: ['team-2'], agents: [] }, { teams: [], agents: ['agent-1'] }]));
    await until(() => socket.seqs().length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.seqs()).toEqual([2, 4]);
  });

  it('refreshes memberships on its timer for teams it already knew', async () => {
    await deps.db.insertInto('team').values({ workspace_id: W, id: 'team-1', key: 'one', name: 'One', created_at: 0 }).execute();
    const h = hub({ teamRefreshMs: 20 });
    const socket = new FakeSocket();
    h.subscribe(socket, agent, null);
    await ready(socket);
    await deps.db.insertInto('team_member').values({ workspace_id: W, team_id: 'team-1', agent_id: agent.agentId! }).execute();
    await new Promise((resolve) => setTimeout(resolve, 80));
    h.publish(await commit([{ teams: ['team-1'], agents: [] }]));
    await until(() => socket.seqs().length === 1);
  });

  it('closes a socket that falls 4 MB behind with 1013 and keeps serving the others', async () => {
    const h = hub();
    const slow = new FakeSocket();
    const fast = new FakeSocket();
    h.subscribe(slow, admin, null);
    h.subscribe(fast, admin, null);
    await Promise.all([ready(slow), ready(fast)]);
    slow.bufferedAmount = 5 * 1024 * 1024;
    h.publish(await commit([everyone]));
    h.publish(await commit([everyone]));
    expect(slow.closedWith).toBe(1013);
    expect(slow.seqs()).toEqual([1]);
    expect(fast.seqs()).toEqual([1, 2]);
    expect(h.connections()).toBe(1);
  });

  it('drops a socket that stops answering pings', async () => {
    const h = hub({ heartbeatMs: 10 });
    const alive = new FakeSocket();
    const dead = new FakeSocket(false);
    h.subscribe(alive, admin, null);
    h.subscribe(dead, admin, null);
    await until(() => dead.terminated);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(alive.terminated).toBe(false);
    expect(h.connections()).toBe(1);
  });

  it('answers reset when the replay would be too long or the cursor is unknown', async () => {
    const h = hub({ maxReplay: 3 });
    await commit([everyone, everyone, everyone, everyone, everyone]);
    const far = new FakeSocket();
    const ahead = new FakeSocket();
    const near = new FakeSocket();
    h.subscribe(far, admin, 1);
    h.subscribe(ahead, admin, 9);
    h.subscribe(near, admin, 2);
    await Promise.all([far, ahead, near].map(ready));
    expect(far.frames()).toEqual([{ type: 'reset' }, { type: 'ready', seq: 5 }]);
    expect(ahead.frames()).toEqual([{ type: 'reset' }, { type: 'ready', seq: 5 }]);
    expect(near.seqs()).toEqual([3, 4, 5]);
  });

  it('closes every socket with 1001 and ignores publishes once closed', async () => {
    const h = hub();
    const socket = new FakeSocket();
    h.subscribe(socket, admin, null);
    await ready(socket);
    await h.close();
    expect(socket.closedWith).toBe(1001);
    h.publish(await commit([everyone]));
    expect(socket.seqs()).toEqual([]);
    const afterClose = new FakeSocket();
    h.subscribe(afterClose, admin, null);
    expect(afterClose.closedWith).toBe(1001);
  });
});
