import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ChatClient, type SocketLike } from '@touchpoint/widget/protocol';
import SQLite from 'better-sqlite3';
import { composeTouchpoint } from '../apps/server/src/main.ts';
import { createChannel } from '../apps/server/src/modules/channels/index.ts';
import { setPresence } from '../apps/server/src/modules/moments/index.ts';
import { createAgent, createTeam, createWorkspace, signIn, updateSettings } from '../apps/server/src/modules/workspaces/index.ts';
import { readConfig } from '../apps/server/src/platform/config.ts';
import { createLogger } from '../apps/server/src/platform/logger.ts';
import { formatResult, log, percentile, result, round, tempDir, type BenchResult } from './lib.ts';
import { WARMUP } from './sequential-get.ts';

const VISITORS = 1000;
const AGENTS = 10;
/** Per side: a 99th percentile is then the 10th-slowest message, not the 3rd (single runs of 300 read 1.6–5.8). */
const MESSAGES = 1_000;
/** A message every so often, alternating between the two servers: latency, not queueing. */
const INTERVAL_MS = 40;
const BARE_WARMUP = 100;

// ws ships no types (and @types/ws is not installed): the part this benchmark uses.
type WsClient = SocketLike & { send(data: string): void; terminate(): void; on(event: string, listener: (...args: never[]) => void): void };
type WsServer = { address(): { port: number }; on(event: string, listener: (...args: never[]) => void): void; close(done: () => void): void; readonly clients: Set<WsClient> };
const ws = createRequire(import.meta.url)('ws') as { WebSocket: new (url: string) => WsClient; WebSocketServer: new (options: { port: number; host: string }) => WsServer };

/** The same clock for sender and receiver: both live in the clients' process. */
const now = () => performance.timeOrigin + performance.now();

type Setup = {
  readonly tp: { readonly ws: string; readonly channelId: string; readonly agents: readonly { readonly id: string; readonly token: string }[] };
  readonly bare: string;
};
type Samples = { readonly delays: number[]; readonly missing: number };

/**
 * P9: with 1,000 widget visitors connected (/widget/socket, the widget's own ChatClient) and 10
 * agents on the live stream (/api/v1/stream), p99 of the time from a visitor sending a message to
 * the owning agent's socket receiving it — stored, routed onto the moment and committed first
 * (SQLite, synchronous=FULL) — against a bare `ws` server relaying the same message, padded to the
 * size of the agent's frame, from 1,000 other sockets to 10 others. Both servers run in this
 * process and take turns message by message; every client runs in a child process, which takes
 * both timestamps. Target: ≤ 2 × the bare relay.
 */
