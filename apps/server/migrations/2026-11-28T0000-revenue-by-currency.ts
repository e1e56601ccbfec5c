import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * A profile's revenue becomes a sum per currency, JSON text such as `{"EUR":120.5,"GBP":30}`:
 * one number had added euros, pounds and yen together. The column keeps its name and changes
 * its type (a new column, filled, then renamed over the old one: SQLite cannot change a type).
 *
 * Each root profile that had orders or refunds is summed again from its events, as ingest
 * now sums them (profiles/lifecycle.ts, touchpointFacts): the workspace's order events add
 * their `revenue` (else `total`), `Order Refunded` takes it off, in the event's `currency`
 * when it names one in three letters, else in USD (the default of the new `defaultCurrency`
 * setting, which no workspace had yet). Rounded to cents (ingest rounds to each currency's
 * minor unit from now on); a currency that sums to 0 is left out. Profiles merged into another
 * keep none: only roots are read, and an unmerge rebuilds both sides from their events.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customer').addColumn('revenue_by_currency', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await (postgres ? sumOnPostgres : sumOnSqlite)(db);
  await db.schema.alterTable('customer').dropColumn('revenue').execute();
  await db.schema.alterTable('customer').renameColumn('revenue_by_currency', 'revenue').execute();
}

const profilesWithOrders = sql`customer.merged_into is null and (customer.revenue <> 0 or customer.order_count > 0)`;

async function sumOnSqlite(db: Kysely<unknown>): Promise<void> {
  const currency = sql`upper(json_extract(e.properties, '$.currency'))`;
  const amount = sql`cast(coalesce(json_extract(e.properties, '$.revenue'), json_extract(e.properties, '$.total'), 0) as real)`;
  const orderEvents = sql`(select value from json_each(coalesce(
    (select json_extract(settings, '$.lifecycle.orderEvents') from workspace where id = customer.workspace_id), '["Order Completed"]')))`;
  await sql`update customer set revenue_by_currency = coalesce((
      select json_group_object(currency, amount) from (
        select currency, round(sum(amount), 2) as amount from (
          select
            case when typeof(json_extract(e.properties, '$.currency')) = 'text' and ${currency} glob '[A-Z][A-Z][A-Z]' then ${currency} else 'USD' end as currency,
            case when e.name in ${orderEvents} then ${amount} else -abs(${amount}) end as amount
          from event e
          where e.workspace_id = customer.workspace_id and e.customer_id = customer.id and e.type = 'track'
            and (e.name in ${orderEvents} or e.name = 'Order Refunded')
        ) group by currency having round(sum(amount), 2) <> 0
      )), '{}')
    where ${profilesWithOrders}`.execute(db);
}

async function sumOnPostgres(db: Kysely<unknown>): Promise<void> {
  // PostgreSQL's JSON functions refuse a \u0000 or half a surrogate pair. Ingest refuses them
  // too (storable-text.ts), but an event stored before it did would fail the migration, and
  // with it every start of the server: each such escape is made \ufffd first (only amounts and
  // the currency are read, and none is one), and each value is read as its JSON text (`::text`
  // of a member, quotes included).
  const properties = sql`regexp_replace(e.properties, '\\\\u(0000|d[89a-f][0-9a-f]{2})', '\\\\ufffd', 'gi')::json`;
  const member = (field: string) => sql.raw(`(p->'${field}')::text`);
  // A JSON number, or a string that is one (JavaScript's Number() takes both); anything else is 0.
  const amountOf = (field: string) => sql`case
      when ${member(field)} ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$' then ${member(field)}::float8
      when ${member(field)} ~ '^"\\s*-?[0-9]+(\\.[0-9]+)?\\s*"$' then trim(both '" ' from ${member(field)})::float8
    end`;
  // `revenue ?? total`, as ingest reads them: a revenue that is there but no number counts 0.
  const amount = sql`case when coalesce(${member('revenue')}, 'null') <> 'null' then coalesce(${amountOf('revenue')}, 0) else coalesce(${amountOf('total')}, 0) end`;
  const currency = member('currency');
  await sql`update customer set revenue_by_currency = coalesce((
      select json_object_agg(currency, amount)::text from (
        select currency, round(sum(amount)::numeric, 2)::float8 as amount from (
          select
            case when ${currency} ~ '^"[A-Za-z]{3}"$' then upper(substr(${currency}, 2, 3)) else 'USD' end as currency,
            case when name = any(orders) then ${amount} else -abs(${amount}) end as amount
          from (
            select e.name, ${properties} as p,
              array(select json_array_elements_text(coalesce(w.settings::json #> '{lifecycle,orderEvents}', '["Order Completed"]'::json))) as orders
            from event e join workspace w on w.id = e.workspace_id
            where e.workspace_id = customer.workspace_id and e.customer_id = customer.id and e.type = 'track'
          ) e
          where name = any(orders) or name = 'Order Refunded'
        ) amounts group by currency having round(sum(amount)::numeric, 2) <> 0
      ) sums), '{}')
    where ${profilesWithOrders}`.execute(db);
}
