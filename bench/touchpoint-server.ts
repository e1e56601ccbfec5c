import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { composeTouchpoint } from '../apps/server/src/main.ts';
import { createWorkspace } from '../apps/server/src/modules/workspaces/index.ts';
import { readConfig } from '../apps/server/src/platform/config.ts';
import { createLogger } from '../apps/server/src/platform/logger.ts';

/**
 * The server under test, in its own process (started by lib.ts `startChild`): composed and
 * run as `touchpoint serve` runs it (worker on), listening on a free port.
 * Options (env BENCH_OPTIONS, JSON): dataDir, databaseUrl?, pgSchema?, createWorkspace?, readThreads?.
 */
type Options = { readonly dataDir: string; readonly databaseUrl?: string; readonly pgSchema?: string; readonly createWorkspace?: boolean; readonly readThreads?: number };

const options = JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as Options;
// TOUCHPOINT_SQLITE_SYNCHRONOUS passes through, to see what durability costs (default FULL).
const config = readConfig({ TOUCHPOINT_DATA: options.dataDir, DATABASE_URL: options.databaseUrl ?? '', TOUCHPOINT_DEMO: '0', LOG_LEVEL: 'warn', TOUCHPOINT_SQLITE_SYNCHRONOUS: process.env.TOUCHPOINT_SQLITE_SYNCHRONOUS, TOUCHPOINT_READ_THREADS: options.readThreads?.toString(), TOUCHPOINT_ALLOW_PRIVATE_HOSTS: '127.0.0.1' });
const tp = await composeTouchpoint(config, { pgSchema: options.pgSchema, log: createLogger('warn') });
const workspace = options.createWorkspace ? await createWorkspace(tp.deps, { name: 'Bench', ownerEmail: 'owner@bench.test', ownerPassword: 'bench bench bench' }) : null;
tp.worker.start();
const profiler = await cpuProfiler();
const url = await tp.http.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${JSON.stringify({ url, workspaceId: workspace?.workspaceId, writeKey: workspace?.writeKey, apiKey: workspace?.apiKey, signals: true })}\n`);

// SIGUSR2 marks the start of the measured phase: stats (and the profile) cover only that.
let mark = { at: process.hrtime.bigint(), cpu: process.cpuUsage(), ingest: tp.ingest.stats() };
process.on('SIGUSR2', () => {
  mark = { at: process.hrtime.bigint(), cpu: process.cpuUsage(), ingest: tp.ingest.stats() };
  profiler?.start();
});

process.once('SIGTERM', () => {
  const seconds = Number(process.hrtime.bigint() - mark.at) / 1e9;
  const cpu = process.cpuUsage(mark.cpu);
  const ingest = tp.ingest.stats();
  const stats = { groups: ingest.groups - mark.ingest.groups, touchpoints: ingest.touchpoints - mark.ingest.touchpoints, cpu: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100) / 100 };
  tp.close().then(
    async () => {
      await profiler?.stop();
      process.stdout.write(`STATS ${JSON.stringify(stats)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

/**
 * With BENCH_CPU_PROF=<dir>, a V8 CPU profile of the measured phase (from SIGUSR2 to exit)
 * goes to <dir>/touchpoint-<pid>.cpuprofile: no start-up, seeding or warm-up in it.
 */
async function cpuProfiler(): Promise<{ readonly start: () => void; readonly stop: () => Promise<void> } | null> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  let started = false;
  return {
    start: () => {
      if (started) return;
      started = true;
      void session.post('Profiler.start');
    },
    stop: async () => {
      if (!started) return;
      const { profile } = await session.post('Profiler.stop');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `touchpoint-${process.pid}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
