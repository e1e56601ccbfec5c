import http from 'node:http';

export type Reply = { readonly text: string; readonly ms: number };

/**
 * Sequential GETs over one kept-alive connection; `ms` runs from sending to the last byte.
 * The body comes back as text: parsing it is the caller's business and stays outside the
 * timing (a latency bench that parsed every page would also time the collection of that
 * garbage inside later requests, which the bare query beside it never pays).
 */
export function sequentialGet(url: string, authorization: string): (route: string) => Promise<Reply> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (route) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.get(url + route, { agent, headers: { authorization } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`GET ${route}: ${res.statusCode} ${text}`));
          resolve({ text, ms });
        });
      });
      req.on('error', reject);
    });
}

/** A latency benchmark warms up this long, and for at least this many rounds. */
export const WARMUP = { seconds: 3, rounds: 300 } as const;

/**
 * Repeats `round` (round i, from 0) until WARMUP has passed both ways; returns the rounds run.
 * Time, not a count, as the throughput benchmarks warm up: V8 keeps compiling the hot paths of
 * the server, the HTTP floor and the timing client on the second core for the first thousand
 * or so requests. After 300 rounds (0.4 s of P6) the p99 of a bare node:http server still read
 * 1.1–2.2 ms against 0.2–0.4 ms in the same process once warm: it timed the compiler.
 */
export async function warmUp(round: (i: number) => Promise<unknown>): Promise<number> {
  const until = performance.now() + WARMUP.seconds * 1000;
  let i = 0;
  while (i < WARMUP.rounds || performance.now() < until) await round(i++);
  return i;
}

/** How long `work` takes, in ms: the bare-query side of a latency comparison. */
export function timeMs(work: () => unknown): number {
  const started = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Times `first(i)` and `second(i)` in turn, i from 0 to count - 1: two bare queries under the same conditions. */
export function timeInTurn(count: number, first: (i: number) => unknown, second: (i: number) => unknown): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < count; i++) {
    a.push(timeMs(() => first(i)));
    b.push(timeMs(() => second(i)));
  }
  return [a, b];
}
