import path from 'node:path';
import { gzipSync } from 'node:zlib';
import SQLite from 'better-sqlite3';
import type { Browser, BrowserContext } from 'playwright-core';
import { ensureWebAppBuilt } from '@touchpoint/web/build';
import { uuidv7 } from '../apps/server/src/platform/ids.ts';
import { launchChromium } from '../e2e/support/browser.ts';
import { seededRandom } from './fixtures.ts';
import { adminApi, formatResult, log, newStore, result, round, startChild, type BenchResult, type ChildServer, type Store } from './lib.ts';

const MOMENTS = 10_000;
const WARMUP_RUNS = 2;
const RUNS = 9;
const PASSWORD = 'bench agent password';
/** The mark the inbox sets once it first shows its rows, or says it is empty (apps/web InboxScreen). */
const READY_MARK = 'touchpoint:inbox-ready';
const HOUR = 3_600_000;

type Inbox = { readonly label: string; readonly server: ChildServer; readonly store: Store; readonly email: string };

/**
 * P10: time from navigation to an interactive inbox ("Mine") of 10,000 moments ÷ the same for
 * an empty inbox, same run, same Chromium, both servers built alike. The clock runs in the
 * page: from navigation start to the inbox's ready mark (set once its rows, or its empty
 * state, are on screen and React has committed). Medians of 9 alternating runs after 2
 * warm-ups. Also the initial JavaScript of the inbox, gzipped (target < 300 KB).
 */
export async function runP10(): Promise<BenchResult> {
  await ensureWebAppBuilt({ log });
  const [empty, full] = await Promise.all([inbox('empty', 0), inbox('10k', MOMENTS)]);
  // The servers stop whatever fails after them, Chromium's start included (a missing browser
  // once left both running).
  let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
  try {
    browser = await launchChromium();
    const contexts = await Promise.all([signIn(browser, empty), signIn(browser, full)]);
    const times: Record<string, number[]> = { empty: [], '10k': [] };
    let bundle: Bundle | null = null;
    for (let run = 0; run < WARMUP_RUNS + RUNS; run++) {
      // Alternate which goes first, so neither always meets a colder machine.
      const order = run % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const measured = await loadInbox(contexts[i]!, [empty, full][i]!, run === 0 && i === 1);
        if (measured.bundle) bundle = measured.bundle;
        if (run >= WARMUP_RUNS) times[[empty, full][i]!.label]!.push(measured.ms);
      }
    }
    const fullMs = median(times['10k']!);
    const emptyMs = median(times.empty!);
    log(`P10 inbox ready: 10k ${times['10k']!.map((t) => round(t, 0)).join(', ')} ms; empty ${times.empty!.map((t) => round(t, 0)).join(', ')} ms`);
    log(`P10 initial JavaScript for the inbox: ${bundle ? `${round(bundle.jsGzipBytes / 1024, 1)} KB gzipped (${round(bundle.jsBytes / 1024, 1)} KB raw, ${bundle.jsFiles} files); CSS ${round(bundle.cssGzipBytes / 1024, 1)} KB gzipped` : 'not measured'} — target < 300 KB`);
    return result(
      'p10',
      'inbox of 10,000 moments ready',
      { label: 'Touchpoint, 10,000 moments', value: round(fullMs, 1), unit: 'ms' },
      { label: 'the same inbox empty', value: round(emptyMs, 1), unit: 'ms' },
      { op: '<=', value: 1.5 },
      {
        moments: MOMENTS,
        runs: RUNS,
        fullMs: times['10k']!.map((t) => round(t, 1)),
        emptyMs: times.empty!.map((t) => round(t, 1)),
        initialJsGzipKB: bundle ? round(bundle.jsGzipBytes / 1024, 1) : null,
        initialJsRawKB: bundle ? round(bundle.jsBytes / 1024, 1) : null,
        initialCssGzipKB: bundle ? round(bundle.cssGzipBytes / 1024, 1) : null,
        initialJsTargetKB: 300,
        initialJsMet: bundle ? bundle.jsGzipBytes < 300 * 1024 : null,
      },
    );
  } finally {
    await browser?.close();
    for (const i of [empty, full]) {
      await i.server.stop();
      await i.store.drop();
    }
  }
}