export async function runP9(): Promise<BenchResult> {
  log(`P9: ${VISITORS.toLocaleString('en-US')} widget visitors and ${AGENTS} agents; ${MESSAGES} messages to Touchpoint and ${MESSAGES} to a bare ws relay, alternating, ${INTERVAL_MS} ms apart`);
  const data = tempDir('tp-bench-p9-');
  const tp = await composeTouchpoint(readConfig({ TOUCHPOINT_DATA: data.dir, TOUCHPOINT_DEMO: '0', LOG_LEVEL: 'warn' }), { log: createLogger('warn') });
  // As `touchpoint serve` runs: the worker records each message's timeline line meanwhile.
  tp.worker.start();
  const relay = new ws.WebSocketServer({ port: 0, host: '127.0.0.1' });
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, P9_ROLE: 'clients' } });
  try {
    const setup = await prepare(tp);
    let pad = 0;
    relay.on('connection', (socket: WsClient, request: { url?: string }) => {
      if (request.url === '/agent') return;
      // A visitor's frame: read the body, relay a frame the size of Touchpoint's to every agent.
      socket.on('message', (raw: Buffer) => {
        const body = (JSON.parse(raw.toString()) as { body: string }).body;
        const frame = JSON.stringify({ type: 'activity', activity: 'message.added', payload: { message: { body } }, pad: 'x'.repeat(pad) });
        for (const client of relay.clients) if ((client as WsClient & { agent?: boolean }).agent) client.send(frame);
      });
    });
    relay.on('connection', (socket: WsClient, request: { url?: string }) => {
      if (request.url === '/agent') (socket as WsClient & { agent?: boolean }).agent = true;
    });
    await new Promise<void>((resolve) => (relay.address() ? resolve() : relay.on('listening', () => resolve())));
    const connected = answer(child);
    child.send({ type: 'connect', setup: { ...setup, bare: `ws://127.0.0.1:${relay.address().port}` } satisfies Setup });
    const { connectSeconds } = (await connected) as { connectSeconds: number };
    const warmed = answer(child);
    child.send({ type: 'warmup' });
    const { frameBytes, warmupSeconds } = (await warmed) as { frameBytes: number; warmupSeconds: number };
    pad = Math.max(0, frameBytes - 90);
    const measured = answer(child);
    child.send({ type: 'measure' });
    const { touchpoint, bare, clientCpu } = (await measured) as { touchpoint: Samples; bare: Samples; clientCpu: number };
    if (touchpoint.missing > 0 || bare.missing > 0) log(`P9: ${touchpoint.missing} Touchpoint and ${bare.missing} relay messages never arrived`);
    const commit = await durableCommits(data.dir);
    log(`P9 floor: a bare durable commit of one row on this disk, p50 ${round(percentile(commit, 50), 3)} ms, p99 ${round(percentile(commit, 99), 3)} ms`);
    return result(
      'p9',
      'chat visitor → owning agent p99',
      { label: 'Touchpoint', value: round(percentile(touchpoint.delays, 99), 3), unit: 'ms' },
      { label: 'bare ws relay', value: round(percentile(bare.delays, 99), 3), unit: 'ms' },
      { op: '<=', value: 2 },
      {
        visitors: VISITORS,
        agents: AGENTS,
        messages: MESSAGES,
        intervalMs: INTERVAL_MS,
        agentFrameBytes: frameBytes,
        connectSeconds,
        warmupSeconds,
        clientCpu,
        engine: 'sqlite (synchronous=FULL)',
        touchpoint: summary(touchpoint),
        baseline: summary(bare),
        durableCommitFloor: summary({ delays: commit, missing: 0 }),
      },
    );
  } finally {
    child.kill();
    for (const client of relay.clients) client.terminate();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    await tp.close();
    data.remove();
  }
}

/**
 * What no durable chat can skip: a message reaches the agent only once it is committed, so one
 * better-sqlite3 transaction of one small row (WAL, synchronous=FULL, the server's settings) in
 * the same folder, timed one at a time at the benchmark's pace. Not a baseline: it shows how much
 * of the figure is the disk's.
 */
async function durableCommits(dir: string): Promise<number[]> {
  const db = new SQLite(path.join(dir, 'floor.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table message (id integer primary key, body text not null)');
    const insert = db.prepare('insert into message (body) values (?)');
    const commit = db.transaction((body: string) => insert.run(body));
    const times: number[] = [];
    for (let i = 0; i < BARE_WARMUP + MESSAGES / 2; i++) {
      const started = performance.now();
      commit(`message ${i} from a visitor, about as long as a chat line`);
      if (i >= BARE_WARMUP) times.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS / 4));
    }
    return times;
  } finally {
    db.close();
  }
}

