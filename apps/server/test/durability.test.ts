import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, PG_URL, type EngineName } from './harness.ts';
import { killSpawned, processStore, runCli, spawnServer, type ServerProcess } from './spawn-server.ts';

// "Nothing acknowledged is lost": a 200 from the tracking API promises the touchpoints are
// committed, so killing the process at any moment must not lose one, and resending after a
// restart must not store one twice.

type Message = Record<string, unknown> & { readonly messageId: string };

const CLIENTS = 20;
const BATCH_SIZE = 10;
/** How long each cycle ingests after its first answer before the SIGKILL: spread over 0.5–1.5 s to hit different moments. */
const KILL_AFTER_MS = [550, 1_000, 1_450];

/** What the clients learned: answered 200 (must be stored), or lost with the connection (may be). */
type Ledger = {
  readonly sent: Map<string, Message>;
  readonly acknowledged: Set<string>;
  readonly unknown: Set<string>;
  readonly unexpected: string[];
};

function messagesFor(tag: string, client: number, seq: number): { route: string; batch: Message[] } {
  const user = (client * 37 + seq) % 300;
  const anon = `anon-${client}-${seq % 25}`;
  const id = (j: number) => `dur-${tag}-${client}-${seq}-${j}`;
  if (seq % 2 === 0) {
    return { route: '/v1/track', batch: [{ messageId: id(0), type: 'track', event: 'Viewed Product', userId: `u${user}`, properties: { sku: `sku-${seq}` } }] };
  }
  const batch: Message[] = [];
  for (let j = 0; j < BATCH_SIZE; j++) {
    if (j === 0) batch.push({ messageId: id(j), type: 'identify', anonymousId: anon, userId: `u${user}`, traits: { email: `u${user}@example.com`, plan: seq % 3 === 0 ? 'pro' : 'free' } });
    else if (j % 3 === 0) batch.push({ messageId: id(j), type: 'page', anonymousId: anon, name: 'Pricing', properties: { path: '/pricing' } });
    else batch.push({ messageId: id(j), type: 'track', anonymousId: anon, event: 'Added to Cart', properties: { j } });
  }
  return { route: '/v1/batch', batch };
}

