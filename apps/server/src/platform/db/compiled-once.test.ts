import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES, useTestDatabase } from '../../../test/harness.ts';
import { compiledOnce } from './compiled-once.ts';

type Note = { workspace_id: string; id: string; actor: string; action: string; target: string; details: string; created_at: number };

const insertNote = compiledOnce((db, row: Note) => db.insertInto('audit').values(row));
const latestOf = compiledOnce((db, p: { workspaceId: string; actor: string }) =>
  db.selectFrom('audit').select(['id', 'details']).where('workspace_id', '=', p.workspaceId).where('actor', '=', p.actor).orderBy('created_at', 'desc').limit(2),
);

describe.each(ENGINES)('compiledOnce on %s', (engine) => {
  const database = useTestDatabase(engine);
  const note = (id: string, actor: string, at: number): Note => ({ workspace_id: 'w', id, actor, action: 'a', target: 't', details: JSON.stringify({ id }), created_at: at });

  it("runs each call with that call's values, inside and outside a transaction, keeping the query's constants", async () => {
    await insertNote(database().db, note('n1', 'ann', 1));
    await database().db.transaction().execute(async (tx) => {
      await insertNote(tx, note('n2', 'ann', 2));
      await insertNote(tx, note('n3', 'ann', 3));
      await insertNote(tx, note('b1', 'bob', 4));
    });
    // LIMIT 2 stays a constant of the query; actor and workspace come from each call.
    expect(await latestOf(database().db, { workspaceId: 'w', actor: 'ann' })).toEqual([
      { id: 'n3', details: '{"id":"n3"}' },
      { id: 'n2', details: '{"id":"n2"}' },
    ]);
    expect(await latestOf(database().db, { workspaceId: 'w', actor: 'bob' })).toEqual([{ id: 'b1', details: '{"id":"b1"}' }]);
    expect(await latestOf(database().db, { workspaceId: 'other', actor: 'ann' })).toEqual([]);
  });

  it('does not keep a value the first call left out as a constant', async () => {
    const byActor = compiledOnce((db, p: { actor?: string }) => db.selectFrom('audit').select('id').where('actor', '=', p.actor!));
    await expect(byActor(database().db, {})).rejects.toThrow('no value for actor');
    await expect(byActor(database().db, { actor: 'bob' })).rejects.toThrow('compiled for 0 keys');
  });

  it('refuses a row with a column the first one did not have, rather than leave it out', async () => {
    const insert = compiledOnce((db, row: Note) => db.insertInto('audit').values(row));
    await insert(database().db, note('c1', 'cy', 5));
    await expect(insert(database().db, { ...note('c2', 'cy', 6), extra: 'x' } as Note)).rejects.toThrow('compiled for 7 keys');
  });

  it('refuses a call without one of the values and a query that writes a value into its SQL', async () => {
    await expect(latestOf(database().db, { workspaceId: 'w' } as never)).rejects.toThrow('compiled for 2 keys');
    const inlined = compiledOnce((db, p: { id: string }) => db.selectFrom('audit').select('id').where('id', '=', sql.lit(p.id)));
    await expect(inlined(database().db, { id: 'n1' })).rejects.toThrow('written into the SQL');
  });
});