/** A server (its own process, as `touchpoint serve` runs) whose agent owns `count` open moments. */
async function inbox(label: string, count: number): Promise<Inbox> {
  const store = newStore('sqlite', `p10-${label}`);
  const server = await startChild('touchpoint-server.ts', store.serverOptions);
  const call = adminApi(server);
  const email = `agent-${label}@bench.test`;
  const agent = await call('POST', '/api/v1/agents', { email, name: 'Bench Agent', role: 'agent', password: PASSWORD });
  const team = await call('POST', '/api/v1/teams', { key: 'support', name: 'Support', agentIds: [agent.id] });
  if (count > 0) {
    log(`P10 seeding ${count.toLocaleString('en-US')} moments`);
    seedMoments(path.join(store.dataDir, 'touchpoint.sqlite'), String(server.info.workspaceId), agent.id, team.id, count);
  }
  return { label, server, store, email };
}

/**
 * Moments straight into the database (the API would take minutes for ten thousand): open,
 * owned by the agent, in their team, from one of a few thousand named customers with an email
 * each, so the inbox names them as it would in use.
 */
function seedMoments(file: string, workspaceId: string, ownerId: string, teamId: string, count: number): void {
  const db = new SQLite(file);
  db.pragma('busy_timeout = 10000');
  try {
    const random = seededRandom(10);
    const now = Date.now();
    const subjects = ['Card charged twice', 'Where is my parcel?', 'Upgrade to the Pro plan', 'Cannot log in', 'Invoice for March', 'Change my address', 'Refund request'];
    const channels = ['email', 'chat', 'whatsapp', 'sms'];
    const firstNames = ['Ann', 'Raj', 'Li', 'Sam', 'Maria', 'Jonas', 'Aiko', 'Chidi', 'Lucía', 'Tom'];
    const lastNames = ['Lee', 'Patel', 'Wei', 'Okafor', 'Silva', 'Müller', 'Tanaka', 'Eze', 'García', 'Brown'];
    const customers = Array.from({ length: Math.max(1, Math.ceil(count / 5)) }, (_, i) => {
      const name = `${firstNames[i % firstNames.length]} ${lastNames[Math.floor(i / firstNames.length) % lastNames.length]}`;
      const id = uuidv7();
      const customer = { workspace_id: workspaceId, id, root_id: id, traits: JSON.stringify({ name }), stage: 'lead', first_seen: now, last_seen: now, order_count: 0, revenue: '{}', identified: 1, advocate: 0, created_at: now, updated_at: now };
      const identity = { workspace_id: workspaceId, kind: 'email', value: `${name.toLowerCase().replace(/\W+/g, '.')}.${i}@example.com`, customer_id: id, profile_id: id, created_at: now };
      return { customer, identity };
    });
    const moment = (i: number): Record<string, unknown> => {
      const at = now - Math.floor(random() * 30 * 24 * HOUR) - i;
      return {
        workspace_id: workspaceId,
        id: uuidv7(),
        customer_id: customers[Math.floor(random() * customers.length)]!.customer.id,
        channel: channels[i % channels.length],
        subject: `${subjects[i % subjects.length]} #${i + 1}`,
        preview: 'Hello, I am writing about my order from last week and would like an update, thank you.',
        status: 'open',
        priority: ['low', 'normal', 'normal', 'high', 'urgent'][i % 5],
        language: 'en',
        team_id: teamId,
        owner_id: ownerId,
        message_count: 1,
        last_message_at: at,
        created_at: at,
        updated_at: at,
      };
    };
    // IMMEDIATE: the write lock first. The server writes meanwhile, and a transaction that read
    // (the column lists) before it wrote cannot wait for the lock: it fails with SQLITE_BUSY.
    db.transaction(() => {
      insertRows(db, 'customer', customers.map((c) => c.customer));
      insertRows(db, 'identity', customers.map((c) => c.identity));
      insertRows(db, 'moment', Array.from({ length: count }, (_, i) => moment(i)));
    }).immediate();
  } finally {
    db.close();
  }
}

