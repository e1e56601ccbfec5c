import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/harness.ts';
import { commitInGroup } from './group-commit.ts';

describe('commitInGroup on SQLite', () => {
  const database = useTestDatabase('sqlite');

  const insert = (id: string) => (tx: Parameters<Parameters<typeof commitInGroup>[1]>[0]) =>
    tx.insertInto('audit').values({ workspace_id: 'w', id, actor: 'test', action: 'a', target: 't', details: '{}', created_at: 0 }).execute();

  it('commits units that arrive together, rolling back only the one that fails', async () => {
    const counted = (id: string) => async (tx: Parameters<Parameters<typeof commitInGroup>[1]>[0]) => {
      await insert(id)(tx);
      return id;
    };
    const results = await Promise.allSettled([
      commitInGroup(database().db, counted('a')),
      commitInGroup(database().db, async (tx) => {
        await insert('b')(tx);
        throw new Error('unit b fails after writing');
      }),
      commitInGroup(database().db, counted('c')),
      commitInGroup(database().db, counted('d')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('unit b fails after writing');
    const ids = (await database().db.selectFrom('audit').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual(['a', 'c', 'd']);
  });

  it('rolls back a unit that fails alone', async () => {
    await expect(
      commitInGroup(database().db, async (tx) => {
        await insert('alone')(tx);
        throw new Error('unit fails alone');
      }),
    ).rejects.toThrow('unit fails alone');
    expect(await database().db.selectFrom('audit').select('id').where('id', '=', 'alone').execute()).toEqual([]);
  });

  it('a later unit sees what an earlier unit of the same batch wrote', async () => {
    const [, seen] = await Promise.all([commitInGroup(database().db, insert('e')), commitInGroup(database().db, async (tx) => (await tx.selectFrom('audit').select('id').where('id', '=', 'e').executeTakeFirst())?.id)]);
    expect(seen).toBe('e');
  });
});
