import Fastify from 'fastify';
import { TrackBody, TrackingReply } from '@touchpoint/contracts';

/**
 * P1's baseline: a bare Fastify app with Touchpoint's /v1/track route shape (same body and
 * reply schemas, so the same JSON parsing and validation) that stores nothing. It runs in the
 * same kind of child process as the real server, so both get one core.
 */
const app = Fastify();
app.post('/v1/track', { schema: { body: TrackBody, response: { 200: TrackingReply } } }, async () => ({ success: true }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${JSON.stringify({ url, signals: true })}\n`);

// SIGUSR2 marks the start of the measured phase; STATS reports the CPU share used since.
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
