import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript without declarations: it runs before any TypeScript loader
import { importBundled } from './import-bundled.js';

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
  });
});
