import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ensureWebAppBuilt, WEB_DIST_DIR, webAppState } from '@touchpoint/web/build';
import { AppError } from '../platform/errors.ts';
import { acceptsGzip } from './accepts-gzip.ts';

/** Paths that belong to the server's APIs: an unknown one is a JSON 404, never the app's page. */
const API_PREFIXES = ['/api/', '/v1/', '/webhooks/'];
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);
/** The app's own origin only; Mantine sets styles inline, so styles may be inline too. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

type File = { readonly body: Buffer; readonly gzip: Buffer | null; readonly type: string; readonly etag: string; readonly mtimeMs: number };

/**
 * The agent web app (apps/web, built by Vite) at `/`: hashed files under /assets/ cached for a
 * year, index.html for every other page path (the app routes in the browser), gzip when the
 * browser takes it. When the build is missing or older than the sources the server builds it
 * in the background on start (so `npm start` needs no build step) and serves the old build, or
 * a page that refreshes itself, meanwhile. TOUCHPOINT_WEB_BUILD=0 turns that off (a deploy that
 * ships dist/); test runs build it themselves before they need it.
 */
export async function webAppRoutes(app: FastifyInstance, options: { readonly build: boolean }): Promise<void> {
  const files = new Map<string, File>();
  const autoBuild = options.build && !process.env.VITEST;
  let building = autoBuild && webAppState() !== 'fresh';
  let buildFailed = false;
  // Started once listening: a start that fails (its port taken) leaves no build running that
  // would keep the process from exiting.
  if (building) {
    app.addHook('onListen', () => {
      ensureWebAppBuilt({ log: (message) => app.log.info(message) }).then(
        () => {
          building = false;
          files.clear();
        },
        (error: unknown) => {
          building = false;
          buildFailed = true;
          app.log.error({ err: error }, 'the web app did not build');
        },
      );
    });
  }

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = decodedPath(request.url);
    if (API_PREFIXES.some((prefix) => pathname.startsWith(prefix))) throw new AppError('not_found', `no route ${request.method} ${pathname}`);
    const asset = pathname !== '/' ? read(files, pathname) : null;
    if (asset) return send(request, reply, asset, pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    // A missing file (an old hashed asset after a deploy) is a 404, not the page in its place.
    if (pathname.startsWith('/assets/') || path.extname(pathname) !== '') throw new AppError('not_found', `no file ${pathname}`);
    const page = read(files, '/index.html');
    if (!page) return unavailable(reply, building ? 'building' : buildFailed ? 'failed' : 'missing');
    return send(request, reply, page, 'no-cache');
  };
  app.get('/', { schema: { hide: true } }, serve);
  app.get('/*', { schema: { hide: true } }, serve);
}

function decodedPath(url: string): string {
  const raw = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('not_found', `no file ${raw}`);
  }
}

/** A file of the build, read once (and gzipped once): the build is small and replaced only whole. */
function read(files: Map<string, File>, pathname: string): File | null {
  const full = path.resolve(WEB_DIST_DIR, `.${path.posix.normalize(pathname)}`);
  if (!full.startsWith(WEB_DIST_DIR + path.sep) || path.basename(full).startsWith('.')) return null;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    return null;
  }
  if (!stat.isFile()) return null;
  const cached = files.get(full);
  if (cached && cached.mtimeMs === stat.mtimeMs) return cached;
  const body = fs.readFileSync(full);
  const ext = path.extname(full);
  const file = {
    body,
    gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body, { level: 9 }) : null,
    type: TYPES[ext] ?? 'application/octet-stream',
    etag: `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`,
    mtimeMs: stat.mtimeMs,
  };
  files.set(full, file);
  return file;
}

function send(request: FastifyRequest, reply: FastifyReply, file: File, cacheControl: string) {
  reply.header('cache-control', cacheControl).header('etag', file.etag).header('vary', 'accept-encoding').header('x-content-type-options', 'nosniff');
  if (file.type.startsWith('text/html')) reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY').header('referrer-policy', 'same-origin');
  if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
  reply.type(file.type);
  const gzip = file.gzip !== null && acceptsGzip(request.headers['accept-encoding']);
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? file.gzip : file.body);
}

function unavailable(reply: FastifyReply, why: 'building' | 'failed' | 'missing') {
  const text = {
    building: 'Touchpoint is building its web app. The first start takes about half a minute; this page refreshes by itself.',
    failed: 'The web app did not build: the server log says why. The API works meanwhile.',
    missing: 'The web app is not built. Run <code>npm run build -w @touchpoint/web</code>, or start without TOUCHPOINT_WEB_BUILD=0.',
  }[why];
  const refresh = why === 'building' ? '<meta http-equiv="refresh" content="3">' : '';
  reply.status(why === 'failed' ? 500 : 503).header('retry-after', '3').header('cache-control', 'no-store').type('text/html; charset=utf-8');
  return reply.send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Touchpoint</title>${refresh}</head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:20vh auto;padding:0 1rem"><h1>Touchpoint</h1><p>${text}</p></body></html>`);
}