/**
 * Rows into a table by the columns they name. Columns they leave out take their defaults or
 * null, so the seed keeps working as the schema grows; one that can be neither is an error.
 */
function insertRows(db: SQLite.Database, table: string, rows: readonly Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; notnull: number; dflt_value: unknown; pk: number }[];
  const sample = rows[0]!;
  const missing = columns.filter((c) => c.notnull === 1 && c.dflt_value === null && !(c.name in sample));
  if (missing.length > 0) throw new Error(`P10 seed: ${table} columns without a value: ${missing.map((c) => c.name).join(', ')}`);
  const names = columns.map((c) => c.name).filter((name) => name in sample);
  const insert = db.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`);
  for (const row of rows) insert.run(row);
}

async function signIn(browser: Browser, inbox: Inbox): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const res = await context.request.post(`${inbox.server.url}/api/v1/sessions`, { data: { email: inbox.email, password: PASSWORD } });
  if (res.status() !== 201) throw new Error(`P10 sign-in: ${res.status()} ${await res.text()}`);
  return context;
}

type Bundle = { readonly jsBytes: number; readonly jsGzipBytes: number; readonly jsFiles: number; readonly cssGzipBytes: number };

/** One navigation to the inbox in a fresh page; optionally weighs what it loaded. */
async function loadInbox(context: BrowserContext, inbox: Inbox, weigh: boolean): Promise<{ readonly ms: number; readonly bundle: Bundle | null }> {
  const page = await context.newPage();
  const bodies: Promise<{ type: string; bytes: Buffer }>[] = [];
  if (weigh) {
    page.on('response', (response) => {
      const type = response.request().resourceType();
      if (type === 'script' || type === 'stylesheet') bodies.push(response.body().then((bytes) => ({ type, bytes })));
    });
  }
  try {
    await page.goto(`${inbox.server.url}/inbox`, { waitUntil: 'commit' });
    const handle = await page.waitForFunction((mark) => performance.getEntriesByName(mark)[0]?.startTime, READY_MARK, { timeout: 60_000, polling: 50 });
    const ms = (await handle.jsonValue()) as number;
    const shown = await page.locator(inbox.label === 'empty' ? '[data-testid=inbox-empty]' : '[role=option]').count();
    if (shown === 0) throw new Error(`P10 ${inbox.label}: the inbox was ready without ${inbox.label === 'empty' ? 'its empty state' : 'rows'}`);
    if (!weigh) return { ms, bundle: null };
    const loaded = await Promise.all(bodies);
    const js = loaded.filter((b) => b.type === 'script');
    return {
      ms,
      bundle: {
        jsBytes: js.reduce((n, b) => n + b.bytes.length, 0),
        jsGzipBytes: js.reduce((n, b) => n + gzipSync(b.bytes, { level: 9 }).length, 0),
        jsFiles: js.length,
        cssGzipBytes: loaded.filter((b) => b.type === 'stylesheet').reduce((n, b) => n + gzipSync(b.bytes, { level: 9 }).length, 0),
      },
    };
  } finally {
    // Bodies still on their way fail once the page closes: on an earlier error, that failure
    // (unhandled) ended the run and hid the error itself.
    for (const body of bodies) body.catch(() => undefined);
    await page.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// `node --import tsx bench/p10-inbox-load.ts` runs it alone.
if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  console.log(formatResult(await runP10()));
}
