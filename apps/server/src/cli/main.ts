import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ownerEmailOf, portOf, readConfig, type Config } from '../platform/config.ts';
import type { App } from '../main.ts';
import { progressLine } from './progress-line.ts';
// Commands load the server's modules when they run, so `--help` answers at once.

const HELP: Readonly<Record<string, string>> = {
  main: `touchpoint — collect every touchpoint into one customer profile

Usage: touchpoint <command> [options]

Commands:
  serve                         run the server (HTTP on PORT, default 3000)
  init                          create the first workspace (and the Demo) without serving
  migrate                       bring the database schema up to date
  keys create --kind api|write  make a new API key or tracking write key
  import customers FILE.csv     import customers from a CSV file

Every command takes --data DIR (default ./data, env TOUCHPOINT_DATA) and --help.
Set DATABASE_URL=postgres://… to use PostgreSQL instead of SQLite.`,
  serve: `touchpoint serve [--data DIR] [--port N] [--no-demo]

Serves the tracking API (/v1/*), the REST API (/api/v1/*, docs at /api/docs), /healthz and
/metrics. On an empty database it first creates a workspace, prints its sign-in and keys,
and loads the Demo workspace (unless --no-demo or TOUCHPOINT_DEMO=0).`,
  init: `touchpoint init [--data DIR] [--json] [--name NAME] [--email OWNER] [--no-demo]

Creates the first workspace, its owner and one API key and one write key, then exits.
With --json prints { "workspaceId", "apiKey", "writeKey", "ownerEmail", "ownerPassword", …,
"demo": the same for the Demo workspace, or null }.
On a database that already has workspaces it adds another one (no Demo).`,
  migrate: `touchpoint migrate [--data DIR] [--json]

Applies pending migrations and prints their names.`,
  keys: `touchpoint keys create --kind api|write [--workspace ID] [--name NAME] [--data DIR] [--json]

Creates a key and prints it once (only its hash is stored). --workspace defaults to the
first workspace created.`,
  import: `touchpoint import customers FILE.csv [--workspace ID] [--data DIR] [--json]

Imports customers: one row each, with a header. Recognised columns: user_id, email, phone,
first_name, last_name, name, created_at and external_id:<namespace>; every other column
becomes a trait. Rows go through identity resolution: a row whose email, phone or id is
known updates that customer. Commas, semicolons, tabs or pipes: the header's delimiter is used.
Prints progress and a summary: rejected lines with the reason, and lines imported with a
value left out (a created_at that is not a date).`,
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  data: { type: 'string' },
  json: { type: 'boolean' },
  port: { type: 'string' },
  'no-demo': { type: 'boolean' },
  name: { type: 'string' },
  email: { type: 'string' },
  kind: { type: 'string' },
  workspace: { type: 'string' },
} as const;

class UsageError extends Error {}

function configFrom(command: string, values: { data?: string; port?: string; email?: string; 'no-demo'?: boolean }): Config {
  const env = { ...process.env };
  if (values.data) env.TOUCHPOINT_DATA = values.data;
  const config = readConfig(env, {
    ...(values.port !== undefined ? { port: portOf('--port', values.port) } : {}),
    ...(values.email !== undefined ? { ownerEmail: ownerEmailOf('--email', values.email) } : {}),
    ...(values['no-demo'] ? { demo: false } : {}),
  });
  requireFolder(config.dataDir, values.data ? '--data' : 'TOUCHPOINT_DATA');
  // A command other than serve prints what matters itself: routine logs stay out of its output.
  return command === 'serve' || env.LOG_LEVEL?.trim() ? config : { ...config, logLevel: 'warn' };
}

/** The data folder must be one (or not exist yet): a file there would fail deep in opening the database. */
function requireFolder(dir: string, setting: string): void {
  let isFolder: boolean;
  try {
    isFolder = fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    isFolder = false;
  }
  if (!isFolder) throw new UsageError(`${setting} must name a folder, and ${dir} is (or lies under) a file`);
}

async function withTouchpoint<T>(config: Config, run: (tp: App) => Promise<T>): Promise<T> {
  const { composeTouchpoint } = await import('../main.ts');
  const tp = await composeTouchpoint(config);
  try {
    return await run(tp);
  } finally {
    await tp.close();
  }
}

/** Commands that need a workspace refuse an empty data folder before they create a database in it. */
async function requireStore(config: Config): Promise<void> {
  const { sqliteFileIn } = await import('../platform/db/database.ts');
  if (!config.databaseUrl && !fs.existsSync(sqliteFileIn(config.dataDir))) throw new UsageError(`no database in ${config.dataDir}: run touchpoint init --data ${config.dataDir} first`);
}

async function workspaceOf(tp: App, given: string | undefined): Promise<string> {
  let query = tp.deps.db.selectFrom('workspace').select('id').orderBy('created_at').limit(1);
  if (given) query = query.where('id', '=', given);
  const row = await query.executeTakeFirst();
  if (!row) throw new UsageError(given ? `no workspace ${given}` : 'no workspace yet: run touchpoint init first');
  return row.id;
}

