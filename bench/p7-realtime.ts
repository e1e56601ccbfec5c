import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { composeTouchpoint, type App } from '../apps/server/src/main.ts';
import { recordActivities } from '../apps/server/src/modules/moments/activity.ts';
import { createAgent, createTeam, createWorkspace, signIn } from '../apps/server/src/modules/workspaces/index.ts';
import { readConfig } from '../apps/server/src/platform/config.ts';
import { createLogger } from '../apps/server/src/platform/logger.ts';
import { formatResult, log, percentile, result, round, tempDir, type BenchResult } from './lib.ts';

const SOCKETS = 1000;
/** Half the sockets are agents' sessions (10 agents, several tabs each), half the admin API key. */
const AGENTS = 10;
const WARMUP = 30;
const MESSAGES = 300;
/** Longer than one fan-out to 1,000 sockets takes on either side: latency, not queueing. */
const INTERVAL_MS = 50;
const MOMENT_ID = '01900000-0000-7000-8000-000000000007';

// ws ships no types (and @types/ws is not installed): the part this benchmark uses.
type WsClient = { send(data: string): void; close(): void; terminate(): void; on(event: string, listener: (...args: never[]) => void): void };
type WsServer = { readonly clients: Set<WsClient>; address(): { port: number }; on(event: 'listening', listener: () => void): void; close(done: () => void): void };
const ws = createRequire(import.meta.url)('ws') as {
  WebSocket: new (url: string) => WsClient;
  WebSocketServer: new (options: { port: number; host: string }) => WsServer;
};

/** The same machine clock in every process, sub-millisecond. */
const now = () => performance.timeOrigin + performance.now();
/** What the clients look for in a frame: which message, and when it was accepted. */
const marker = (n: number, t0: number) => `p7 n=${n} t0=${t0.toFixed(3)}`;

/**
 * One message: returns once it is accepted, having taken t0 at acceptance; every socket must
 * then receive a frame carrying `marker(n, t0)`. Today a synthetic activity committed to the
 * log and handed to the hub; the real `POST /api/v1/moments/:id/messages` replaces it here alone.
 */
type Trigger = (n: number) => Promise<void>;

/**
 * P7: delay from a message being accepted to its arrival at each of 1,000 WebSocket clients
 * (/api/v1/stream, agents filtered by team), p99 over every (message, socket) pair, against a
 * bare `ws` WebSocketServer broadcasting the same frame to 1,000 other sockets. Both servers run
 * in this process and take turns, message by message, so machine noise falls on both alike;
 * the 2,000 clients run in a child process so they never share a server's event loop.
 * Target: ≤ 2 × the bare broadcast.
 */
export async function runP7(): Promise<BenchResult> {
  log(`P7: ${MESSAGES} messages each to ${SOCKETS.toLocaleString('en-US')} sockets on /api/v1/stream and to ${SOCKETS.toLocaleString('en-US')} on a bare ws server, alternating, ${INTERVAL_MS} ms apart`);
  const touchpoint = await startTouchpoint();
  const bare = await startBare();
  try {
    const [tp, baseline] = await measure([touchpoint, bare]);
    return result(
      'p7',
      'realtime fan-out p99',
      { label: 'Touchpoint', value: round(percentile(tp.delays, 99), 3), unit: 'ms' },
      { label: 'bare ws broadcast', value: round(percentile(baseline.delays, 99), 3), unit: 'ms' },
      { op: '<=', value: 2 },
      { sockets: SOCKETS, messages: MESSAGES, warmupMessages: WARMUP, intervalMs: INTERVAL_MS, touchpoint: summary(tp), baseline: summary(baseline) },
    );
  } finally {
    await touchpoint.stop();
    await bare.stop();
  }
}

/** A server under test: where its clients connect, how a message is sent, how it stops. */
type Target = { readonly urls: readonly string[]; readonly expectReady: boolean; readonly trigger: Trigger; readonly stop: () => Promise<void> };

