import { makePeople, newMessageId, seededRandom } from './fixtures.ts';
import { basicAuth, log, newStore, percentile, result, round, startChild, stopAfter, type BenchResult, type ChildServer } from './lib.ts';
import { sequentialGet } from './sequential-get.ts';

const CUSTOMERS = 50_000;
const READS = 1_500;
const WARMUP_READS = 200;
/** Agents searching at once, each one search after another. */
const SEARCHERS = 2;
/** Two letters no customer has (too few for the text index): it reads every customer before it answers. */
const LONG_SEARCH = '/api/v1/customers?q=zq&limit=50';
/** A trait filter no customer matches, answered by the text index. */
const RARE_TRAIT = 'plan=enterprise';
/** Text searches, each timed alone: a word nobody wrote, one customer's email, a surname one in 14 has. */
const TEXT_SEARCHES = { rareWord: 'qzxvj', oneEmail: '.4711@example.com', commonSurname: 'Müller' } as const;
const FIRST = ['Ann', 'Bruno', 'Chloé', 'Dmitri', 'Esra', 'Fatima', 'Gustav', 'Hana', 'Ivo', 'Jun', 'Kofi', 'Lucía', 'Mateus', 'Nadia'];
const LAST = ['Almeida', 'Becker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Müller', 'Novak', 'Okafor'];

/**
 * What a long search costs everyone else: p99 of reading one customer's profile
 * (GET /api/v1/customers/:id, one request at a time) while two agents search 50,000 customers
 * back to back for two letters nobody has (every customer read), against the same reads with nobody
 * searching. SQLite, same store, same run; the searches run on the read threads
 * (TOUCHPOINT_READ_THREADS, default 2). The same searches on the event loop
 * (TOUCHPOINT_READ_THREADS=0) are measured too, to show what the threads are for, and so are
 * text searches on their own (the trigram index). Target (ours): ≤ 2 × the quiet p99.
 */
export async function runSearchStall(): Promise<BenchResult> {
  const store = newStore('sqlite', 'search');
  try {
    log(`search: seeding ${CUSTOMERS.toLocaleString('en-US')} customers with names and emails`);
    const first = await startChild('touchpoint-server.ts', store.serverOptions);
    const keys = { writeKey: String(first.info.writeKey), apiKey: String(first.info.apiKey) };
    const { run: seeded } = await stopAfter(first, () => seed(first.url, keys.writeKey));

    log(`search: text searches alone, then ${READS.toLocaleString('en-US')} profile reads, quiet and then beside ${SEARCHERS} agents searching, on read threads`);
    const threaded = await startChild('touchpoint-server.ts', { dataDir: store.dataDir });
    const { run: onThreads } = await stopAfter(threaded, async () => ({
      indexedSearchP50Ms: await textSearches(threaded, keys.apiKey),
      quiet: await profileReads(threaded, keys.apiKey, seeded.userId, 0),
      searching: await profileReads(threaded, keys.apiKey, seeded.userId, SEARCHERS),
    }));

    log('search: the same searches on the event loop (TOUCHPOINT_READ_THREADS=0)');
    const onLoopServer = await startChild('touchpoint-server.ts', { dataDir: store.dataDir, readThreads: 0 });
    const { run: onLoop } = await stopAfter(onLoopServer, () => profileReads(onLoopServer, keys.apiKey, seeded.userId, SEARCHERS));

    return result(
      'search',
      'profile reads while agents search',
      { label: 'p99 beside searches', value: onThreads.searching.p99Ms, unit: 'ms' },
      { label: 'p99 with nobody searching', value: onThreads.quiet.p99Ms, unit: 'ms' },
      { op: '<=', value: 2 },
      { customers: CUSTOMERS, searchers: SEARCHERS, seedSeconds: seeded.seconds, readThreads: onThreads, searchesOnTheEventLoop: onLoop, longSearch: LONG_SEARCH },
    );
  } finally {
    await store.drop();
  }
}

/** 50,000 customers, each one identify with a name and an email, 100 a batch, four batches at a time. */
async function seed(url: string, writeKey: string): Promise<{ readonly userId: string; readonly seconds: number }> {
  const started = Date.now();
  const random = seededRandom(11);
  const people = makePeople(CUSTOMERS, 11).map((p, i) => {
    const name = `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;
    return { ...p, traits: { name, email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${i}@example.com`, plan: i % 3 === 0 ? 'pro' : 'free' } };
  });
  const send = async (from: number) => {
    const batch = people.slice(from, from + 100).map((p) => ({ type: 'identify', messageId: newMessageId(), userId: p.userId, traits: p.traits }));
    const res = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basicAuth(writeKey) }, body: JSON.stringify({ batch }) });
    if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  };
  for (let i = 0; i < people.length; i += 400) await Promise.all([0, 100, 200, 300].map((d) => send(i + d)));
  return { userId: people[0].userId, seconds: round((Date.now() - started) / 1000, 1) };
}

/** p50 of each text search and of a rare trait filter, 50 times in turn. */
async function textSearches(server: ChildServer, apiKey: string): Promise<Record<string, number>> {
  const get = sequentialGet(server.url, `Bearer ${apiKey}`);
  const p50s: Record<string, number> = {};
  const routes = { ...Object.fromEntries(Object.entries(TEXT_SEARCHES).map(([name, q]) => [name, `q=${encodeURIComponent(q)}`])), rareTrait: `trait.${RARE_TRAIT}` };
  for (const [name, query] of Object.entries(routes)) {
    const times: number[] = [];
    for (let i = 0; i < 55; i++) {
      const reply = await get(`/api/v1/customers?${query}&limit=50`);
      if (i >= 5) times.push(reply.ms);
    }
    p50s[name] = round(percentile(times, 50), 2);
  }
  return p50s;
}

/**
 * Reads one profile `READS` times in turn while `searchers` loops search for the rare word;
 * p50/p99 of the reads, and how long each search took.
 */
async function profileReads(server: ChildServer, apiKey: string, userId: string, searchers: number): Promise<Record<string, number>> {
  const get = sequentialGet(server.url, `Bearer ${apiKey}`);
  const found = JSON.parse((await get(`/api/v1/customers?identity=user_id:${encodeURIComponent(userId)}`)).text) as { data: { id: string }[] };
  const id = found.data[0]?.id;
  if (!id) throw new Error(`no customer for ${userId}`);
  let searching = true;
  const searchMs: number[] = [];
  const loops = Array.from({ length: searchers }, async () => {
    const search = sequentialGet(server.url, `Bearer ${apiKey}`);
    while (searching) {
      const reply = await search(LONG_SEARCH);
      if ((JSON.parse(reply.text) as { data: unknown[] }).data.length !== 0) throw new Error(`${LONG_SEARCH} found someone`);
      searchMs.push(reply.ms);
    }
  });
  try {
    for (let i = 0; i < WARMUP_READS; i++) await get(`/api/v1/customers/${id}`);
    server.measuring();
    const reads: number[] = [];
    for (let i = 0; i < READS; i++) reads.push((await get(`/api/v1/customers/${id}`)).ms);
    return { p50Ms: round(percentile(reads, 50), 3), p99Ms: round(percentile(reads, 99), 3), maxMs: round(Math.max(...reads), 3), searches: searchMs.length, searchP50Ms: searchMs.length ? round(percentile(searchMs, 50), 1) : 0 };
  } finally {
    searching = false;
    await Promise.all(loops);
  }
}