/** Up to 100 lines of a list, then how many more --json would show. */
function printLines(lines: readonly string[]): void {
  for (const line of lines.slice(0, 100)) console.log(line);
  if (lines.length > 100) console.log(`  … and ${lines.length - 100} more (use --json for all)`);
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  if (!command || (values.help && !HELP[command])) {
    console.log(HELP.main);
    return command ? 0 : values.help ? 0 : 1;
  }
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }
  const config = configFrom(command, values);
  const print = (data: unknown, text: () => void) => (values.json ? console.log(JSON.stringify(data, null, 2)) : text());

  switch (command) {
    case 'serve': {
      const { serve } = await import('./serve.ts');
      await serve(config);
      return 0;
    }
    case 'migrate': {
      const { openDatabase } = await import('../platform/db/database.ts');
      const { migrateToLatest } = await import('../platform/db/migrate.ts');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgSchema: config.pgSchema, sqliteSynchronous: config.sqliteSynchronous });
      try {
        const applied = await migrateToLatest(database.db);
        print({ applied, database: database.location }, () => console.log(applied.length ? `applied: ${applied.join(', ')}` : `up to date (${database.location})`));
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'init': {
      const { firstRun, printFirstRun } = await import('./first-run.ts');
      return withTouchpoint(config, async (tp) => {
        const progress = progressLine((n) => `  loading demo: ${n} touchpoints`);
        const result = await firstRun(tp, { name: values.name, ownerEmail: config.ownerEmail, demo: config.demo, onProgress: values.json ? undefined : progress.update });
        progress.end();
        if (result) {
          const w = result.workspace;
          // The Demo as the workspace: its sign-in too, as the text output gives it.
          print({ ...w, demo: result.demo }, () => printFirstRun(result, console.log));
          return 0;
        }
        const { createWorkspace } = await import('../modules/workspaces/index.ts');
        const w = await createWorkspace(tp.deps, { name: values.name ?? 'Another workspace', ownerEmail: config.ownerEmail });
        print({ ...w, demo: null }, () => printFirstRun({ workspace: w, demo: null }, console.log));
        return 0;
      });
    }
    case 'keys': {
      if (rest[0] !== 'create') throw new UsageError('usage: touchpoint keys create --kind api|write');
      if (values.kind !== 'api' && values.kind !== 'write') throw new UsageError('--kind must be api or write');
      const kind = values.kind;
      const { createKey } = await import('../modules/workspaces/index.ts');
      await requireStore(config);
      return withTouchpoint(config, async (tp) => {
        const workspaceId = await workspaceOf(tp, values.workspace);
        const key = await createKey(tp.deps, { workspaceId, kind, name: values.name, actor: 'cli' });
        print({ workspaceId, ...key }, () => console.log(`${kind} key for workspace ${workspaceId}:\n  ${key.key}\n(shown once: only its hash is stored)`));
        return 0;
      });
    }
    case 'import': {
      const [what, file] = rest;
      if (what !== 'customers' || !file) throw new UsageError('usage: touchpoint import customers FILE.csv');
      if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const { importCustomers, CsvRefused } = await import('../modules/collect/index.ts');
      await requireStore(config);
      return withTouchpoint(config, async (tp) => {
        const workspaceId = await workspaceOf(tp, values.workspace);
        const started = Date.now();
        const progress = progressLine((n) => `  ${n} rows read`);
        const summary = await importCustomers(
          { clock: tp.deps.clock, ingest: tp.ingest },
          { workspaceId, settings: await tp.settings.get(workspaceId), csv: fs.createReadStream(file), onProgress: progress.update },
        ).catch((error: unknown) => {
          progress.end();
          // The file as a whole cannot be imported: say why, as for any wrong use, without a stack.
          throw error instanceof CsvRefused ? new UsageError(`${file}: ${error.message}`) : error;
        });
        progress.end();
        print({ workspaceId, ...summary, seconds: (Date.now() - started) / 1000 }, () => {
          console.log(`rows read: ${summary.read}, created: ${summary.created}, merged into existing: ${summary.merged}, unchanged: ${summary.unchanged}, rejected: ${summary.rejected.length}`);
          printLines(summary.rejected.map((r) => `  line ${r.line}: ${r.reason}`));
          if (summary.warnings.length > 0) {
            console.log(`imported with a value left out: ${summary.warnings.length}`);
            printLines(summary.warnings.map((w) => `  line ${w.line}: ${w.message}`));
          }
        });
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown command "${command}"; see touchpoint --help`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  async (error: unknown) => {
    const { describeFailure } = await import('./failure.ts');
    const failure = describeFailure(error, (e) => e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true);
    if (!failure) {
      console.error(error);
      process.exitCode = 1;
      return;
    }
    // A script that asked for JSON reads the error as JSON too.
    console.error(process.argv.includes('--json') ? JSON.stringify({ error: { code: failure.code, message: failure.message } }) : `touchpoint: ${failure.message}`);
    process.exitCode = failure.exitCode;
  },
);
