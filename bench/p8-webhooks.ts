import path from 'node:path';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { signMetaBody, verifyMetaSignature } from '../apps/server/src/channels/meta/verify-signature.ts';
import { serveBaseline } from './baseline-child.ts';
import { seededRandom } from './fixtures.ts';
import { adminApi, formatResult, log, newStore, result, startChild, stopAfter, summarizeLoad, warmThenLoad, type BenchResult, type ChildServer, type Store } from './lib.ts';

const CONNECTIONS = 50;
const WARMUP_S = 3;
const MEASURE_S = 10;
const AGENTS = 10;
/** Customers who write again (their open moment continues); the rest are new numbers (a new moment each). */
const RETURNING_POOL = 2_000;
const RETURNING_SHARE = 0.5;
const APP_SECRET = 'p8-app-secret';
const PHONE_NUMBER_ID = '106540352242922';

/**
 * P8: inbound WhatsApp webhook deliveries per second that are verified, stored and assigned —
 * a real Touchpoint server (SQLite, synchronous=FULL, worker on) with a WhatsApp channel, a
 * team of 10 agents online and an assignment rule — against the same deliveries to a bare
 * Fastify route that only checks X-Hub-Signature-256 over the raw body. Same run, both servers
 * in a child process of their own, 50 connections, 3 s warm-up then 10 s. Each delivery is one
 * text message with its own wamid, half from returning customers and half from new ones.
 * Target: ≥ 0.5 of the signature-only rate, with the median answer within 250 ms.
 */
export async function runP8(): Promise<BenchResult> {
  log('P8 baseline: Fastify route that only verifies the Meta signature');
  const noop = await startChild('p8-webhooks.ts', { p8: 'signature-only' });
  const baseline = await stopAfter(noop, () => measure(noop, 'ch'));

  log(`P8 Touchpoint: WhatsApp webhooks on SQLite, ${AGENTS} agents online, an assignment rule`);
  const store = newStore('sqlite', 'p8');
  try {
    const server = await startChild('touchpoint-server.ts', store.serverOptions);
    const touchpoint = await stopAfter(server, async () => {
      const channelId = await setUp(server);
      const load = await measure(server, channelId);
      return { ...load, timelineCatchUpSeconds: await timelineCatchUp(store) };
    });
    const stored = storedCounts(store.dataDir);
    // A refused delivery is a bug; one that outwaited autocannon's 10 s is counted, not fatal (Meta would retry it).
    const refused = touchpoint.run.measured.non2xx + baseline.run.measured.non2xx + baseline.run.measured.errors;
    if (refused > 0) throw new Error(`${refused} deliveries were refused: ${JSON.stringify({ touchpoint: touchpoint.run.measured, baseline: baseline.run.measured })}`);
    const answered = touchpoint.run.warmup.ok + touchpoint.run.measured.ok;
    if (stored.messages < answered) throw new Error(`answered ${answered} deliveries but stored only ${stored.messages} messages`);
    if (stored.onTimeline !== stored.messages) throw new Error(`${stored.messages} messages but ${stored.onTimeline} of them on the timeline`);
    const medianMs = touchpoint.run.measured.latencyP50Ms;
    const r = result(
      'p8',
      'webhook ingress',
      { label: 'Touchpoint', value: touchpoint.run.measured.requestsPerSec, unit: 'deliveries/s' },
      { label: 'signature-only route', value: baseline.run.measured.requestsPerSec, unit: 'deliveries/s' },
      { op: '>=', value: 0.5 },
      {
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_S,
        seconds: MEASURE_S,
        agents: AGENTS,
        returningShare: RETURNING_SHARE,
        medianMs,
        medianTargetMs: 250,
        medianMet: medianMs <= 250,
        touchpoint: summarizeLoad(touchpoint.run.measured),
        baseline: summarizeLoad(baseline.run.measured),
        touchpointServer: touchpoint.stats,
        baselineServer: baseline.stats,
        answered,
        stored,
        // Timeline lines follow through the outbox: how long after the load they were all recorded.
        timelineCatchUpSeconds: touchpoint.run.timelineCatchUpSeconds,
      },
    );
    log(formatResult(r) + ` · median ${medianMs} ms (target ≤ 250 ms) ${medianMs <= 250 ? 'met' : 'MISSED'} · timeline caught up ${touchpoint.run.timelineCatchUpSeconds} s after the load`);
    return r;
  } finally {
    await store.drop();
  }
}

