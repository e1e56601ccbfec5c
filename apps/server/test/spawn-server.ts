import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { dropPgSchema, LOCAL_FAKES, PG_URL, type EngineName } from './harness.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from here, as a user would after cloning. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(REPO_ROOT, 'apps/server/bin/touchpoint.js');

export type CliResult = { readonly code: number | null; readonly stdout: string; readonly stderr: string };

// Every child we start, so a failing test can still kill exactly the processes it made.
const children = new Set<ChildProcess>();

/** The environment a child sees: ours minus settings that would point it at another store. */
function childEnv(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  // Tests stand providers and receivers up on this machine (harness.ts).
  const base: NodeJS.ProcessEnv = { ...process.env, TOUCHPOINT_ALLOW_PRIVATE_HOSTS: LOCAL_FAKES };
  for (const name of ['PORT', 'TOUCHPOINT_DATA', 'DATABASE_URL', 'TOUCHPOINT_PG_SCHEMA', 'TOUCHPOINT_DEMO', 'LOG_LEVEL']) delete base[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

/** Runs `touchpoint ARGS…` to completion (`node apps/server/bin/touchpoint.js`, no npx). */
export function runCli(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`touchpoint ${args.join(' ')} took over ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

export type ServerProcess = {
  readonly pid: number;
  /** http://127.0.0.1:PORT, parsed from the "Touchpoint listening on …" line. */
  readonly url: string;
  readonly output: () => { readonly stdout: string; readonly stderr: string };
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  readonly kill: (signal: NodeJS.Signals) => Promise<number | string>;
};

/**
 * Spawns `touchpoint serve` on a free port (PORT=0) and waits for its listening line.
 * @example const server = await spawnServer(['--data', dir], { TOUCHPOINT_DEMO: '0' })
 */
export function spawnServer(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: REPO_ROOT,
    env: childEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${how}) before listening\n${stdout}\n${stderr}`));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /Touchpoint listening on (http:\/\/\S+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        pid: child.pid as number,
        url: match[1],
        output: () => ({ stdout, stderr }),
        exited,
        kill: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** SIGKILLs every child this file started that is still running (for afterEach/afterAll). */
export async function killSpawned(): Promise<void> {
  const alive = [...children];
  await Promise.all(
    alive.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          try {
            process.kill(child.pid as number, 'SIGKILL');
          } catch {
            resolve(); // it died on its own between the check and the kill
          }
        }),
    ),
  );
  children.clear();
}

/** Where a spawned server keeps its data: a temp folder and, on PostgreSQL, a schema of its own. */
export type ProcessStore = {
  readonly dataDir: string;
  readonly pgSchema: string;
  /** The environment that points `touchpoint` commands at this store. */
  readonly env: Readonly<Record<string, string>>;
  /** Removes the folder and the schema. */
  readonly drop: () => Promise<void>;
};

export function processStore(engine: EngineName, prefix: string): ProcessStore {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tp-${prefix}-`));
  const pgSchema = `t_${prefix.replace(/[^a-z0-9]/g, '_')}_${randomBytes(5).toString('hex')}`;
  return {
    dataDir,
    pgSchema,
    env: { TOUCHPOINT_DEMO: '0', ...(engine === 'postgres' ? { DATABASE_URL: PG_URL, TOUCHPOINT_PG_SCHEMA: pgSchema } : {}) },
    drop: async () => {
      if (engine === 'postgres') await dropPgSchema(pgSchema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
