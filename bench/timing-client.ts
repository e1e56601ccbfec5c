import { spawn } from 'node:child_process';

/** A GET as a small process of its own timed it: from sending to the last byte of a 200. */
export type TimedGet = (route: string) => Promise<number>;

export type TimingClient = {
  /** Sequential GETs to `url` over one kept-alive connection of the timing process. */
  readonly getter: (url: string, authorization: string) => TimedGet;
  readonly stop: () => void;
};

/**
 * The timing side of a latency comparison, in a process that does nothing else. Timed from
 * this process, a request also took in this process's own garbage collection: holding the
 * benchmark's stores and bare queries, it ran a full collection of its 17 MB heap every 110 ms
 * or so (4–7 ms each), and those pauses, landing inside HTTP requests that span several turns
 * of the event loop and almost never inside a synchronous bare query, made the p99 of a bare
 * node:http server 3–7 ms against its p50 of 0.3 ms. This process keeps no body (it counts
 * bytes), so its heap stays small and its collections short.
 */
export function startTimingClient(): TimingClient {
  const code = `const http = require('node:http');
    const agents = new Map();
    process.on('message', ({ id, url, route, authorization }) => {
      let agent = agents.get(url);
      if (!agent) agents.set(url, (agent = new http.Agent({ keepAlive: true, maxSockets: 1 })));
      const started = process.hrtime.bigint();
      const req = http.get(url + route, { agent, headers: { authorization } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () => process.send({ id, ms: Number(process.hrtime.bigint() - started) / 1e6, status: res.statusCode, bytes }));
      });
      req.on('error', (error) => process.send({ id, error: String(error) }));
    });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (ms: number) => void; reject: (error: Error) => void; route: string }>();
  let next = 0;
  child.on('message', (reply: { id: number; ms?: number; status?: number; error?: string }) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.error !== undefined || reply.status !== 200) w.reject(new Error(`GET ${w.route}: ${reply.error ?? reply.status}`));
    else w.resolve(reply.ms!);
  });
  child.once('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the timing client exited with ${code}`));
    waiting.clear();
  });
  return {
    getter: (url, authorization) => (route) =>
      new Promise<number>((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject, route });
        child.send({ id, url, route, authorization });
      }),
    stop: () => void child.kill('SIGTERM'),
  };
}
