import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** apps/web: the sources of the agent web app. */
export const WEB_APP_DIR = path.resolve(import.meta.dirname, '..');
/** What the server serves at `/`: index.html and hashed files under assets/. */
export const WEB_DIST_DIR = path.join(WEB_APP_DIR, 'dist');

const STAMP = '.build-stamp.json';
const LOCK_DIR = path.join(WEB_APP_DIR, '.build-lock');
/** A lock older than this was left by a build that died: take it over. */
const STALE_LOCK_MS = 10 * 60_000;
/** What a build reads: a change to any of these makes the built app stale. */
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

export type WebAppState = 'fresh' | 'stale' | 'missing';

/**
 * Whether dist/ was built from the sources as they are now: the build records the newest
 * source modification time it saw, so an edit, a pull or a fresh clone (files all newer)
 * makes it stale. A stat of some sixty files: cheap enough for every server start.
 */
export function webAppState(): WebAppState {
  let stamp: { sourcesChangedAt?: number };
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(WEB_DIST_DIR, STAMP), 'utf8')) as { sourcesChangedAt?: number };
  } catch {
    return 'missing';
  }
  if (!fs.existsSync(path.join(WEB_DIST_DIR, 'index.html'))) return 'missing';
  return newestSourceChange() <= (stamp.sourcesChangedAt ?? 0) ? 'fresh' : 'stale';
}

/**
 * Builds the app unless dist/ is fresh; safe to call from several processes at once (one
 * builds, the others wait for it). Vite runs in a child process so a server that builds on
 * start keeps answering meanwhile, and the result replaces dist/ in one rename, so a page
 * never loads half an old build and half a new one.
 * @example await ensureWebAppBuilt({ log: console.log })
 */
export async function ensureWebAppBuilt(options: { readonly log?: (message: string) => void } = {}): Promise<void> {
  if (webAppState() === 'fresh') return;
  const release = await acquireLock();
  try {
    // Another process may have built it while we waited for the lock.
    if (webAppState() === 'fresh') return;
    const sourcesChangedAt = newestSourceChange();
    const started = Date.now();
    options.log?.('building the web app (apps/web) with Vite…');
    const next = path.join(WEB_APP_DIR, `dist-next-${process.pid}`);
    fs.rmSync(next, { recursive: true, force: true });
    await runVite(['build', '--outDir', next, '--emptyOutDir', '--logLevel', 'warn']);
    fs.writeFileSync(path.join(next, STAMP), JSON.stringify({ sourcesChangedAt, builtAt: Date.now() }));
    const old = path.join(WEB_APP_DIR, `dist-next-${process.pid}-old`);
    if (fs.existsSync(WEB_DIST_DIR)) fs.renameSync(WEB_DIST_DIR, old);
    fs.renameSync(next, WEB_DIST_DIR);
    fs.rmSync(old, { recursive: true, force: true });
    options.log?.(`web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    release();
  }
}

function newestSourceChange(): number {
  let newest = 0;
  const visit = (file: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return;
    }
    if (stat.isDirectory()) for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const source of SOURCES) visit(path.join(WEB_APP_DIR, source));
  return newest;
}

function runVite(args: readonly string[]): Promise<void> {
  const viteBin = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin, ...args], { cwd: WEB_APP_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output}`))));
  });
}

/**
 * A directory as a lock (mkdir is atomic across processes), holding the builder's pid: a lock
 * whose process is gone, or that is older than any build takes, was left by a build that
 * died and is taken over. Waits while a live build holds it.
 */
async function acquireLock(): Promise<() => void> {
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return () => fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockIsAbandoned()) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function lockIsAbandoned(): boolean {
  try {
    if (Date.now() - fs.statSync(LOCK_DIR).mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8'));
    if (!pid) return false; // just created: its pid is being written
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: no such process. ENOENT: released meanwhile (the next mkdir decides).
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
