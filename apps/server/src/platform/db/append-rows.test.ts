import { describe, expect, it } from 'vitest';
import { ENGINES, useTestDatabase } from '../../../test/harness.ts';
import { appendRows } from './append-rows.ts';

const COLUMNS = ['workspace_id', 'id', 'actor', 'action', 'target', 'details', 'created_at'] as const;
const row = (id: string, details = '{}') => ({ workspace_id: 'w', id, actor: 'test', action: 'append', target: 't', details, created_at: 1 });

describe.each(ENGINES)('appendRows on %s', (engine) => {
  const database = useTestDatabase(engine);

  const stored = () => database().db.selectFrom('audit').select(['id', 'details']).where('workspace_id', '=', 'w').orderBy('id').execute();

  it('stores every row with its values as given, texts that need escaping included', async () => {
    const rows = Array.from({ length: 450 }, (_, i) => row(`r${String(i).padStart(3, '0')}`, i === 7 ? '{"a":"tab\\there, new\\nline, \\\\ and ?"}' : `{"n":${i}}`));
    await database().db.transaction().execute((tx) => appendRows(tx, database().engine, 'audit', COLUMNS, rows));
    const back = await stored();
    expect(back).toHaveLength(450);
    expect(back[7]).toEqual({ id: 'r007', details: '{"a":"tab\\there, new\\nline, \\\\ and ?"}' });
    expect(back[449]).toEqual({ id: 'r449', details: '{"n":449}' });
  });

  it('throws on a key already stored, and the transaction keeps none of its rows', async () => {
    const before = (await stored()).length;
    await expect(database().db.transaction().execute((tx) => appendRows(tx, database().engine, 'audit', COLUMNS, [row('new-1'), row('r001'), row('new-2')]))).rejects.toThrow();
    expect((await stored()).length).toBe(before);
  });
});
