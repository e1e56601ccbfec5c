import fs from 'node:fs';
import net from 'node:net';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { composeTouchpoint, type App } from '../src/main.ts';
import { STAGES } from '../src/modules/profiles/index.ts';
import { readConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { killSpawned, runCli, spawnServer } from './spawn-server.ts';

// The CLI as a user runs it: `node apps/server/bin/touchpoint.js …` from the repository root,
// on SQLite in a temporary data directory.

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-cli-'));
  dirs.push(dir);
  return dir;
}

afterEach(killSpawned);
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function get(url: string, key: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

describe('--help', () => {
  const expected: Readonly<Record<string, readonly string[]>> = {
    serve: ['--data', '--port', '--no-demo'],
    init: ['--data', '--json', '--name', '--email', '--no-demo'],
    migrate: ['--data', '--json'],
    keys: ['create', '--kind', 'api|write', '--workspace', '--name', '--data', '--json'],
    import: ['customers', 'FILE.csv', '--workspace', '--data', '--json'],
  };

  // One test, all at once: each command is a process start, and they do not share state.
  it('of the CLI and of every command exits 0 and names the options', async () => {
    const commands = Object.keys(expected);
    const [main, ...each] = await Promise.all([runCli(['--help']), ...commands.map((command) => runCli([command, '--help']))]);
    expect(main.code).toBe(0);
    for (const command of ['serve', 'init', 'migrate', 'keys create', 'import customers', '--data']) expect(main.stdout).toContain(command);
    for (const [i, command] of commands.entries()) {
      expect(each[i].code, command).toBe(0);
      expect(each[i].stdout).toContain(`touchpoint ${command}`);
      for (const option of expected[command]) expect(each[i].stdout, command).toContain(option);
    }
  });
});

describe('init, keys, migrate, import', () => {
  const dataDir = tempDir();
  const csvFile = path.join(dataDir, 'customers.csv');
  let workspace: { workspaceId: string; apiKey: string; writeKey: string };
  let newWriteKey = '';
  let firstImport: any;

  it('init --json prints the workspace keys and creates the SQLite file', async () => {
    const { code, stdout, stderr } = await runCli(['init', '--data', dataDir, '--json'], { TOUCHPOINT_DEMO: '0' });
    expect(code, stderr).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed).toMatchObject({ workspaceId: expect.any(String), apiKey: expect.stringMatching(/^tp_api_/), writeKey: expect.stringMatching(/^tp_write_/), ownerEmail: expect.any(String), ownerPassword: expect.any(String), demo: null });
    expect(printed.businessUnits).toHaveLength(1);
    expect(fs.existsSync(path.join(dataDir, 'touchpoint.sqlite'))).toBe(true);
    workspace = printed;
  });

  it('keys create --kind write --json prints a new key', async () => {
    const { code, stdout, stderr } = await runCli(['keys', 'create', '--kind', 'write', '--data', dataDir, '--json']);
    expect(code, stderr).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed.workspaceId).toBe(workspace.workspaceId);
    expect(printed.key).toMatch(/^tp_write_/);
    expect(printed.key).not.toBe(workspace.writeKey);
    newWriteKey = printed.key;
  });

  it('keys create --kind bogus exits non-zero and says which kinds exist', async () => {
    const { code, stdout, stderr } = await runCli(['keys', 'create', '--kind', 'bogus', '--data', dataDir, '--json']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--kind must be api or write');
    expect(stdout).toBe('');
  });

  it('migrate --json applies every migration on a fresh directory, then none', async () => {
    const fresh = tempDir();
    const first = await runCli(['migrate', '--data', fresh, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const applied = JSON.parse(first.stdout);
    expect(applied.applied.length).toBeGreaterThan(0);
    expect(applied.database).toBe(path.join(fresh, 'touchpoint.sqlite'));
    const again = await runCli(['migrate', '--data', dataDir, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).applied).toEqual([]);
  });

  it('import customers --json reports created, merged and rejected rows with their lines', async () => {
    fs.writeFileSync(
      csvFile,
      [
        'email,first_name,last_name,plan,notes', // line 1
        'ann@example.com,Ann,Lee,pro,likes tea', // 2
        'bob@example.com,Bob,Stone,free,"first line', // 3
        'second line"', // 4: the quoted field goes on
        'not-an-email,Carl,Marx,free,', // 5: rejected
        ',Dana,Nobody,free,no identifier at all', // 6: rejected
        'ANN@example.com,Ann,Lee,enterprise,upgraded', // 7: the same customer as line 2
        'cy@example.com,Cy,Young,pro,', // 8
        '',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await runCli(['import', 'customers', csvFile, '--data', dataDir, '--json']);
    expect(code, stderr).toBe(0);
    firstImport = JSON.parse(stdout);
    expect(firstImport).toMatchObject({ workspaceId: workspace.workspaceId, read: 6, created: 3, merged: 1, unchanged: 0 });
    expect(firstImport.rejected.map((r: { line: number }) => r.line)).toEqual([5, 6]);
    expect(firstImport.rejected[0].reason).toMatch(/email/);
    expect(firstImport.rejected[1].reason).toMatch(/identifier/);
  });

  // What makes a file unimportable is tested in import-customers.test.ts; here, how the CLI says it.
  it('refuses a file no row of which could be imported, saying why in one line, without a stack trace', async () => {
    const bad = path.join(tempDir(), 'bad.csv');
    fs.writeFileSync(bad, 'name,plan\nAnn,pro\n');
    const { code, stdout, stderr } = await runCli(['import', 'customers', bad, '--data', dataDir, '--json']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${bad}: `);
    expect(stderr).toMatch(/needs an email, phone, user_id or external_id/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('says in one line what it cannot work with: a taken port, no database server, a bad setting, an empty folder', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as net.AddressInfo).port);
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const nobody = String((closed.address() as net.AddressInfo).port);
    await new Promise((resolve) => closed.close(resolve));
    const busyPortDir = tempDir();
    const notAFolder = path.join(tempDir(), 'a-file');
    fs.writeFileSync(notAFolder, '');
    try {
      const cases: [string[], Record<string, string>, number, RegExp][] = [
        // The server gives up and exits instead of running on without its HTTP port.
        [['serve', '--data', busyPortDir, '--no-demo'], { PORT: port, HOST: '127.0.0.1', SMTP_PORT: 'off' }, 1, /^touchpoint: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE, another process has that port; set PORT \(or --port\) to another\n$/],
        // Not an address of this machine: the mail server cannot listen, and the process, whose
        // threads and database were open by then, ends instead of hanging.
        [['serve', '--data', tempDir(), '--no-demo'], { PORT: '0', HOST: '127.0.0.1', SMTP_PORT: '0', SMTP_HOST: '203.0.113.9' }, 1, /^touchpoint: cannot listen on 203\.0\.113\.9:0: EADDRNOTAVAIL, 203\.0\.113\.9 is not an address of this machine; set SMTP_HOST/],
        [['serve', '--data', tempDir(), '--no-demo'], { PORT: '0', HOST: '127.0.0.1', SMTP_PORT: '0', SMTP_HOST: 'no-such-host.invalid' }, 1, /^touchpoint: cannot listen on no-such-host\.invalid:0: ENOTFOUND, no address is known for the host name no-such-host\.invalid; set SMTP_HOST/],
        [['serve', '--data', tempDir()], { LOG_LEVEL: 'bogus' }, 2, /^touchpoint: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "bogus"\n$/],
        [['migrate', '--data', notAFolder], {}, 2, /^touchpoint: --data must name a folder, and .* is \(or lies under\) a file\n$/],
        [['migrate', '--data', tempDir()], { DATABASE_URL: `postgres://postgres@127.0.0.1:${nobody}/x` }, 1, /cannot reach the database: connect ECONNREFUSED/],
        [['migrate', '--data', tempDir()], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/no_such_database' }, 1, /PostgreSQL: database "no_such_database" does not exist/],
        [['migrate', '--data', tempDir()], { DATABASE_URL: 'mysql://x/y' }, 2, /DATABASE_URL must be a postgres:\/\/ /],
        [['migrate', '--data', tempDir()], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', TOUCHPOINT_PG_SCHEMA: 'bad;schema' }, 2, /TOUCHPOINT_PG_SCHEMA must be a plain schema name/],
        [['serve', '--data', tempDir()], { PORT: 'eighty' }, 2, /PORT must be a port number/],
        [['keys', 'create', '--kind', 'api', '--data', path.join(tempDir(), 'empty')], {}, 2, /no database in .*: run touchpoint init/],
      ];
      for (const [args, env, exitCode, message] of cases) {
        const { code, stdout, stderr } = await runCli(args, env, 30_000);
        expect(code, stderr).toBe(exitCode);
        expect(stderr).toMatch(message);
        expect(stderr).not.toMatch(/\n\s+at /);
        // Nothing made before the failure is shown, least of all keys of a workspace.
        expect(stdout).toBe('');
      }
      // The port is bound before the first start's work: no workspace was made on a taken port.
      const db = new Database(path.join(busyPortDir, 'touchpoint.sqlite'), { readonly: true });
      expect(db.prepare('select count(*) as n from workspace').get()).toEqual({ n: 0 });
      db.close();
      const empty = path.join(tempDir(), 'empty');
      expect(fs.existsSync(empty)).toBe(false);
      const json = await runCli(['keys', 'create', '--kind', 'api', '--data', empty, '--json']);
      expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'usage', message: expect.stringMatching(/no database/) } });
    } finally {
      taken.close();
    }
  });

  it('importing the same file again changes nothing', async () => {
    const { code, stdout, stderr } = await runCli(['import', 'customers', csvFile, '--data', dataDir, '--json']);
    expect(code, stderr).toBe(0);
    const again = JSON.parse(stdout);
    expect(again).toMatchObject({ read: 6, created: 0, merged: 0, unchanged: firstImport.created + firstImport.merged });
    expect(again.rejected).toEqual(firstImport.rejected);
  });

  it('the imported customers and the new write key work through the server', async () => {
    const tp: App = await composeTouchpoint(readConfig({ TOUCHPOINT_DATA: dataDir, TOUCHPOINT_DEMO: '0' }), { log: createLogger('silent') });
    try {
      const url = await tp.http.listen({ port: 0, host: '127.0.0.1' });
      const list = await get(`${url}/api/v1/customers?limit=50`, workspace.apiKey);
      expect(list.status).toBe(200);
      expect(list.body.data).toHaveLength(3);

      const ann = await get(`${url}/api/v1/customers?identity=email:ann@example.com`, workspace.apiKey);
      expect(ann.body.data).toHaveLength(1);
      expect(ann.body.data[0].traits).toMatchObject({ firstName: 'Ann', lastName: 'Lee', plan: 'enterprise', notes: 'upgraded' });
      const bob = await get(`${url}/api/v1/customers?identity=email:bob@example.com`, workspace.apiKey);
      expect(bob.body.data[0].traits.notes).toBe('first line\nsecond line');
      const carl = await get(`${url}/api/v1/customers?q=Carl`, workspace.apiKey);
      expect(carl.body.data).toEqual([]);

      const tracked = await fetch(`${url}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${newWriteKey}:`).toString('base64')}` },
        body: JSON.stringify({ userId: 'cli-user', event: 'Signed Up', messageId: 'cli-key-check' }),
      });
      expect(tracked.status).toBe(200);
      const refused = await fetch(`${url}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('tp_write_not-a-key:').toString('base64')}` },
        body: JSON.stringify({ userId: 'cli-user', event: 'Signed Up' }),
      });
      expect(refused.status).toBe(401);
    } finally {
      await tp.close();
    }
  });

  it('lists in its text summary the lines it rejected and the values it left out', async () => {
    const file = path.join(tempDir(), 'left-out.csv');
    fs.writeFileSync(file, 'email,phone,created_at\nolaf@example.com,12345,\njon@example.com,,2099-01-01\n');
    const { code, stdout, stderr } = await runCli(['import', 'customers', file, '--data', dataDir]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('rows read: 2, created: 1, merged into existing: 0, unchanged: 0, rejected: 1');
    expect(stdout).toContain('  line 2: invalid phone "12345"');
    expect(stdout).toContain('imported with a value left out: 1');
    expect(stdout).toContain('  line 3: created_at "2099-01-01" left out');
  });
});

describe('serve on an empty data directory', () => {
  it('loads the Demo workspace: customers in several stages, two business units, channels and an inbox', async () => {
    const dataDir = tempDir();
    // TOUCHPOINT_DEMO unset: the default is to load the Demo.
    const server = await spawnServer(['--data', dataDir], { TOUCHPOINT_DEMO: undefined }, 90_000);
    const { stdout } = server.output();
    const demo = /Demo workspace loaded with (\d+) touchpoints[^\n]*\n[^\n]*\n\s*API key:\s+(\S+)/.exec(stdout);
    expect(demo, stdout).not.toBeNull();
    const [, touchpoints, apiKey] = demo as RegExpExecArray;
    expect(Number(touchpoints)).toBeGreaterThan(1_000);

    const customers = await get(`${server.url}/api/v1/customers?limit=200`, apiKey);
    expect(customers.status).toBe(200);
    expect(customers.body.data.length).toBeGreaterThan(0);
    const populated: string[] = [];
    for (const stage of STAGES) {
      const page = await get(`${server.url}/api/v1/customers?stage=${stage}&limit=1`, apiKey);
      expect(page.status).toBe(200);
      if (page.body.data.length > 0) populated.push(stage);
    }
    expect(populated.length, populated.join(', ')).toBeGreaterThanOrEqual(3);
    // Buyers pay in their own currency, and revenue is summed per currency.
    const currencies = new Set(customers.body.data.flatMap((c: { revenue: Record<string, number> }) => Object.keys(c.revenue)));
    expect([...currencies].sort()).toEqual(expect.arrayContaining(['EUR', 'GBP', 'USD']));

    const units = await get(`${server.url}/api/v1/business-units`, apiKey);
    expect(units.body.data.map((u: { name: string }) => u.name).sort()).toEqual(['Northwind Home', 'Northwind Outdoor']);

    // A realistic inbox: one channel of each kind, teams, open and breaching moments.
    const channels = await get(`${server.url}/api/v1/channels`, apiKey);
    expect(channels.body.data.map((c: { kind: string }) => c.kind).sort()).toEqual(['api', 'chat', 'email', 'instagram', 'messenger', 'sms', 'voice', 'whatsapp']);
    const counts = await get(`${server.url}/api/v1/moments/counts`, apiKey);
    expect(counts.body.all).toBeGreaterThan(10);
    expect(counts.body.breached).toBeGreaterThan(0);
    const teams = await get(`${server.url}/api/v1/teams`, apiKey);
    expect(teams.body.data.map((t: { key: string }) => t.key)).toEqual(expect.arrayContaining(['marketing', 'sales', 'service', 'social']));
    // Whoever writes about an order has ordered, a few days before, and names their latest order.
    const aboutOrders = await get(`${server.url}/api/v1/moments?tag=delivery&status=open,pending,snoozed,resolved,closed&limit=10`, apiKey);
    expect(aboutOrders.body.data.length).toBeGreaterThan(0);
    for (const moment of aboutOrders.body.data as { id: string; customerId: string; createdAt: string }[]) {
      expect((await get(`${server.url}/api/v1/customers/${moment.customerId}`, apiKey)).body.counts.orders).toBeGreaterThan(0);
      const orders = (await get(`${server.url}/api/v1/customers/${moment.customerId}/timeline?name=Order%20Completed&limit=1`, apiKey)).body.data;
      const first = (await get(`${server.url}/api/v1/moments/${moment.id}/messages`, apiKey)).body.data[0];
      expect(first.body).toContain(orders[0].properties.order_id);
      const daysBefore = (Date.parse(moment.createdAt) - Date.parse(orders[0].timestamp)) / 86_400_000;
      expect(daysBefore).toBeGreaterThan(1);
      expect(daysBefore).toBeLessThan(21);
    }
    expect(await server.kill('SIGTERM')).toBe(0);
  }, 120_000);
});
