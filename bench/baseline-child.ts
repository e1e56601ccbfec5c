import type { FastifyInstance } from 'fastify';

/**
 * Runs a baseline Fastify app as a bench child (started by lib.ts `startChild`): listens on a
 * free port, prints `READY {url}`, takes SIGUSR2 as the start of the measured phase, and on
 * SIGTERM prints `STATS {cpu}` (the CPU share used since) and exits.
 */
export async function serveBaseline(app: FastifyInstance): Promise<void> {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`READY ${JSON.stringify({ url, signals: true })}\n`);
  let mark = { at: process.hrtime.bigint(), cpu: process.cpuUsage() };
  process.on('SIGUSR2', () => {
    mark = { at: process.hrtime.bigint(), cpu: process.cpuUsage() };
  });
  process.once('SIGTERM', () => {
    const seconds = Number(process.hrtime.bigint() - mark.at) / 1e9;
    const cpu = process.cpuUsage(mark.cpu);
    process.stdout.write(`STATS ${JSON.stringify({ cpu: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100) / 100 })}\n`);
    void app.close().then(() => process.exit(0));
  });
}
