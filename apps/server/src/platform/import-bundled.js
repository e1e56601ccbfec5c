// Loads a TypeScript entry of the server (the CLI, the ingest commit thread) as one esbuild
// bundle, so a fresh clone still runs without a build step, but a start no longer pays tsx's
// loader for each of ~1,700 modules: `touchpoint import` of one row took 2.4 s, 0.85 s bundled;
// `serve` answered after 2.5 s, now 0.8 s; a new commit thread was ready after 0.6 s, now 0.1 s.
// Plain JavaScript, because it runs before any TypeScript loader.
//
// Packages are bundled too (Node loading kysely's 280 files alone took 0.1 s), except those
// that must load from their folder: native addons, and tools the server only calls. The bundle
// is cached under node_modules/.cache/touchpoint and made again when one of its files changed.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
// Another esbuild may bundle differently: its version is part of the cache's key.
const ESBUILD_VERSION = createRequire(import.meta.url)('esbuild/package.json').version;
const CACHE_ROOT = path.join(REPO_ROOT, 'node_modules/.cache/touchpoint');
// Bump when the way bundles are made changes, so older caches are not used.
const FORMAT = 1;
// Another process may still be loading a build this old that a newer one replaced.
const PRUNE_AFTER_MS = 10 * 60_000;
// Imported from node_modules as they are: native addons, tools with their own binaries or
// workers, and pg's optional native client.
const OUTSIDE = /^(node:|better-sqlite3$|esbuild$|tsx(\/|$)|vite$|pg-native$)/;

/**
 * Imports the TypeScript module at `entry` (a file URL or path), bundled; through tsx, as
 * before, when no bundle can be made here (a read-only install).
 * @example await importBundled(new URL('../src/cli/main.ts', import.meta.url))
 */
export async function importBundled(entry, cacheRoot = CACHE_ROOT) {
  const file = entry instanceof URL ? fileURLToPath(entry) : path.resolve(entry);
  let bundle;
  try {
    bundle = await freshBundle(file, cacheRoot);
  } catch (error) {
    // A source that does not compile would fail under tsx too: say where, not "the cache".
    const inSource = sourceErrorsOf(error);
    if (inSource) throw new SourceError(`${path.relative(REPO_ROOT, file)} does not compile:\n${inSource}`);
    // Once a process: a thread (the commit thread) loads its entry from the cache the main
    // thread could not write either, and the main thread has said so.
    if (isMainThread) process.emitWarning(`cannot bundle ${path.relative(REPO_ROOT, file)} (${reasonOf(error)}): loading it through tsx, which starts slower`);
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(file).href);
  }
  // Stack traces name the TypeScript files and lines, as they did under tsx.
  process.setSourceMapsEnabled(true);
  return import(pathToFileURL(bundle).href);
}

/**
 * A TypeScript or JavaScript file of the program that cannot be compiled (a syntax error, an
 * import of a file that is not there): the message names each place as file:line:column.
 */
export class SourceError extends Error {
  name = 'SourceError';
}

/** esbuild's errors that point into a source file, one `file:line:column: what` a line; else null. */
function sourceErrorsOf(error) {
  const located = (error.errors ?? []).filter((e) => e.location);
  if (located.length === 0) return null;
  return [...new Set(located.map(({ location, text }) => `${location.file}:${location.line}:${location.column + 1}: ${text}`))].join('\n');
}

/** Why no bundle could be made, once: esbuild repeats an error for each output file. */
function reasonOf(error) {
  return error.errors?.length ? [...new Set(error.errors.map((e) => e.text))].join('; ') : error.message;
}

/** The cached bundle of `file` if none of its inputs changed since it was made, else a new one. */
async function freshBundle(file, cacheRoot) {
  const dir = path.join(cacheRoot, createHash('sha256').update(`${file}\0${ESBUILD_VERSION}\0${FORMAT}`).digest('hex').slice(0, 16));
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJson(manifestFile);
  const cached = manifest && path.join(dir, manifest.build, 'main.js');
  if (cached && fs.existsSync(cached) && manifest.inputs.every(([input, size, mtimeMs]) => unchanged(input, size, mtimeMs))) return cached;

  const startedAt = Date.now();
  const build = `b-${startedAt}-${randomBytes(4).toString('hex')}`;
  // Loaded only to make a bundle: importing esbuild costs a start from the cache 30 ms.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: { main: file },
    outdir: path.join(dir, build),
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Mapped back to the TypeScript (see above) but without the sources: a bundle of the
    // server with them inline took 0.35 s more to load.
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    // Bundled CommonJS packages require Node's modules, and the ones left outside, for real.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    plugins: [someStayOutside, pathsAsWritten],
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const absolute = path.resolve(REPO_ROOT, input);
    const stat = fs.statSync(absolute);
    return [absolute, stat.size, stat.mtimeMs];
  });
  // A file changed while esbuild read it may be in the bundle as it was before: this bundle
  // runs once, and the next start makes another. (Also when a slower, older build ends last.)
  if (inputs.some(([, , mtimeMs]) => mtimeMs >= startedAt - 1_000)) return path.join(dir, build, 'main.js');
  // Written whole, then renamed: a process starting meanwhile reads the old one or this one.
  const temporary = `${manifestFile}.${build}`;
  fs.writeFileSync(temporary, JSON.stringify({ build, inputs }));
  fs.renameSync(temporary, manifestFile);
  pruneOlderBuilds(dir, build);
  return path.join(dir, build, 'main.js');
}

function unchanged(file, size, mtimeMs) {
  try {
    const stat = fs.statSync(file);
    return stat.size === size && stat.mtimeMs === mtimeMs;
  } catch {
    return false;
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function pruneOlderBuilds(dir, current) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === current) continue;
    const built = path.join(dir, entry.name);
    if (Date.now() - fs.statSync(built).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(built, { recursive: true, force: true });
  }
}

const someStayOutside = {
  name: 'some-stay-outside',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (OUTSIDE.test(args.path) ? { path: args.path, external: true } : undefined));
  },
};

/**
 * Each module keeps the location it was written at (import.meta.url, __dirname): in a bundle
 * they would be the bundle's, and modules find their workers and assets beside them.
 */
const pathsAsWritten = {
  name: 'paths-as-written',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const loader = /\.[cm]?tsx?$/.test(args.path) ? (args.path.endsWith('x') ? 'tsx' : 'ts') : args.path.endsWith('x') ? 'jsx' : 'js';
      return { contents: asWritten(source, args.path), loader };
    });
  },
};

function asWritten(source, file) {
  let contents = source;
  if (contents.includes('import.meta')) {
    contents = contents
      .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href))
      .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
      .replaceAll('import.meta.filename', JSON.stringify(file));
  }
  // CommonJS code reads them as module variables; one that declares its own keeps it.
  const names = ['__dirname', '__filename'].filter((name) => contents.includes(name) && !new RegExp(`\\b(var|let|const)\\s+${name}\\b`).test(contents));
  if (names.length === 0) return contents;
  const values = { __dirname: path.dirname(file), __filename: file };
  const declared = `var ${names.map((name) => `${name} = ${JSON.stringify(values[name])}`).join(', ')};`;
  // On the first line, so the source map's lines stay right: after a hashbang or 'use strict'.
  const [, head] = /^(#![^\n]*|\s*(['"])use strict\2;?)?/.exec(contents);
  if (head?.startsWith('#!')) return declared + contents.slice(head.length);
  const directive = head === undefined ? '' : head.endsWith(';') ? head : `${head};`;
  return directive + declared + contents.slice(head?.length ?? 0);
}
