import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript without declarations: it runs before any TypeScript loader
import { importBundled, SourceError } from './import-bundled.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-bundled-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A small TypeScript program: an entry importing a module of its own and a CommonJS file. */
function program(name: string): { readonly entry: string; readonly cache: string; readonly dir: string } {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'greeting.ts'), "export const greeting: string = 'hello';\n");
  fs.writeFileSync(path.join(dir, 'where.cjs'), "'use strict'\nmodule.exports = { dir: __dirname, file: __filename };\n");
  fs.writeFileSync(
    path.join(dir, 'main.ts'),
    [
      "import { greeting } from './greeting.ts';",
      "import where from './where.cjs';",
      'export const value: string = greeting;',
      'export const url: string = import.meta.url;',
      'export const dirname: string = import.meta.dirname;',
      'export const cjs: { dir: string; file: string } = where;',
      '',
    ].join('\n'),
  );
  // Written a while ago: a file changed as a bundle is made keeps that bundle from the cache.
  const before = new Date(Date.now() - 60_000);
  for (const file of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, file), before, before);
  return { entry: path.join(dir, 'main.ts'), cache: path.join(root, `${name}-cache`), dir };
}

describe('importBundled', () => {
  it('runs TypeScript, and every module keeps the location it was written at', async () => {
    const { entry, cache, dir } = program('paths');
    const loaded = await importBundled(entry, cache);
    expect(loaded.value).toBe('hello');
    expect(loaded.url).toBe(pathToFileURL(entry).href);
    expect(loaded.dirname).toBe(dir);
    expect(loaded.cjs).toEqual({ dir, file: path.join(dir, 'where.cjs') });
  });

  it('uses the cached bundle until one of its files changes', async () => {
    const { entry, cache, dir } = program('cache');
    expect((await importBundled(entry, cache)).value).toBe('hello');
    const [build] = fs.readdirSync(fs.readdirSync(cache).map((d) => path.join(cache, d))[0]).filter((f) => f.startsWith('b-'));
    // Unchanged: the same build, so the very same module.
    expect((await importBundled(entry, cache)).value).toBe('hello');
    expect(fs.readdirSync(path.join(cache, fs.readdirSync(cache)[0])).filter((f) => f.startsWith('b-'))).toEqual([build]);
    // A module the entry imports changed: a new build with the new text.
    fs.writeFileSync(path.join(dir, 'greeting.ts'), "export const greeting: string = 'hello again';\n");
    expect((await importBundled(entry, cache)).value).toBe('hello again');
  });

  it('does not keep a bundle made while one of its files changed, nor trust a build that is gone', async () => {
    const { entry, cache, dir } = program('changing');
    // Changed just now, as an editor saving while a server starts: this bundle is used once, not kept.
    fs.writeFileSync(path.join(dir, 'greeting.ts'), "export const greeting: string = 'edited';\n");
    expect((await importBundled(entry, cache)).value).toBe('edited');
    const [hashDir] = fs.readdirSync(cache);
    expect(fs.existsSync(path.join(cache, hashDir, 'manifest.json'))).toBe(false);
    // Settled: the next bundle is kept; then its build folder is removed, and the next start makes another.
    const settled = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dir, 'greeting.ts'), settled, settled);
    await importBundled(entry, cache);
    const { build } = JSON.parse(fs.readFileSync(path.join(cache, hashDir, 'manifest.json'), 'utf8'));
    fs.rmSync(path.join(cache, hashDir, build), { recursive: true });
    await importBundled(entry, cache);
    expect(JSON.parse(fs.readFileSync(path.join(cache, hashDir, 'manifest.json'), 'utf8')).build).not.toBe(build);
  });

  it('loads through tsx when no bundle can be written', async () => {
    const { entry } = program('read-only');
    const notAFolder = path.join(root, 'a-file');
    fs.writeFileSync(notAFolder, '');
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      expect((await importBundled(entry, path.join(notAFolder, 'cache'))).value).toBe('hello');
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([expect.stringMatching(/^cannot bundle .*main\.ts \(.*\): loading it through tsx/s)]);
    // esbuild repeats its error for each file it would write: the reason is said once.
    expect(warnings[0].match(/Failed to create output directory/g)).toHaveLength(1);
  });

  it('warns from the main thread only: a thread it starts loads from the same cache', async () => {
    // An ES module package, as the server's own files are.
    const dir = path.join(root, 'thread');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    const entry = path.join(dir, 'main.ts');
    fs.writeFileSync(entry, "export const value: string = 'hello';\n");
    const notAFolder = path.join(root, 'another-file');
    fs.writeFileSync(notAFolder, '');
    const loader = pathToFileURL(path.join(import.meta.dirname, 'import-bundled.js')).href;
    const code = `import { importBundled } from ${JSON.stringify(loader)};
      const { value } = await importBundled(${JSON.stringify(entry)}, ${JSON.stringify(path.join(notAFolder, 'cache'))});
      (await import('node:worker_threads')).parentPort.postMessage(value);`;
    const script = path.join(dir, 'thread.js');
    fs.writeFileSync(script, code);
    const worker = new Worker(script, { stderr: true });
    let stderr = '';
    worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const value = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(value).toBe('hello');
    expect(stderr).toBe('');
  });

  it('reports a syntax error as where it is, not as a cache to load around', async () => {
    const { entry, cache, dir } = program('syntax');
    fs.writeFileSync(path.join(dir, 'greeting.ts'), "export const greeting: string = 'hello'\nexport const broken = ;\n");
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const failed = await importBundled(entry, cache).then(() => null, (error: Error) => error);
      expect(failed).toBeInstanceOf(SourceError);
      expect(failed?.message).toMatch(/main\.ts does not compile:\n.*syntax\/greeting\.ts:2:23: Unexpected ";"$/);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});
