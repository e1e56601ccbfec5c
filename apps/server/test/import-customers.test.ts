import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvRefused, importCustomers } from '../src/modules/collect/index.ts';
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

  it('refuses a file no row of which could be imported, saying why', async () => {
    for (const [text, why] of [
      ['', /empty: it needs a header row/],
      ['external_id:,name\n1,Ann\n', /needs a namespace/],
      ['name,plan\nAnn,pro\n', /needs an email, phone, user_id or external_id/],
      // `id` is a trait like any other: it may be another system's row number.
      ['id,name\n7,Ann\n', /needs an email, phone, user_id or external_id/],
    ] as const) {
      const refused = await imported(text).then(() => null, (error: unknown) => error);
      expect(refused, text).toBeInstanceOf(CsvRefused);
      expect((refused as Error).message).toMatch(why);
    }
  });

  it('reads a semicolon file, rejects unreadable phones and clashing columns, and says what it left out', async () => {
    const summary = await imported(
      [
        '\uFEFFemail;first_name;phone;plan;plan;created_at', // 1: as a spreadsheet in a comma-decimal locale saves it
        'eva@example.com;Eva;;pro;pro;2025-02-30', // 2: imported, without the impossible date
        'olaf@example.com;Olaf;12345;free;;2024-05-01', // 3: rejected, the phone cannot be read
        'ines@example.com;Inês;;pro;free;2024-05-01', // 4: rejected, two plans
        'jon@example.com;Jon;;free;;2099-01-01', // 5: imported, without the future date
        '',
      ].join('\r\n'),
    );
    expect(summary).toMatchObject({ read: 4, created: 2 });
    expect(summary.rejected).toEqual([
      { line: 3, reason: expect.stringMatching(/^invalid phone "12345": /) },
      { line: 4, reason: 'two columns give a different plan: pro and free' },
    ]);
    expect(summary.warnings).toEqual([
      { line: 2, message: expect.stringMatching(/^created_at "2025-02-30" left out: not a real date/) },
      { line: 5, message: expect.stringMatching(/^created_at "2099-01-01" left out: not between 1900 and tomorrow/) },
    ]);
    expect((await customer('email:eva@example.com')).traits).toMatchObject({ firstName: 'Eva', plan: 'pro' });
  });

  it("names on its line an identifier left out because it is another customer's, on every import of the file", async () => {
    const file = 'user_id,email\nold-u,taken@x.io\nnew-u,taken@x.io\n';
    const warning = [{ line: 3, message: expect.stringMatching(/^email "taken@x.io" left out: belongs to another profile: .*user_id/) }];
    const summary = await imported(file);
    expect(summary).toMatchObject({ read: 2, created: 2, rejected: [] });
    expect(summary.warnings).toEqual(warning);
    // Again: nothing changes, and line 3 still imports without that email, so it still says so.
    const again = await imported(file);
    expect(again).toMatchObject({ read: 2, created: 0, merged: 0, unchanged: 2, rejected: [] });
    expect(again.warnings).toEqual(warning);
    // Said again, not recorded again: the customer's conflict log has it once.
    const logged = await s.tp.deps.db.selectFrom('identity_conflict').select('id').where('workspace_id', '=', s.workspace.workspaceId).where('value', '=', 'taken@x.io').execute();
    expect(logged).toHaveLength(1);
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