async function post(url: string, writeKey: string, route: string, batch: readonly Message[]): Promise<Response> {
  const body = route === '/v1/batch' ? { batch } : batch[0];
  return fetch(url + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** One client: sends until told to stop or until the server goes away under it. */
async function client(url: string, writeKey: string, tag: string, n: number, ledger: Ledger, stop: () => boolean): Promise<void> {
  for (let seq = 0; !stop(); seq++) {
    const { route, batch } = messagesFor(tag, n, seq);
    for (const m of batch) ledger.sent.set(m.messageId, m);
    let response: Response;
    try {
      response = await post(url, writeKey, route, batch);
      await response.arrayBuffer();
    } catch {
      // The connection died with the server: this request may or may not have committed.
      for (const m of batch) ledger.unknown.add(m.messageId);
      return;
    }
    if (response.status === 200) for (const m of batch) ledger.acknowledged.add(m.messageId);
    else {
      ledger.unexpected.push(`${route} → ${response.status}`);
      for (const m of batch) ledger.unknown.add(m.messageId);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Resends messages already sent (acknowledged or not); each must now be answered 200. */
async function resend(url: string, writeKey: string, ledger: Ledger, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 50) {
    const batch = ids.slice(start, start + 50).map((id) => ledger.sent.get(id) as Message);
    // The same messageId twice in one batch is a duplicate too.
    const response = await post(url, writeKey, '/v1/batch', [...batch, batch[0]]);
    expect(response.status, await response.text()).toBe(200);
    for (const m of batch) {
      ledger.acknowledged.add(m.messageId);
      ledger.unknown.delete(m.messageId);
    }
  }
}

/** messageId → how many event rows hold it, read straight from the database. */
async function storedMessageIds(engine: EngineName, dataDir: string, pgSchema: string, workspaceId: string): Promise<Map<string, number>> {
  const query = 'select message_id, count(*) as n from event where workspace_id = $w group by message_id';
  let rows: { message_id: string; n: number | string }[];
  if (engine === 'sqlite') {
    const db = new SQLite(path.join(dataDir, 'touchpoint.sqlite'), { readonly: true });
    try {
      rows = db.prepare(query.replace('$w', '?')).all(workspaceId) as typeof rows;
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${pgSchema}` });
    await client.connect();
    try {
      rows = (await client.query(query.replace('$w', '$1'), [workspaceId])).rows;
    } finally {
      await client.end();
    }
  }
  return new Map(rows.map((r) => [r.message_id, Number(r.n)]));
}

describe.each(ENGINES)('%s', (engine) => {
  const store = processStore(engine, 'durability');
  const { dataDir, pgSchema, env } = store;
  let workspaceId = '';
  let writeKey = '';

  beforeAll(async () => {
    const init = await runCli(['init', '--data', dataDir, '--json', '--no-demo'], env);
    expect(init.code, init.stderr).toBe(0);
    ({ workspaceId, writeKey } = JSON.parse(init.stdout) as { workspaceId: string; writeKey: string });
  });

  afterEach(killSpawned);

  afterAll(async () => {
    await killSpawned();
    await store.drop();
  });

  it('stores every acknowledged messageId exactly once across SIGKILLs and resends', async () => {
    const ledger: Ledger = { sent: new Map(), acknowledged: new Set(), unknown: new Set(), unexpected: [] };
    const start = () => spawnServer(['--data', dataDir], env);
    let server: ServerProcess = await start();
    let inFlight = 0;

    for (const [cycle, delay] of KILL_AFTER_MS.entries()) {
      const ackedBefore = ledger.acknowledged.size;
      const unknownBefore = ledger.unknown.size;
      const clients = Array.from({ length: CLIENTS }, (_, n) => client(server.url, writeKey, `${engine}-${cycle}`, n, ledger, () => false));
      // Timed from the first answer, not from the start: a fresh process on a busy machine can
      // take a while to answer at all, and the kill must land mid-stream.
      await until(() => ledger.acknowledged.size > ackedBefore, 30_000);
      await sleep(delay);
      expect(await server.kill('SIGKILL')).toBe('SIGKILL');
      await Promise.all(clients);
      // Mid-stream: some calls had been answered and some were in flight when it died.
      expect(ledger.acknowledged.size).toBeGreaterThan(ackedBefore);
      expect(ledger.unknown.size).toBeGreaterThan(unknownBefore);

      server = await start();
      // Every in-flight call, and a sample of acknowledged ones, sent again as a client retry would.
      const acked = [...ledger.acknowledged];
      const sample = acked.filter((_, i) => i % Math.max(1, Math.floor(acked.length / 200)) === 0);
      inFlight += ledger.unknown.size;
      await resend(server.url, writeKey, ledger, [...ledger.unknown, ...sample]);
    }

    // A last stretch without a kill, then a graceful stop that must finish what it accepted.
    const ackedBeforeFinal = ledger.acknowledged.size;
    let stopping = false;
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(server.url, writeKey, `${engine}-final`, n, ledger, () => stopping));
    await until(() => ledger.acknowledged.size > ackedBeforeFinal, 30_000);
    await sleep(500);
    stopping = true;
    await Promise.all(clients);
    expect(await server.kill('SIGTERM')).toBe(0);

    expect(ledger.unexpected).toEqual([]);
    const stored = await storedMessageIds(engine, dataDir, pgSchema, workspaceId);
    const lost = [...ledger.acknowledged].filter((id) => !stored.has(id));
    const duplicated = [...stored].filter(([, n]) => n !== 1);
    const phantom = [...stored.keys()].filter((id) => !ledger.sent.has(id));
    console.log(
      `[durability ${engine}] kills: ${KILL_AFTER_MS.length}, sent: ${ledger.sent.size}, acknowledged: ${ledger.acknowledged.size}, ` +
        `stored: ${stored.size}, in flight at a kill (then resent): ${inFlight}, lost: ${lost.length}, duplicated: ${duplicated.length}`,
    );
    expect(lost.length, `acknowledged but not stored, e.g. ${lost.slice(0, 5).join(', ')}`).toBe(0);
    expect(duplicated.length, `stored more than once, e.g. ${duplicated.slice(0, 5).join(', ')}`).toBe(0);
    expect(phantom.length, `stored but never sent, e.g. ${phantom.slice(0, 5).join(', ')}`).toBe(0);
    // Every call lost in a kill was resent and answered, so everything sent is now stored.
    expect(ledger.unknown.size).toBe(0);
    expect(stored.size).toBe(ledger.sent.size);
  }, 150_000);
});