async function startTouchpoint(): Promise<Target> {
  const data = tempDir('tp-bench-p7-');
  const tp = await composeTouchpoint(readConfig({ TOUCHPOINT_DATA: data.dir, TOUCHPOINT_DEMO: '0', LOG_LEVEL: 'warn' }), { log: createLogger('warn') });
  // As `touchpoint serve` runs: the worker records each message's timeline line meanwhile.
  tp.worker.start();
  const stop = async () => {
    await tp.close();
    data.remove();
  };
  try {
    const workspace = await createWorkspace(tp.deps, { name: 'Bench', ownerEmail: 'owner@bench.test', ownerPassword: 'bench bench bench' });
    const tokens: string[] = [];
    const agentIds: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const email = `agent${i}@bench.test`;
      agentIds.push((await createAgent(tp.deps, { workspaceId: workspace.workspaceId, email, name: `Agent ${i}`, role: 'agent', password: 'bench bench bench', actor: workspace.ownerId })).id);
      tokens.push((await signIn(tp.deps, { email, password: 'bench bench bench' })).token);
    }
    const team = await createTeam(tp.deps, { workspaceId: workspace.workspaceId, key: 'support', name: 'Support', agentIds, actor: workspace.ownerId });
    const url = (await tp.http.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
    const urls = Array.from({ length: SOCKETS }, (_, i) => `${url}/api/v1/stream?token=${i % 2 === 0 ? workspace.apiKey : tokens[(i >> 1) % AGENTS]}`);
    return { urls, expectReady: true, trigger: publishSynthetic(tp, workspace.workspaceId, team.id), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function publishSynthetic(tp: App, workspaceId: string, teamId: string): Trigger {
  return async (n) => {
    const [activity] = await tp.deps.db
      .transaction()
      .execute((tx) => recordActivities(tx, workspaceId, Date.now(), [{ momentId: MOMENT_ID, type: 'message.added', actor: 'p7', audience: { teams: [teamId], agents: [] }, payload: payloadWith('') }]));
    const t0 = now();
    tp.stream.publish([{ ...activity, payload: payloadWith(marker(n, t0)) }]);
  };
}

async function startBare(): Promise<Target> {
  const server = new ws.WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.on('listening', resolve));
  const url = `ws://127.0.0.1:${server.address().port}/`;
  const broadcast: Trigger = async (n) => {
    const t0 = now();
    const frame = JSON.stringify({ type: 'activity', seq: n + 1, momentId: MOMENT_ID, activity: 'message.added', payload: payloadWith(marker(n, t0)), createdAt: new Date().toISOString() });
    for (const client of server.clients) client.send(frame);
  };
  const stop = async () => {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { urls: Array.from({ length: SOCKETS }, () => url), expectReady: false, trigger: broadcast, stop };
}

/** A message.added payload of the size the stream carries: the moment and the new message. */
function payloadWith(body: string): Record<string, unknown> {
  const at = '2026-11-26T08:00:00.000Z';
  return {
    moment: {
      id: MOMENT_ID,
      customerId: '01900000-0000-7000-8000-0000000000c1',
      channel: 'email',
      externalId: null,
      subject: 'Order #4411 arrived damaged',
      preview: body.slice(0, 120),
      status: 'open',
      priority: 'normal',
      language: 'en',
      businessUnitId: null,
      teamId: 'support',
      ownerId: '01900000-0000-7000-8000-0000000000a1',
      queued: false,
      queuedAt: null,
      handoff: null,
      tags: ['damaged', 'order'],
      sla: { state: 'running', policyId: null, firstResponseDue: at, nextResponseDue: null, resolutionDue: at, dueAt: at, breachedAt: null, pausedAt: null },
      firstResponseAt: null,
      snoozedUntil: null,
      resolvedAt: null,
      closedAt: null,
      mergedInto: null,
      messageCount: 3,
      lastMessageAt: at,
      createdAt: at,
      updatedAt: at,
    },
    message: { id: '01900000-0000-7000-8000-0000000000m1', momentId: MOMENT_ID, direction: 'in', authorId: null, body, attachments: [], deliveryState: 'received', createdAt: at },
  };
}

type Samples = { readonly delays: number[]; readonly missing: number; readonly duplicates: number; readonly connectSeconds: number; readonly clientCpu: number };

function summary(s: Samples): Record<string, number> {
  return {
    pairs: s.delays.length,
    p50Ms: round(percentile(s.delays, 50), 3),
    p90Ms: round(percentile(s.delays, 90), 3),
    p99Ms: round(percentile(s.delays, 99), 3),
    maxMs: round(s.delays.reduce((a, b) => Math.max(a, b), 0), 3),
    missing: s.missing,
    duplicates: s.duplicates,
    connectSeconds: s.connectSeconds,
    clientCpu: s.clientCpu,
  };
}

/**
 * Connects every target's sockets in a child process, then sends messages taking turns
 * (message n goes to target n mod targets), and collects each target's delays.
 */
async function measure(targets: readonly Target[]): Promise<Samples[]> {
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, P7_ROLE: 'clients' } });
  try {
    const connected = reply(child);
    child.send({ type: 'connect', groups: targets.map((t) => ({ urls: t.urls, expectReady: t.expectReady })) });
    const { seconds } = (await connected) as { seconds: number[] };
    const total = (WARMUP + MESSAGES) * targets.length;
    for (let n = 0; n < total; n++) {
      await targets[n % targets.length].trigger(n);
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
    const samples = reply(child);
    child.send({ type: 'collect', total, warmup: WARMUP * targets.length });
    const got = (await samples) as Omit<Samples, 'connectSeconds'>[];
    return got.map((g, i) => {
      if (g.missing > 0 || g.duplicates > 0) log(`P7 target ${i}: ${g.missing} frames missing, ${g.duplicates} duplicated`);
      return { ...g, connectSeconds: seconds[i] };
    });
  } finally {
    child.kill();
  }
}

function reply(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`P7 clients exited with code ${code}`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
}

/**
 * The child: opens every group's sockets (50 at a time), records for each frame the delay since
 * the t0 it carries, and on `collect` waits until each socket has every message of its group (or
 * 10 s), then answers per group. It reads the marker straight from the bytes: parsing each
 * frame would delay the next socket's.
 */
function runClients(): void {
  type Group = { readonly urls: readonly string[]; readonly expectReady: boolean };
  const received: number[][][] = [];
  const duplicates: number[] = [];
  const started = process.cpuUsage();
  const startedAt = now();
  process.on('message', (message: { type: string; groups?: Group[]; total?: number; warmup?: number }) => {
    if (message.type === 'connect') void connectAll(message.groups!).then((seconds) => process.send!({ seconds }));
    if (message.type === 'collect') void collect(message.total!, message.warmup!);
  });

  async function connectAll(groups: readonly Group[]): Promise<number[]> {
    const seconds: number[] = [];
    for (const [g, group] of groups.entries()) {
      const t = Date.now();
      received.push([]);
      duplicates.push(0);
      for (let i = 0; i < group.urls.length; i += 50) await Promise.all(group.urls.slice(i, i + 50).map((url) => open(g, url, group.expectReady)));
      seconds.push(round((Date.now() - t) / 1000, 1));
    }
    return seconds;
  }

  function open(group: number, url: string, expectReady: boolean): Promise<void> {
    const delays: number[] = [];
    received[group].push(delays);
    return new Promise((resolve, reject) => {
      const client = new ws.WebSocket(url);
      client.on('message', (data: Buffer) => {
        const at = now();
        const t = data.indexOf(' t0=');
        if (t < 0) {
          if (data.indexOf('"type":"ready"') >= 0) resolve();
          return;
        }
        const n = Number.parseInt(data.toString('latin1', data.indexOf('p7 n=') + 5, t), 10);
        if (delays[n] === undefined) delays[n] = at - Number.parseFloat(data.toString('latin1', t + 4, t + 30));
        else duplicates[group]++;
      });
      client.on('open', () => {
        if (!expectReady) resolve();
      });
      client.on('error', reject);
    });
  }

  async function collect(total: number, warmup: number): Promise<void> {
    const groups = received.length;
    const mine = (g: number) => Array.from({ length: total }, (_, n) => n).filter((n) => n % groups === g);
    const complete = () => received.every((sockets, g) => sockets.every((d) => mine(g).every((n) => d[n] !== undefined)));
    const deadline = Date.now() + 10_000;
    while (!complete() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const cpu = process.cpuUsage(started);
    const clientCpu = round((cpu.user + cpu.system) / 1000 / (now() - startedAt), 2);
    const out = received.map((sockets, g) => {
      const delays: number[] = [];
      let missing = 0;
      for (const d of sockets) {
        for (const n of mine(g)) {
          if (n < warmup) continue;
          if (d[n] === undefined) missing++;
          else delays.push(round(d[n], 3));
        }
      }
      return { delays, missing, duplicates: duplicates[g], clientCpu };
    });
    process.send!(out, () => process.exit(0));
  }
}

if (process.env.P7_ROLE === 'clients') runClients();
else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(formatResult(await runP7()));
