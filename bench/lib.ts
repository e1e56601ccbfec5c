import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { newMessageId, type Person } from './fixtures.ts';

export const BENCH_DIR = import.meta.dirname;
export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What every benchmark hands back: its figure, the same-run baseline, and the verdict. */
export type BenchResult = {
  readonly id: string;
  readonly title: string;
  readonly figure: Measure;
  readonly baseline: Measure;
  readonly ratio: number;
  readonly target: { readonly op: '>=' | '<='; readonly value: number };
  readonly met: boolean;
  /** Numbers that explain the figure (group sizes, error counts, load generator CPU, …). */
  readonly details: Readonly<Record<string, unknown>>;
};
export type Measure = { readonly label: string; readonly value: number; readonly unit: string };

export function result(id: string, title: string, figure: Measure, baseline: Measure, target: BenchResult['target'], details: BenchResult['details']): BenchResult {
  const ratio = figure.value / baseline.value;
  const met = target.op === '>=' ? ratio >= target.value : ratio <= target.value;
  return { id, title, figure, baseline, ratio, target, met, details };
}

const number = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));

/** `P1 single events: 9,850 req/s vs Fastify no-op 16,400 req/s = 0.60 (target ≥ 0.6) met` */
export function formatResult(r: BenchResult): string {
  const op = r.target.op === '>=' ? '≥' : '≤';
  return `${r.id.toUpperCase()} ${r.title}: ${number(r.figure.value)} ${r.figure.unit} vs ${r.baseline.label} ${number(r.baseline.value)} ${r.baseline.unit} = ${r.ratio.toFixed(2)} (target ${op} ${r.target.value}) ${r.met ? 'met' : 'MISSED'}`;
}

export function log(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}

/** A fresh folder under the OS temp dir; `remove` deletes it. */
export function tempDir(prefix: string): { readonly dir: string; readonly remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A PostgreSQL schema name of our own; `drop` removes it with everything in it. */
export function pgSchema(prefix: string): { readonly name: string; readonly drop: () => Promise<void> } {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  return {
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export type ChildServer = {
  readonly url: string;
  /** What the child printed when it was ready (keys, workspace id, …). */
  readonly info: Readonly<Record<string, unknown>>;
  /** Tells the child the measured phase starts: its stats (and CPU profile) cover only that. */
  readonly measuring: () => void;
  /** Asks the child to shut down gracefully; resolves with the stats it printed on the way out. */
  readonly stop: () => Promise<Readonly<Record<string, unknown>>>;
};

/**
 * Runs a bench server script in its own Node process, so the server under test has a core
 * and the load generator (this process) the other. The script prints `READY {json}` with at
 * least `url`, and `STATS {json}` when it stops on SIGTERM.
 * BENCH_CPU_PROF=<dir> makes touchpoint-server.ts write a V8 CPU profile of the measured
 * phase there (open it in Chrome DevTools).
 */
export async function startChild(script: string, options: Readonly<Record<string, unknown>>): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', path.join(BENCH_DIR, script)], {
    env: { ...process.env, BENCH_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stats: Record<string, unknown> = {};
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(JSON.parse(line.slice(6)) as Record<string, unknown>);
      else if (line.startsWith('STATS ')) stats = JSON.parse(line.slice(6)) as Record<string, unknown>;
    });
    void exited.then((code) => reject(new Error(`${script} exited with code ${code} before it was ready`)));
  });
  const info = await ready;
  return {
    url: String(info.url),
    info,
    measuring: () => {
      if (info.signals === true) child.kill('SIGUSR2');
    },
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      return stats;
    },
  };
}

export type LoadOptions = {
  readonly url: string;
  readonly path: string;
  readonly connections: number;
  readonly seconds: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Called for every request: return a new body so every request is a new message. */
  readonly body: () => string;
  /** Headers that depend on the body (a signature over it), added to `headers` per request. */
  readonly bodyHeaders?: (body: string) => Readonly<Record<string, string>>;
};

export type LoadResult = {
  readonly requestsPerSec: number;
  readonly ok: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Share of one core this process (the load generator) used: near 100 % means it may be the limit. */
  readonly loadgenCpu: number;
};

/** One autocannon run from this process; rate counts only 2xx replies. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const out = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json', ...options.headers },
        setupRequest: (request) => {
          const body = options.body();
          return options.bodyHeaders ? { ...request, body, headers: { ...request.headers, ...options.bodyHeaders(body) } } : { ...request, body };
        },
      },
    ],
  });
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requestsPerSec: out['2xx'] / out.duration,
    ok: out['2xx'],
    errors: out.errors + out.timeouts,
    non2xx: out.non2xx,
    latencyP50Ms: out.latency.p50,
    latencyP99Ms: out.latency.p99,
    loadgenCpu: (cpu.user + cpu.system) / wallUs,
  };
}

/** Warm up (result discarded), then measure. */
export async function warmThenLoad(server: ChildServer, options: Omit<LoadOptions, 'seconds' | 'url'>, warmupSeconds: number, seconds: number): Promise<{ readonly warmup: LoadResult; readonly measured: LoadResult }> {
  const warmup = await load({ ...options, url: server.url, seconds: warmupSeconds });
  server.measuring();
  const measured = await load({ ...options, url: server.url, seconds });
  return { warmup, measured };
}

