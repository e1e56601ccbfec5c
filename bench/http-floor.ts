import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { TimingClient } from './timing-client.ts';

/**
 * What HTTP alone costs for a reply: a bare node:http server in its own process (like the
 * real one) answering every GET with `body`, timed by the same timing client as the API.
 * Not a baseline: it shows how much of an API figure no server code could remove.
 */
export async function floorServer(body: string, timing: TimingClient): Promise<{ readonly get: () => Promise<number>; readonly stop: () => void }> {
  const file = path.join(os.tmpdir(), `touchpoint-bench-floor-${process.pid}.json`);
  fs.writeFileSync(file, body);
  const code = `const http = require('node:http'); const body = require('node:fs').readFileSync(${JSON.stringify(file)});
    const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }); res.end(body); });
    server.listen(0, '127.0.0.1', () => process.stdout.write('READY ' + JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port }) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => {
    child.kill('SIGTERM');
    fs.rmSync(file, { force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout }).on('line', (line) => line.startsWith('READY ') && resolve((JSON.parse(line.slice(6)) as { url: string }).url));
      child.once('exit', (exitCode) => reject(new Error(`the floor server exited with ${exitCode}`)));
    });
    const get = timing.getter(url, 'Bearer none');
    return { get: () => get('/'), stop };
  } catch (error) {
    stop();
    throw error;
  }
}
