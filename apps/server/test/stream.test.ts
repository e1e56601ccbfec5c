import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTouchpoint, type App } from '../src/main.ts';
import { recordActivities, type Activity, type Audience } from '../src/modules/moments/activity.ts';
import { pruneActivity } from '../src/modules/moments/prune-activity.ts';
import { createWorkspace, type CreatedWorkspace } from '../src/modules/workspaces/index.ts';
import type { Db } from '../src/platform/db/database.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ENGINES, newStore, startServer, type Running } from './harness.ts';
import { addAgent } from './moments-fixtures.ts';

// ws ships no types (and @types/ws is not installed): the client surface these tests use.
type WsClient = {
  readonly protocol: string;
  send(data: string): void;
  close(): void;
  on(event: string, listener: (...args: never[]) => void): void;
};
const { WebSocket } = createRequire(import.meta.url)('ws') as {
  WebSocket: new (url: string, protocols?: string[], options?: { headers?: Record<string, string> }) => WsClient;
};

type Frame = { type: string; seq?: number; momentId?: string; activity?: string; payload?: Record<string, unknown>; createdAt?: string; error?: { code: string } };
type Stream = {
  readonly client: WsClient;
  readonly frames: Frame[];
  /** Seqs of the activity frames received so far. */
  readonly seqs: () => number[];
  readonly waitFor: (test: (frame: Frame) => boolean, ms?: number) => Promise<Frame>;
  readonly closed: Promise<number>;
};
type Connect = { readonly query?: string; readonly headers?: Record<string, string>; readonly protocols?: string[] };

