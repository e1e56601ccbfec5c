import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChatClient, type SocketLike } from '@touchpoint/widget/protocol';
import { ENGINES } from './harness.ts';
import { killSpawned, processStore, runCli, spawnServer, type ServerProcess } from './spawn-server.ts';

// "Kill the server mid-conversation; the widget reconnects and neither side loses or
// duplicates a message." A real `touchpoint serve` process is SIGKILLed while a visitor (the
// widget's own ChatClient) and an agent (REST API + live stream) both keep writing; it restarts
// on the same data, the visitor resumes from its cursor and resends what was not acknowledged,
// the agent retries with idempotency keys and resumes its stream. At the end each side holds
// every message exactly once.

type Ws = SocketLike & { on(event: string, listener: (...args: never[]) => void): void; terminate(): void };
const { WebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: new (url: string) => Ws };

const KILLS = 2;
const TRAFFIC_MS = 600;
const GAP_MS = 15;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(test: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe.each(ENGINES)('chat survives a SIGKILL on %s', (engine) => {
  const store = processStore(engine, 'chat-kill');
  const { dataDir, pgSchema, env } = store;

  afterEach(killSpawned);
  afterAll(async () => {
    await killSpawned();
    await store.drop();
  });

  it('loses and duplicates nothing on either side', async () => {
    const init = await runCli(['init', '--data', dataDir, '--json', '--no-demo'], env);
    expect(init.code, init.stderr).toBe(0);
    const { apiKey } = JSON.parse(init.stdout) as { apiKey: string };
    let server: ServerProcess = await spawnServer(['--data', dataDir], env);
    let base = server.url;
    const api = async (method: string, route: string, body?: unknown, key = apiKey) => {
      const res = await fetch(base + route, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(10_000) });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };

    // An agent on a team that takes every moment, and a chat channel.
    const password = 'a long enough password';
    const agent = await api('POST', '/api/v1/agents', { email: 'ana@acme.test', name: 'Ana', role: 'agent', password, capacity: { chat: 50 } });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    const token = ((await (await fetch(`${base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@acme.test', password }) })).json()) as { token: string }).token;
    expect((await api('PUT', `/api/v1/agents/${agent.body.id}/presence`, { presence: 'online' }, token)).status).toBe(200);
    const team = await api('POST', '/api/v1/teams', { key: 'chat', name: 'Chat', agentIds: [agent.body.id] });
    expect((await api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: team.body.id } })).status).toBe(200);
    const channel = await api('POST', '/api/v1/channels', { kind: 'chat', name: 'Site chat', settings: { allowedOrigins: ['https://shop.example.com'], visitorMessagesPerMinute: 10_000 }, secrets: { identitySecret: 'secret' } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);

    // The visitor: the widget's client, reconnecting to wherever the server now listens.
    const ws = () => base.replace('http', 'ws');
    const chat = new ChatClient({ url: ws(), channelId: channel.body.id, visitorId: `visitor-${randomBytes(6).toString('hex')}`, retryMs: () => 100, connect: (url) => new WebSocket(url.replace(/^ws:\/\/[^/]+/, ws())) });
    chat.start();
    await until(() => chat.ready, 'the visitor to connect');
    chat.send('Hello');
    await until(() => chat.messages.length === 1, 'the first message');
    const momentId = chat.messages[0].momentId;

    // The agent's live stream, resuming from its cursor after every drop.
    const seen = new Map<string, number>();
    // From the start of the log: the moment's first message came before this socket.
    let agentCursor: number | null = 0;
    let agentStream: Ws | null = null;
    let streaming = true;
    const follow = () => {
      if (!streaming) return;
      const socket = new WebSocket(`${ws()}/api/v1/stream?token=${token}${agentCursor !== null ? `&after=${agentCursor}` : ''}`);
      agentStream = socket;
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { type: string; seq?: number; activity?: string; payload?: { message?: { id: string; direction: string } } };
        if (frame.type === 'ready') agentCursor = Math.max(agentCursor ?? 0, frame.seq!);
        if (frame.type !== 'activity') return;
        agentCursor = Math.max(agentCursor ?? 0, frame.seq!);
        const m = frame.payload?.message;
        if (m && (frame.activity === 'moment.created' || frame.activity === 'message.added')) seen.set(m.id, (seen.get(m.id) ?? 0) + 1);
      });
      socket.on('close', () => setTimeout(follow, 100));
      socket.on('error', () => undefined);
    };
    follow();

    // Both sides write until told to stop; the agent retries each reply with its idempotency key.
    const visitorSent: string[] = ['Hello'];
    const agentSent: string[] = [];
    let writing = true;
    const visitorLoop = (async () => {
      for (let i = 0; writing; i++) {
        const body = `V${i}`;
        chat.send(body);
        visitorSent.push(body);
        await sleep(GAP_MS * 3);
      }
    })();
    const agentLoop = (async () => {
      for (let i = 0; writing; i++) {
        const body = `A${i}`;
        for (;;) {
          const res = await api('POST', `/api/v1/moments/${momentId}/messages`, { direction: 'out', body, externalId: `agent-${i}` }, token).catch(() => null);
          if (res && (res.status === 201 || res.status === 200)) break;
          if (res && res.status < 500) throw new Error(`reply ${body} refused: ${res.status} ${JSON.stringify(res.body)}`);
          await sleep(50);
        }
        agentSent.push(body);
        await sleep(GAP_MS);
      }
    })();

    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(TRAFFIC_MS);
      expect(await server.kill('SIGKILL')).toBe('SIGKILL');
      await sleep(200);
      server = await spawnServer(['--data', dataDir], env);
      base = server.url;
    }
    await sleep(TRAFFIC_MS);
    writing = false;
    await Promise.all([visitorLoop, agentLoop]);

    // Everything settles: the visitor's messages acknowledged, every reply delivered to the widget.
    await until(() => chat.pending.length === 0, 'the visitor to have every message acknowledged');
    const want = [...visitorSent, ...agentSent];
    // Replies a killed server had claimed come back to the next one when their 5 s lease runs out.
    await until(() => chat.messages.length >= want.length, `the visitor to hold ${want.length} messages (has ${chat.messages.length})`, 15_000);
    const thread = async () => {
      const all: { id: string; body: string; direction: string; delivery: string }[] = [];
      for (let after = ''; ; ) {
        const page = await api('GET', `/api/v1/moments/${momentId}/messages?limit=200${after ? `&after=${after}` : ''}`);
        all.push(...page.body.data);
        if (!page.body.nextCursor) return all;
        after = page.body.nextCursor;
      }
    };
    await until(async () => (await thread()).filter((m) => m.direction === 'out').every((m) => m.delivery !== 'queued'), 'every reply to leave the queue');
    const stored = await thread();
    const inStore = await until(() => agentCursor !== null && stored.every((m) => seen.has(m.id)), 'the agent stream to show every message').then(() => stored);
    streaming = false;
    (agentStream as Ws | null)?.terminate();
    chat.stop();

    const counts = (bodies: readonly string[]) => bodies.reduce((m, b) => m.set(b, (m.get(b) ?? 0) + 1), new Map<string, number>());
    // The visitor: every message of both sides, each once.
    const shown = counts(chat.messages.map((m) => m.body));
    expect([...shown.values()].every((n) => n === 1), `duplicates in the widget: ${[...shown].filter(([, n]) => n > 1).map(([b]) => b)}`).toBe(true);
    expect([...shown.keys()].sort()).toEqual([...want].sort());
    // The store: each message once, no reply stuck or failed.
    const kept = counts(inStore.map((m) => m.body));
    expect([...kept.values()].every((n) => n === 1), `duplicates stored: ${[...kept].filter(([, n]) => n > 1).map(([b]) => b)}`).toBe(true);
    expect([...kept.keys()].sort()).toEqual([...want].sort());
    expect(inStore.filter((m) => m.direction === 'out' && !['sent', 'delivered', 'read'].includes(m.delivery))).toEqual([]);
    // The agent: every message on their stream, none announced twice.
    expect(inStore.filter((m) => seen.get(m.id) !== 1)).toEqual([]);
    console.log(`${engine}: ${visitorSent.length} visitor and ${agentSent.length} agent messages across ${KILLS} SIGKILLs, each held once by both sides`);
  }, 180_000);
});