export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

/** Calls the server's admin API with its workspace's API key; a reply of 300 or above throws. */
export function adminApi(server: ChildServer): (method: string, route: string, body: unknown) => Promise<{ id: string }> {
  const authorization = `Bearer ${String(server.info.apiKey)}`;
  return async (method, route, body) => {
    const res = await fetch(server.url + route, { method, headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${text}`);
    return JSON.parse(text) as { id: string };
  };
}

/** Nearest-rank percentile of samples (any order). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function summarizeLoad(run: LoadResult): Record<string, number> {
  return { requestsPerSec: round(run.requestsPerSec), ok: run.ok, errors: run.errors, non2xx: run.non2xx, latencyP50Ms: run.latencyP50Ms, latencyP99Ms: run.latencyP99Ms, loadgenCpu: round(run.loadgenCpu) };
}

/** Average touchpoints per group commit, from the stats a touchpoint-server child prints. */
export function eventsPerCommit(stats: Readonly<Record<string, unknown>>): number | null {
  const groups = Number(stats.groups);
  return groups > 0 ? round(Number(stats.touchpoints) / groups, 1) : null;
}

/** Where a benchmark server keeps its data: a temp folder, plus its own schema on PostgreSQL. */
export type Store = {
  readonly engine: 'sqlite' | 'postgres';
  readonly dataDir: string;
  readonly pgSchema?: string;
  /** Options for touchpoint-server.ts. */
  readonly serverOptions: Readonly<Record<string, unknown>>;
  /** Outbox rows not yet delivered by the server's worker. */
  readonly pendingOutbox: () => Promise<number>;
  readonly drop: () => Promise<void>;
};

export function newStore(engine: 'sqlite' | 'postgres', prefix: string): Store {
  const data = tempDir(`tp-bench-${prefix}-`);
  if (engine === 'sqlite') {
    return {
      engine,
      dataDir: data.dir,
      serverOptions: { dataDir: data.dir, createWorkspace: true },
      pendingOutbox: async () => {
        // A second, read-only connection: in WAL mode it never blocks the server's writer.
        const db = new SQLite(path.join(data.dir, 'touchpoint.sqlite'), { readonly: true });
        try {
          return (db.prepare('select count(*) as n from outbox where processed_at is null').get() as { n: number }).n;
        } finally {
          db.close();
        }
      },
      drop: async () => data.remove(),
    };
  }
  const schema = pgSchema(`tp_bench_${prefix}`);
  return {
    engine,
    dataDir: data.dir,
    pgSchema: schema.name,
    serverOptions: { dataDir: data.dir, databaseUrl: PG_URL, pgSchema: schema.name, createWorkspace: true },
    pendingOutbox: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${schema.name}.outbox where processed_at is null`);
        return Number(rows[0].n);
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      await schema.drop();
      data.remove();
    },
  };
}

/**
 * Makes every person of the pool known before measuring (one identify each, 100 per batch),
 * then waits for the worker to deliver the resulting outbox events: the benchmark then sees
 * steady-state traffic from returning people, whatever speed the warm-up ran at.
 */
export async function seedPeople(url: string, writeKey: string, people: readonly Person[], store: Store): Promise<{ readonly seconds: number; readonly outboxDrainSeconds: number }> {
  const started = Date.now();
  const batches: Person[][] = [];
  for (let i = 0; i < people.length; i += 100) batches.push(people.slice(i, i + 100));
  const send = async (batch: readonly Person[]) => {
    const body = { batch: batch.map((p) => ({ type: 'identify', messageId: newMessageId(), userId: p.userId, anonymousId: p.anonymousId, traits: { plan: 'free' } })) };
    const res = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basicAuth(writeKey) }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  };
  // Four at a time: enough to exercise group commit, few enough to keep this short.
  for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map(send));
  const seeded = Date.now();
  while ((await store.pendingOutbox()) > 0) {
    if (Date.now() - seeded > 60_000) throw new Error('the outbox did not drain within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { seconds: round((seeded - started) / 1000, 1), outboxDrainSeconds: round((Date.now() - seeded) / 1000, 1) };
}

/** Runs `work` against a child server and always stops it; returns the work and the child's stats. */
export async function stopAfter<T>(server: ChildServer, work: () => Promise<T>): Promise<{ readonly run: T; readonly stats: Readonly<Record<string, unknown>> }> {
  let run: T;
  try {
    run = await work();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { run, stats: await server.stop() };
}
