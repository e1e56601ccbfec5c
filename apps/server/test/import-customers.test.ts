import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCustomers } from '../src/modules/collect/index.ts';
import { ENGINES, startServer, type Running } from './harness.ts';

/** CSV import as `touchpoint import customers` runs it (cli.test.ts covers the command itself), on both engines. */
describe.each(ENGINES)('importing customers on %s', (engine) => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer(engine);
  });
  afterAll(() => s?.stop());

  const imported = async (csv: string) =>
    importCustomers({ clock: s.tp.deps.clock, ingest: s.tp.ingest }, { workspaceId: s.workspace.workspaceId, settings: await s.tp.settings.get(s.workspace.workspaceId), csv });
  const customer = async (identity: string) => (await s.api('GET', `/api/v1/customers?identity=${encodeURIComponent(identity)}`)).body.data[0] as { id: string; traits: Record<string, unknown> };

  it("names on its line an identifier left out because it is another customer's", async () => {
    const summary = await imported('user_id,email\nold-u,taken@x.io\nnew-u,taken@x.io\n');
    expect(summary).toMatchObject({ read: 2, created: 2, rejected: [] });
    expect(summary.warnings).toEqual([{ line: 3, message: expect.stringMatching(/^email "taken@x.io" left out: belongs to another profile: .*user_id/) }]);
  });

  it('re-importing an older file sets its values back, and importing it again right after changes nothing', async () => {
    const f1 = 'email,plan\nflip@x.io,pro\n';
    const f2 = 'email,plan\nflip@x.io,basic\n';
    expect(await imported(f1)).toMatchObject({ created: 1, unchanged: 0 });
    expect(await imported(f2)).toMatchObject({ merged: 1, unchanged: 0 });
    expect(await imported(f1)).toMatchObject({ merged: 1, unchanged: 0 });
    expect(await imported(f1)).toMatchObject({ created: 0, merged: 0, unchanged: 1 });
    const flip = await customer('email:flip@x.io');
    expect(flip.traits.plan).toBe('pro');
    // Three imports changed the customer; the fourth added no line to the timeline.
    expect((await s.api('GET', `/api/v1/customers/${flip.id}/timeline`)).body.data).toHaveLength(3);
  });
});
