import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';

/** One served file: its bytes, gzipped bytes, and an ETag. */
export type Asset = { readonly body: Buffer; readonly gzip: Buffer; readonly etag: string; readonly contentType: string };

/** The widget as served: the loader, the frame's script, and the frame page (CSS inlined) to fill per channel. */
export type WidgetAssets = {
  readonly loader: Asset;
  readonly frameScript: Asset;
  /** Changes whenever the frame script does: the page asks for `/widget/frame.js?v=<version>`. */
  readonly version: string;
  /** The frame page for a channel's allowed origins. */
  readonly framePage: (allowedOrigins: readonly string[]) => Asset;
  /** For the page's Content-Security-Policy: the inline style's hash. */
  readonly styleHash: string;
};

const JS = 'application/javascript; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

let built: Promise<WidgetAssets> | null = null;

/**
 * Bundles apps/widget with esbuild the first time it is asked (minified, kept in memory), so
 * a clone serves the widget with no build step. Later calls share the result; a failed build
 * is retried on the next call.
 */
export function widgetAssets(): Promise<WidgetAssets> {
  built ??= buildAssets().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}

async function buildAssets(): Promise<WidgetAssets> {
  const root = path.dirname(createRequire(import.meta.url).resolve('@touchpoint/widget/package.json'));
  const bundle = async (entry: string) => {
    const out = await build({
      entryPoints: [path.join(root, entry)],
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2020'],
      write: false,
      legalComments: 'none',
      logLevel: 'silent',
    });
    return Buffer.from(out.outputFiles[0].contents);
  };
  const [loader, frameScript, html, css] = await Promise.all([
    bundle('loader/loader.ts'),
    bundle('frame/frame.ts'),
    fs.readFile(path.join(root, 'frame/frame.html'), 'utf8'),
    fs.readFile(path.join(root, 'frame/frame.css'), 'utf8').then((text) => transform(text, { loader: 'css', minify: true })),
  ]);
  const style = css.code.trim();
  const frame = asset(frameScript, JS);
  const version = frame.etag.slice(1, 13);
  const template = html.replace(/\n\s*/g, '\n').replace('{{CSS}}', () => style).replace('{{VERSION}}', version);
  const pages = new Map<string, Asset>();
  return {
    loader: asset(loader, JS),
    frameScript: frame,
    version,
    styleHash: `sha256-${createHash('sha256').update(style).digest('base64')}`,
    framePage: (origins) => {
      const key = origins.join(' ');
      let page = pages.get(key);
      if (!page) {
        page = asset(Buffer.from(template.replace('{{ORIGINS}}', escapeAttribute(key))), HTML);
        // Channels are few; a bound keeps a stream of settings changes from growing it forever.
        if (pages.size > 1000) pages.clear();
        pages.set(key, page);
      }
      return page;
    },
  };
}

function asset(body: Buffer, contentType: string): Asset {
  return { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, contentType };
}

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
