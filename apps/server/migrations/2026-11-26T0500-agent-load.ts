import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Each agent's load per channel (active moments they own there, not counting the ones they only
 * hold in a team's waiting line), kept by triggers on `moment`. Routing read it by counting the
 * agents' moments for every moment it placed: the count grew with the inbox (0.4 ms for a team
 * of ten carrying 3,800 open moments, a tenth of webhook ingress) and now is one row per agent.
 * Triggers rather than code: every writer of moment rows, present and future, keeps it true, in
 * the same transaction as the moment row itself.
 *
 * "Counted" must stay the same rule as ACTIVE_STATUSES in agent-load.ts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_load')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_load_pk', ['workspace_id', 'agent_id', 'channel'])
    .execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) await postgresTriggers(db);
  else await sqliteTriggers(db);
  await sql`
    insert into agent_load (workspace_id, agent_id, channel, n)
    select workspace_id, owner_id, channel, count(*) from moment
    where owner_id is not null and status in ('open', 'pending', 'snoozed') and queued_at is null
    group by workspace_id, owner_id, channel`.execute(db);
}

const counted = (row: 'old' | 'new') => `${row}.owner_id is not null and ${row}.status in ('open', 'pending', 'snoozed') and ${row}.queued_at is null`;
/** Both rows count, for the same person on the same channel: the load does not move. */
const unchanged = `old.owner_id = new.owner_id and old.channel = new.channel`;
const add = (row: 'old' | 'new', delta: 1 | -1) =>
  `insert into agent_load (workspace_id, agent_id, channel, n) values (${row}.workspace_id, ${row}.owner_id, ${row}.channel, ${delta})
   on conflict (workspace_id, agent_id, channel) do update set n = agent_load.n + ${delta}`;
const WATCHED = 'owner_id, status, queued_at, channel';

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `create trigger moment_load_insert after insert on moment when ${counted('new')} begin ${add('new', 1)}; end`,
    `create trigger moment_load_delete after delete on moment when ${counted('old')} begin ${add('old', -1)}; end`,
    `create trigger moment_load_leave after update of ${WATCHED} on moment
     when ${counted('old')} and not (${counted('new')} and ${unchanged}) begin ${add('old', -1)}; end`,
    `create trigger moment_load_enter after update of ${WATCHED} on moment
     when ${counted('new')} and not (${counted('old')} and ${unchanged}) begin ${add('new', 1)}; end`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `create function moment_agent_load() returns trigger language plpgsql as $$
       declare
         was boolean := false;
         is_now boolean := false;
       begin
         if tg_op <> 'INSERT' then was := ${counted('old')}; end if;
         if tg_op <> 'DELETE' then is_now := ${counted('new')}; end if;
         if was and is_now and ${unchanged} then return null; end if;
         if was then ${add('old', -1)}; end if;
         if is_now then ${add('new', 1)}; end if;
         return null;
       end $$`,
    )
    .execute(db);
  await sql.raw(`create trigger moment_agent_load after insert or delete or update of ${WATCHED} on moment for each row execute function moment_agent_load()`).execute(db);
}
