import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/harness.ts';
import { createLogger } from '../../platform/logger.ts';
import { createSecretBox } from '../../platform/secret-box.ts';
import { openSecrets, sealSecrets, sealStoredSecrets } from './channel-secrets.ts';

describe('channel secrets at rest', () => {
  const database = useTestDatabase('sqlite');
  const box = createSecretBox(randomBytes(32));
  const channel = (id: string, secrets: string) => ({
    workspace_id: 'w1', id, kind: 'sms', name: id, business_unit_id: null, address: `+4477009000${id.length}${id.at(-1)}`, settings: '{}', secrets,
    cost_per_contact: 0, currency: 'USD', enabled: 1, health: 'unknown', health_error: null, health_at: null, created_at: 0, updated_at: 0,
  });

  it('seals channels an earlier version stored in plain JSON, once, keeping their values', async () => {
    await database().db.insertInto('channel').values([channel('c1', '{"authToken":"twilio-token-1"}'), channel('c2', sealSecrets(box, { workspace_id: 'w1', id: 'c2' }, { authToken: 'twilio-token-2' }))]).execute();
    expect(await sealStoredSecrets(database().db, box, createLogger('silent'))).toBe(1);
    const rows = await database().db.selectFrom('channel').select(['workspace_id', 'id', 'secrets']).orderBy('id').execute();
    for (const row of rows) expect(row.secrets).toMatch(/^v1:/);
    expect(rows.map((row) => openSecrets(box, row))).toEqual([{ authToken: 'twilio-token-1' }, { authToken: 'twilio-token-2' }]);
    expect(await sealStoredSecrets(database().db, box, createLogger('silent'))).toBe(0);
  });

  it('reads secrets sealed under another key, or copied from another channel, as none', () => {
    const sealed = sealSecrets(box, { workspace_id: 'w1', id: 'c1' }, { authToken: 't' });
    expect(openSecrets(createSecretBox(randomBytes(32)), { workspace_id: 'w1', id: 'c1', secrets: sealed })).toEqual({});
    expect(openSecrets(box, { workspace_id: 'w1', id: 'c9', secrets: sealed })).toEqual({});
    expect(openSecrets(box, { workspace_id: 'w1', id: 'c1', secrets: sealed })).toEqual({ authToken: 't' });
  });
});
