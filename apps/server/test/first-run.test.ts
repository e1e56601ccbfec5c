import { afterEach, describe, expect, it } from 'vitest';
import { firstRun } from '../src/cli/first-run.ts';
import { composeTouchpoint, type App } from '../src/main.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ENGINES, newStore, type Store } from './harness.ts';

/**
 * Two servers started at the same instant on one empty database (a deploy of two replicas, a
 * restart loop) are two apps with connections of their own, here in one process.
 */
describe.each(ENGINES)('the first start on %s', (engine) => {
  const opened: App[] = [];
  let store: Store | undefined;
  afterEach(async () => {
    for (const tp of opened.splice(0)) await tp.close();
    await store?.drop();
  });

  it('makes one first workspace when two start at once; the other makes none and prints no keys', async () => {
    store = newStore(engine);
    const config = store.config;
    for (let i = 0; i < 2; i += 1) opened.push(await composeTouchpoint(config, { pgSchema: store.pgSchema, log: createLogger('silent') }));
    const [a, b] = opened as [App, App];
    const results = await Promise.all([a, b, a, b].map((tp) => firstRun(tp, { ownerEmail: config.ownerEmail, demo: false })));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const workspaces = await b.deps.db.selectFrom('workspace').select('name').execute();
    expect(workspaces.map((w) => w.name)).toEqual(['My company']);
    // A later start finds it too.
    expect(await firstRun(b, { ownerEmail: config.ownerEmail, demo: false })).toBeNull();
  });
});