/** A workspace with 10 online agents on the default team and a chat channel. */
async function prepare(tp: Awaited<ReturnType<typeof composeTouchpoint>>): Promise<Omit<Setup, 'bare'>> {
  const workspace = await createWorkspace(tp.deps, { name: 'Bench', ownerEmail: 'owner@bench.test', ownerPassword: 'bench bench bench' });
  const w = workspace.workspaceId;
  const agents: { id: string; token: string }[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const email = `agent${i}@bench.test`;
    const id = (await createAgent(tp.deps, { workspaceId: w, email, name: `Agent ${i}`, role: 'agent', password: 'bench bench bench', capacity: { chat: VISITORS }, actor: workspace.ownerId })).id;
    agents.push({ id, token: (await signIn(tp.deps, { email, password: 'bench bench bench' })).token });
  }
  const moments = { deps: tp.deps, settings: tp.settings, publish: tp.stream.publish };
  for (const a of agents) await setPresence(moments, { workspaceId: w, agentId: a.id, presence: 'online', actor: a.id });
  const team = await createTeam(tp.deps, { workspaceId: w, key: 'chat', name: 'Chat', agentIds: agents.map((a) => a.id), actor: workspace.ownerId });
  await updateSettings(tp.deps, { workspaceId: w, actor: workspace.ownerId, patch: { moments: { defaultTeamId: team.id } } });
  tp.settings.forget(w);
  const channel = await createChannel(tp.deps, { workspaceId: w, kind: 'chat', name: 'Site chat', settings: { allowedOrigins: ['https://shop.example.com'] }, secrets: { identitySecret: 'bench' }, actor: workspace.ownerId });
  const url = await tp.http.listen({ port: 0, host: '127.0.0.1' });
  return { tp: { ws: url.replace('http', 'ws'), channelId: channel.id, agents } };
}

function summary(s: Samples): Record<string, number> {
  return { pairs: s.delays.length, missing: s.missing, p50Ms: round(percentile(s.delays, 50), 3), p90Ms: round(percentile(s.delays, 90), 3), p99Ms: round(percentile(s.delays, 99), 3), maxMs: round(s.delays.reduce((a, b) => Math.max(a, b), 0), 3) };
}

function answer(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`P9 clients exited with code ${code}`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
}

/**
 * The child: 1,000 ChatClients and 10 agent streams on Touchpoint, 1,000 raw sockets and 10
 * agents on the relay. Message n goes to Touchpoint when n is even (visitor n/2 mod 1,000),
 * to the relay when odd; the delay runs from just before the send to the owner's socket
 * reading the frame (on the relay, agent n mod 10 stands for the owner).
 */
