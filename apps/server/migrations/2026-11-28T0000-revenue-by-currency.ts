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
 * setting, which no workspace had yet). Rounded to cents; a currency that sums to 0 is left
 * out. Profiles merged into another keep none: only roots are read, and an unmerge rebuilds
 * both sides from their events.
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
  // A JSON number, or a string that is one (JavaScript's Number() takes both); anything else is 0.
  const amountOf = (field: string) => sql.raw(`case
      when jsonb_typeof(p->'${field}') = 'number' then (p->>'${field}')::float8
      when jsonb_typeof(p->'${field}') = 'string' and trim(p->>'${field}') ~ '^-?[0-9]+(\\.[0-9]+)?$' then trim(p->>'${field}')::float8
    end`);
  await sql`update customer set revenue_by_currency = coalesce((
      select json_object_agg(currency, amount)::text from (
        select currency, round(sum(amount)::numeric, 2)::float8 as amount from (
          select
            case when jsonb_typeof(p->'currency') = 'string' and p->>'currency' ~ '^[A-Za-z]{3}$' then upper(p->>'currency') else 'USD' end as currency,
            case when name = any(orders) then coalesce(${amountOf('revenue')}, ${amountOf('total')}, 0)
              else -abs(coalesce(${amountOf('revenue')}, ${amountOf('total')}, 0)) end as amount
          from (
            select e.name, e.properties::jsonb as p,
              array(select jsonb_array_elements_text(coalesce(w.settings::jsonb #> '{lifecycle,orderEvents}', '["Order Completed"]'::jsonb))) as orders
            from event e join workspace w on w.id = e.workspace_id
            where e.workspace_id = customer.workspace_id and e.customer_id = customer.id and e.type = 'track'
          ) e
          where name = any(orders) or name = 'Order Refunded'
        ) amounts group by currency having round(sum(amount)::numeric, 2) <> 0
      ) sums), '{}')
    where ${profilesWithOrders}`.execute(db);
}