/** A WhatsApp channel, ten agents online in a team, and a rule sending WhatsApp to the team. */
async function setUp(server: ChildServer): Promise<string> {
  const api = adminApi(server);
  const agents = await Promise.all(
    Array.from({ length: AGENTS }, (_, i) => api('POST', '/api/v1/agents', { email: `agent${i}@p8.test`, name: `Agent ${i}`, role: 'agent', password: 'bench agent password', capacity: { '*': 1000 } })),
  );
  const team = await api('POST', '/api/v1/teams', { key: 'whatsapp', name: 'WhatsApp', agentIds: agents.map((a) => a.id), strategy: 'least_loaded', fallbackOwnerId: agents[0]!.id });
  for (const agent of agents) await api('PUT', `/api/v1/agents/${agent.id}/presence`, { presence: 'online' });
  await api('POST', '/api/v1/assignment-rules', { name: 'WhatsApp', conditions: { channels: ['whatsapp'] }, teamId: team.id });
  // The Graph API is never called: nobody replies during the run.
  const channel = await api('POST', '/api/v1/channels', {
    kind: 'whatsapp',
    name: 'WhatsApp',
    address: '+15550783881',
    settings: { phoneNumberId: PHONE_NUMBER_ID, apiBaseUrl: 'http://127.0.0.1:9' },
    secrets: { accessToken: 'p8-token', appSecret: APP_SECRET, verifyToken: 'p8-verify' },
  });
  return channel.id;
}

/** Warm-up then measurement, each delivery signed over its own body (the signature differs per request). */
function measure(server: ChildServer, channelId: string) {
  const options = { path: `/webhooks/meta/${channelId}`, connections: CONNECTIONS, headers: {}, body: deliveries(1), bodyHeaders: (body: string) => ({ 'x-hub-signature-256': signMetaBody(APP_SECRET, body) }) };
  return warmThenLoad(server, options, WARMUP_S, MEASURE_S);
}

/**
 * WhatsApp Cloud API deliveries as Meta sends them: one text message each, a new wamid every
 * time; half from a pool of returning customers, half from numbers never seen before.
 */
function deliveries(seed: number): () => string {
  const random = seededRandom(seed);
  const TEXTS = ['Hi, where is my order?', 'Can I change the delivery address?', 'Do you have this in blue?', 'My parcel arrived damaged', 'Thanks!', 'Is the shop open on Sunday?'];
  let n = 0;
  return () => {
    n += 1;
    const returning = random() < RETURNING_SHARE;
    // US numbers 415 2xx-xxxx: possible numbers for libphonenumber, unique per index.
    const waId = returning ? `1415${String(2_000_000 + Math.floor(random() * RETURNING_POOL)).padStart(7, '0')}` : `1628${String(2_000_000 + seed * 3_000_000 + n).padStart(7, '0')}`;
    return JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
                contacts: [{ profile: { name: `Customer ${waId.slice(-4)}` }, wa_id: waId }],
                messages: [{ from: waId, id: `wamid.P8${seed}${String(n).padStart(9, '0')}${Math.floor(random() * 1e9).toString(36)}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: TEXTS[Math.floor(random() * TEXTS.length)] } }],
              },
            },
          ],
        },
      ],
    });
  };
}

/** Seconds until the outbox holds nothing undelivered (the timeline lines of the run), at most 120. */
async function timelineCatchUp(store: Store): Promise<number> {
  const started = Date.now();
  while ((await store.pendingOutbox()) > 0) {
    if (Date.now() - started > 120_000) throw new Error('the timeline did not catch up within 120 s of the load');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Math.round((Date.now() - started) / 100) / 10;
}

/** What the store holds after the run: every answered delivery must be a stored, owned message. */
function storedCounts(dataDir: string): { messages: number; moments: number; ownedByAgents: number; queued: number; onTimeline: number } {
  const db = new SQLite(path.join(dataDir, 'touchpoint.sqlite'), { readonly: true });
  try {
    const messages = (db.prepare("select count(*) as n from message where channel = 'whatsapp' and direction = 'in'").get() as { n: number }).n;
    const moments = db.prepare("select count(*) as n, sum(a.id is not null) as agents, sum(m.queued_at is not null) as queued from moment m left join agent a on a.workspace_id = m.workspace_id and a.id = m.owner_id and a.email like '%@p8.test' where m.channel = 'whatsapp'").get() as { n: number; agents: number; queued: number };
    const onTimeline = (db.prepare("select count(*) as n from event where name = 'Message Received' and channel = 'whatsapp'").get() as { n: number }).n;
    return { messages, moments: moments.n, ownedByAgents: moments.agents, queued: moments.queued, onTimeline };
  } finally {
    db.close();
  }
}

/**
 * The baseline server, when this file runs as a bench child (BENCH_OPTIONS {"p8":"signature-only"}):
 * Fastify keeping the raw body and checking the signature as the real route does, storing nothing.
 */
async function serveSignatureOnly(): Promise<void> {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post<{ Params: { channelId: string } }>('/webhooks/meta/:channelId', async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!verifyMetaSignature(APP_SECRET, raw, request.headers['x-hub-signature-256'])) return reply.status(401).send({ error: { code: 'unauthorized' } });
    return { stored: 0 };
  });
  await serveBaseline(app);
}

if ((JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as { p8?: string }).p8 === 'signature-only') await serveSignatureOnly();