function runClients(): void {
  const visitors: ChatClient[] = [];
  const bareVisitors: WsClient[] = [];
  const sentAt = new Map<number, number>();
  const arrived = new Map<number, number>();
  const owners = new Map<string, string>();
  let frameBytes = 0;
  let frames = 0;
  const started = process.cpuUsage();
  const startedAt = now();

  process.on('message', (message: { type: string; setup?: Setup }) => {
    if (message.type === 'connect') void connect(message.setup!).then((connectSeconds) => process.send!({ connectSeconds }));
    if (message.type === 'warmup') void warmup().then((out) => process.send!(out));
    if (message.type === 'measure') void measure().then((out) => process.send!(out, () => process.exit(0)));
  });

  function open(url: string, onMessage: (data: Buffer) => void): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new ws.WebSocket(url);
      socket.on('message', onMessage);
      socket.on('open', () => resolve(socket));
      socket.on('error', reject);
    });
  }

  async function connect(s: Setup): Promise<number> {
    const t = Date.now();
    for (const agent of s.tp.agents) {
      await open(`${s.tp.ws}/api/v1/stream?token=${agent.token}`, (data) => {
        const at = now();
        const i = data.indexOf('p9 n=');
        if (i < 0) return;
        const frame = JSON.parse(data.toString()) as { activity: string; payload: { moment: { id: string; ownerId: string }; message: { body: string; direction: string } } };
        if (frame.payload.moment.ownerId !== agent.id || frame.payload.message.direction !== 'in') return;
        const n = Number(frame.payload.message.body.slice(5));
        if (!arrived.has(n)) arrived.set(n, at);
        owners.set(frame.payload.moment.id, agent.id);
        frameBytes += data.length;
        frames++;
      });
    }
    for (let a = 0; a < AGENTS; a++) {
      await open(`${s.bare}/agent`, (data) => {
        const at = now();
        const i = data.indexOf('p9 n=');
        const n = Number.parseInt(data.toString('latin1', i + 5, i + 16), 10);
        if (n % AGENTS === a && !arrived.has(n)) arrived.set(n, at);
      });
    }
    for (let i = 0; i < VISITORS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, VISITORS - i) }, async (_, j) => {
          const chat = new ChatClient({ url: s.tp.ws, channelId: s.tp.channelId, visitorId: `visitor-${i + j}-${randomUUID()}`, connect: (url) => new ws.WebSocket(url) });
          visitors.push(chat);
          chat.start();
          await new Promise<void>((resolve) => chat.on((e) => e.type === 'connected' && resolve()));
          bareVisitors.push(await open(`${s.bare}/visitor`, () => undefined));
        }),
      );
    }
    return round((Date.now() - t) / 1000, 1);
  }

  /** Every visitor opens their moment (routed to an agent), the relay warms up, then both as measured. */
  async function warmup(): Promise<{ frameBytes: number; warmupSeconds: number }> {
    const t = Date.now();
    const base = -1_000_000;
    for (let i = 0; i < VISITORS; i += 20) {
      const batch = visitors.slice(i, i + 20).map((chat, j) => {
        const n = base + i + j;
        chat.send(`p9 n=${n}`);
        return n;
      });
      await until(() => batch.every((n) => arrived.has(n)), 30_000);
    }
    for (let k = 0; k < BARE_WARMUP; k++) {
      const n = base - 1 - k;
      bareVisitors[k % VISITORS].send(JSON.stringify({ type: 'message', clientId: randomUUID(), body: `p9 n=${n}` }));
      await sleep(2);
    }
    // Then what is measured, both sides in turn, for WARMUP.seconds: a message to a moment
    // already open takes code the opening messages did not, and V8 compiles it over the first
    // few hundred; measured from a cold start, the first of the 1,000 set the 99th percentile.
    const warmUntil = Date.now() + WARMUP.seconds * 1000;
    for (let k = 0; Date.now() < warmUntil; k++) {
      sendTurn(k, 2 * base - k);
      await sleep(INTERVAL_MS / 8);
    }
    await sleep(200);
    return { frameBytes: Math.round(frameBytes / Math.max(frames, 1)), warmupSeconds: round((Date.now() - t) / 1000, 1) };
  }

  /** Turn k of the alternation: even turns a widget visitor writes to Touchpoint, odd ones a visitor of the relay; the message carries n. */
  function sendTurn(k: number, n: number): void {
    const i = ((Math.floor(k / 2) % VISITORS) * 7) % VISITORS;
    if (k % 2 === 0) visitors[i].send(`p9 n=${n}`);
    else bareVisitors[i].send(JSON.stringify({ type: 'message', clientId: randomUUID(), body: `p9 n=${n}` }));
  }

  async function measure(): Promise<{ touchpoint: Samples; bare: Samples; clientCpu: number }> {
    for (let n = 0; n < 2 * MESSAGES; n++) {
      sentAt.set(n, now());
      sendTurn(n, n);
      await sleep(INTERVAL_MS);
    }
    await until(() => [...sentAt.keys()].every((n) => arrived.has(n)), 10_000).catch(() => undefined);
    const samples = (parity: number): Samples => {
      const delays: number[] = [];
      let missing = 0;
      for (const [n, t0] of sentAt) {
        if (n % 2 !== parity) continue;
        const t1 = arrived.get(n);
        if (t1 === undefined) missing++;
        else delays.push(round(t1 - t0, 3));
      }
      return { delays, missing };
    };
    const cpu = process.cpuUsage(started);
    return { touchpoint: samples(0), bare: samples(1), clientCpu: round((cpu.user + cpu.system) / 1000 / (now() - startedAt), 2) };
  }

}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(test: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`P9 clients: timed out after ${ms} ms`);
    await sleep(5);
  }
}

if (process.env.P9_ROLE === 'clients') runClients();
else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(formatResult(await runP9()));