function connect(url: string, options: Connect): Promise<Stream> {
  const client = new WebSocket(`${url.replace('http', 'ws')}/api/v1/stream${options.query ?? ''}`, options.protocols, { headers: options.headers });
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString()) as Frame);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<number>((resolve) => client.on('close', (code: number) => resolve(code)));
  const waitFor = (test: (frame: Frame) => boolean, ms = 5000) =>
    new Promise<Frame>((resolve, reject) => {
      const check = () => {
        const hit = frames.find(test);
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such frame within ${ms} ms; got ${JSON.stringify(frames).slice(0, 500)}`));
      }, ms);
      waiters.add(check);
      check();
    });
  const seqs = () => frames.filter((f) => f.type === 'activity').map((f) => f.seq!);
  return new Promise((resolve, reject) => {
    client.on('open', () => resolve({ client, frames, seqs, waitFor, closed }));
    client.on('unexpected-response', (_req: unknown, res: IncomingMessage) => reject(new Error(`refused ${res.statusCode}`)));
    client.on('error', reject);
  });
}

/** Opens a stream that is expected to be refused: the HTTP status and JSON body of the refusal. */
function refusal(url: string, options: Connect): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
  const client = new WebSocket(`${url.replace('http', 'ws')}/api/v1/stream${options.query ?? ''}`, options.protocols, { headers: options.headers });
  return new Promise((resolve, reject) => {
    client.on('open', () => reject(new Error('the upgrade was accepted')));
    client.on('error', () => undefined);
    client.on('unexpected-response', (_req: unknown, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
  });
}

const everyone: Audience = { teams: [], agents: [] };

/** Commits activities the way writers do (next seqs of the workspace), returning them for publish. */
async function commit(db: Db, workspaceId: string, audiences: readonly Audience[]): Promise<Activity[]> {
  return db.transaction().execute((tx) =>
    recordActivities(
      tx,
      workspaceId,
      Date.now(),
      audiences.map((audience, i) => ({ momentId: `moment-${i}`, type: 'message.added', actor: 'test', audience, payload: { moment: { id: `moment-${i}` }, n: i } })),
    ),
  );
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(ENGINES)('live moment stream on %s', (engine) => {
  let s: Running;
  let ws: string;
  const agents: Record<'inTeam' | 'outside' | 'assignee', { id: string; token: string }> = {} as never;
  let teamId: string;
  const publish = async (audiences: readonly Audience[]) => {
    const activities = await commit(s.tp.deps.db, ws, audiences);
    s.tp.stream.publish(activities);
    return activities;
  };

  beforeAll(async () => {
    s = await startServer(engine);
    ws = s.workspace.workspaceId;
    for (const name of ['inTeam', 'outside', 'assignee'] as const) agents[name] = await addAgent(s, { name, online: false });
    teamId = (await s.api('POST', '/api/v1/teams', { key: 'support', name: 'Support', agentIds: [agents.inTeam.id] })).body.id;
  });
  afterAll(async () => s?.stop());

  it('refuses the upgrade with 401 JSON without a token or with a bad one, and 400 for a plain GET', async () => {
    const none = await refusal(s.url, {});
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect((await refusal(s.url, { query: '?token=tp_api_nope' })).status).toBe(401);
    expect((await refusal(s.url, { headers: { authorization: 'Bearer tp_sess_nope' } })).status).toBe(401);
    expect((await refusal(s.url, { protocols: ['touchpoint', 'tp_sess_nope'] })).status).toBe(401);
    // A write key is for the tracking API only.
    expect((await refusal(s.url, { query: `?token=${s.workspace.writeKey}` })).status).toBe(401);
    expect((await refusal(s.url, { query: `?token=${s.workspace.apiKey}&after=-1` })).status).toBe(400);
    expect((await s.api('GET', '/api/v1/stream')).status).toBe(400);
  });

  it('accepts the token as query, header or subprotocol and never echoes it', async () => {
    const byQuery = await connect(s.url, { query: `?token=${s.workspace.apiKey}` });
    const byHeader = await connect(s.url, { headers: { authorization: `Bearer ${agents.inTeam.token}` } });
    const byProtocol = await connect(s.url, { protocols: ['touchpoint', agents.outside.token] });
    expect(byProtocol.client.protocol).toBe('touchpoint');
    for (const stream of [byQuery, byHeader, byProtocol]) {
      expect(await stream.waitFor((f) => f.type === 'ready')).toMatchObject({ type: 'ready', seq: expect.any(Number) });
      stream.client.send(JSON.stringify({ type: 'ping' }));
      await stream.waitFor((f) => f.type === 'pong');
      stream.client.send('{"type":"dance"}');
      expect((await stream.waitFor((f) => f.type === 'error')).error?.code).toBe('invalid_field');
      stream.client.close();
    }
  });

  it('sends each socket only what its viewer may see: admins all, agents their teams and their own', async () => {
    const admin = await connect(s.url, { query: `?token=${s.workspace.apiKey}` });
    const inTeam = await connect(s.url, { query: `?token=${agents.inTeam.token}` });
    const outside = await connect(s.url, { protocols: ['touchpoint', agents.outside.token] });
    const assignee = await connect(s.url, { headers: { authorization: `Bearer ${agents.assignee.token}` } });
    const streams = [admin, inTeam, outside, assignee];
    await Promise.all(streams.map((st) => st.waitFor((f) => f.type === 'ready')));

    const [team, owned, outsiders, all] = await publish([
      { teams: [teamId], agents: [] },
      { teams: [], agents: [agents.assignee.id] },
      { teams: [], agents: [agents.outside.id] },
      { teams: [teamId], agents: [agents.assignee.id, agents.outside.id] },
    ]);
    await Promise.all(streams.map((st) => st.waitFor((f) => f.seq === all.seq)));
    expect(admin.seqs()).toEqual([team.seq, owned.seq, outsiders.seq, all.seq]);
    expect(inTeam.seqs()).toEqual([team.seq, all.seq]);
    expect(assignee.seqs()).toEqual([owned.seq, all.seq]);
    expect(outside.seqs()).toEqual([outsiders.seq, all.seq]);
    expect(admin.frames.find((f) => f.seq === team.seq)).toEqual({
      type: 'activity',
      seq: team.seq,
      momentId: team.momentId,
      activity: 'message.added',
      payload: team.payload,
      createdAt: new Date(team.createdAt).toISOString(),
    });
    for (const st of streams) st.client.close();
  });

  it('delivers a team it had not checked yet to an agent who joined it after connecting', async () => {
    const joiner = await connect(s.url, { query: `?token=${agents.outside.token}` });
    await joiner.waitFor((f) => f.type === 'ready');
    const newTeam = (await s.api('POST', '/api/v1/teams', { key: 'vip', name: 'VIP', agentIds: [agents.outside.id] })).body.id;
    const [activity] = await publish([{ teams: [newTeam], agents: [] }]);
    await joiner.waitFor((f) => f.seq === activity.seq);
    joiner.client.close();
  });

  it('follows changes of membership and role at once: a leaver stops receiving, a newcomer starts, a demoted admin sees no more than an agent', async () => {
    const mover = await addAgent(s, { name: 'Mover', online: false });
    const boss = await addAgent(s, { name: 'Boss', role: 'admin', online: false });
    const sales = (await s.api('POST', '/api/v1/teams', { key: 'sales-moves', name: 'Sales moves', agentIds: [] })).body.id;
    const moverStream = await connect(s.url, { query: `?token=${mover.token}` });
    const bossStream = await connect(s.url, { query: `?token=${boss.token}` });
    await Promise.all([moverStream, bossStream].map((st) => st.waitFor((f) => f.type === 'ready')));

    expect((await s.api('PUT', `/api/v1/teams/${sales}/members`, { agentIds: [mover.id] })).status).toBe(200);
    expect((await s.api('PATCH', `/api/v1/agents/${boss.id}`, { role: 'agent' })).status).toBe(200);
    const [joined] = await publish([{ teams: [sales], agents: [] }]);
    await moverStream.waitFor((f) => f.seq === joined.seq);
    expect((await s.api('PUT', `/api/v1/teams/${sales}/members`, { agentIds: [] })).status).toBe(200);
    const [left, marker] = await publish([{ teams: [sales], agents: [] }, { teams: [], agents: [mover.id, boss.id] }]);
    await Promise.all([moverStream, bossStream].map((st) => st.waitFor((f) => f.seq === marker.seq)));
    expect(moverStream.seqs()).toEqual([joined.seq, marker.seq]);
    // Demoted, in no team: only what names them.
    expect(bossStream.seqs()).toEqual([marker.seq]);
    expect(left.seq).toBeLessThan(marker.seq);
    for (const st of [moverStream, bossStream]) st.client.close();
  });

  it('closes at once the streams of a key that is revoked and of a session that signs out, and no other', async () => {
    const key = (await s.api('POST', '/api/v1/keys', { kind: 'api', name: 'dashboard' })).body;
    const leaver = await addAgent(s, { name: 'Leaver', online: false });
    const stayer = await addAgent(s, { name: 'Stayer', online: false });
    const streams = await Promise.all([key.key, leaver.token, stayer.token].map((token) => connect(s.url, { query: `?token=${token}` })));
    await Promise.all(streams.map((st) => st.waitFor((f) => f.type === 'ready')));
    const [keyStream, leaverStream, stayerStream] = streams as [Stream, Stream, Stream];
    const started = Date.now();
    expect((await s.api('DELETE', `/api/v1/keys/${key.id}`)).status).toBe(200);
    expect(await keyStream.closed).toBe(4401);
    expect((await s.api('DELETE', '/api/v1/sessions', undefined, leaver.token)).status).toBe(204);
    expect(await leaverStream.closed).toBe(4401);
    expect(Date.now() - started).toBeLessThan(5_000);
    const [after] = await publish([{ teams: [], agents: [stayer.id] }]);
    await stayerStream.waitFor((f) => f.seq === after.seq);
    stayerStream.client.close();
  });

  it('resumes after a cursor: exactly what followed it, then live, with no gap or duplicate while others publish', async () => {
    const history = await publish(range(1, 20).map(() => everyone));
    const cursor = history[4].seq;
    // Publishing runs while the socket connects and replays.
    const publishing = (async () => {
      const live: Activity[] = [];
      for (let i = 0; i < 40; i++) {
        live.push(...(await publish([everyone, { teams: [teamId], agents: [] }])));
        await new Promise((resolve) => setTimeout(resolve, i % 4));
      }
      return live;
    })();
    const resumed = await connect(s.url, { query: `?token=${s.workspace.apiKey}&after=${cursor}` });
    const live = await publishing;
    await resumed.waitFor((f) => f.seq === live.at(-1)!.seq);
    expect(resumed.seqs()).toEqual(range(cursor + 1, live.at(-1)!.seq));
    expect(resumed.frames.filter((f) => f.type === 'ready')).toHaveLength(1);

    // The same through a resume frame on an open socket.
    const framed = await connect(s.url, { headers: { authorization: `Bearer ${agents.inTeam.token}` } });
    const ready = await framed.waitFor((f) => f.type === 'ready');
    framed.client.send(JSON.stringify({ type: 'resume', after: cursor }));
    await framed.waitFor((f) => f.type === 'ready' && f !== ready);
    const teamOnly = [...history, ...live].filter((a) => a.seq > cursor && a.audience.teams.includes(teamId)).map((a) => a.seq);
    expect(framed.seqs()).toEqual(teamOnly);
    resumed.client.close();
    framed.client.close();
  });

  it('answers reset instead of replaying more than 10,000 activities', async () => {
    const other = await createWorkspace(s.tp.deps, { name: 'Busy', ownerEmail: 'owner@busy.test', ownerPassword: 'busy busy busy busy' });
    for (let i = 0; i < 10_001; i += 1000) await commit(s.tp.deps.db, other.workspaceId, range(i + 1, Math.min(i + 1000, 10_001)).map(() => everyone));
    const reset = await connect(s.url, { query: `?token=${other.apiKey}&after=0` });
    await reset.waitFor((f) => f.type === 'ready');
    expect(reset.frames.map((f) => f.type)).toEqual(['reset', 'ready']);
    expect(reset.frames[1].seq).toBe(10_001);
    const ahead = await connect(s.url, { query: `?token=${other.apiKey}&after=20000` });
    await ahead.waitFor((f) => f.type === 'ready');
    expect(ahead.frames.map((f) => f.type)).toEqual(['reset', 'ready']);
    const longest = await connect(s.url, { query: `?token=${other.apiKey}&after=1` });
    await longest.waitFor((f) => f.type === 'ready', 30_000);
    expect(longest.seqs()).toEqual(range(2, 10_001));
    for (const st of [reset, ahead, longest]) st.client.close();
  });

  it('answers reset when what it would replay was pruned, and replays in full what was kept', async () => {
    const pruned = await createWorkspace(s.tp.deps, { name: 'Pruned', ownerEmail: 'owner@pruned.test', ownerPassword: 'pruned pruned pruned' });
    await commit(s.tp.deps.db, pruned.workspaceId, range(1, 10).map(() => everyone));
    // Keep the last 3, whatever their age (a cutoff a minute ahead makes every row old).
    expect(await pruneActivity(s.tp.deps, { latest: 3, forMs: -60_000 })).toBeGreaterThanOrEqual(7);
    const behind = await connect(s.url, { query: `?token=${pruned.apiKey}&after=5` });
    await behind.waitFor((f) => f.type === 'ready');
    expect(behind.frames.map((f) => f.type)).toEqual(['reset', 'ready']);
    const kept = await connect(s.url, { query: `?token=${pruned.apiKey}&after=7` });
    await kept.waitFor((f) => f.type === 'ready');
    expect(kept.seqs()).toEqual([8, 9, 10]);
    for (const st of [behind, kept]) st.client.close();
  });

  it('keeps workspaces apart: a key of workspace B receives nothing of A', async () => {
    const b: CreatedWorkspace = await createWorkspace(s.tp.deps, { name: 'Other', ownerEmail: 'owner@other.test', ownerPassword: 'other other other' });
    const streamB = await connect(s.url, { query: `?token=${b.apiKey}&after=0` });
    await streamB.waitFor((f) => f.type === 'ready');
    await publish([everyone, { teams: [teamId], agents: [] }]);
    const [own] = await commit(s.tp.deps.db, b.workspaceId, [everyone]);
    s.tp.stream.publish([own]);
    await streamB.waitFor((f) => f.type === 'activity');
    expect(streamB.frames.filter((f) => f.type === 'activity')).toEqual([expect.objectContaining({ seq: 1, momentId: own.momentId })]);
    streamB.client.close();
  });

  it.runIf(engine === 'postgres')('carries activities committed by another process on the same database (LISTEN/NOTIFY)', async () => {
    const other: App = await composeTouchpoint(s.store.config, { pgSchema: s.store.pgSchema, log: createLogger('silent') });
    try {
      const otherUrl = await other.http.listen({ port: 0, host: '127.0.0.1' });
      const remote = await connect(otherUrl, { query: `?token=${agents.inTeam.token}` });
      await remote.waitFor((f) => f.type === 'ready');
      const first = await publish([{ teams: [teamId], agents: [] }]);
      // Committed here but never published in-process (a crashed writer): the next notification fills the gap.
      const unpublished = await commit(s.tp.deps.db, ws, [{ teams: [teamId], agents: [] }]);
      const last = await publish([everyone, { teams: [teamId], agents: [] }]);
      await remote.waitFor((f) => f.seq === last[1].seq);
      expect(remote.seqs()).toEqual([first[0].seq, unpublished[0].seq, last[1].seq]);
      remote.client.close();
    } finally {
      await other.close();
    }
  });

  it('closes every socket with 1001 when the hub closes', async () => {
    const st = await connect(s.url, { query: `?token=${s.workspace.apiKey}` });
    await st.waitFor((f) => f.type === 'ready');
    await s.tp.stream.close();
    expect(await st.closed).toBe(1001);
  });
});

describe('stream logs', () => {
  it('never contain the token, however it was sent, even at trace level', async () => {
    const lines: string[] = [];
    const store = newStore('sqlite');
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const tp = await composeTouchpoint(store.config, { log: createLogger('trace', sink) });
    try {
      const workspace = await createWorkspace(tp.deps, { name: 'Logged', ownerEmail: 'owner@logged.test', ownerPassword: 'a long password 123' });
      const url = await tp.http.listen({ port: 0, host: '127.0.0.1' });
      const byQuery = await connect(url, { query: `?token=${workspace.apiKey}&after=0` });
      const byProtocol = await connect(url, { protocols: ['touchpoint', workspace.apiKey] });
      await Promise.all([byQuery, byProtocol].map((st) => st.waitFor((f) => f.type === 'ready')));
      byQuery.client.send('not json');
      await byQuery.waitFor((f) => f.type === 'error');
      const wrong = `${workspace.apiKey}x`;
      await refusal(url, { query: `?token=${wrong}` });
      await refusal(url, { query: `?token=${workspace.apiKey}&after=nope` });
      byQuery.client.close();
      byProtocol.client.close();
      await byQuery.closed;
      const all = lines.join('');
      expect(all.length).toBeGreaterThan(0);
      expect(all).not.toContain(workspace.apiKey);
    } finally {
      await tp.close();
      await store.drop();
    }
  });
});
