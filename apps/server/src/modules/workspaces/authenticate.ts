import type { Deps } from '../../platform/deps.ts';
import { hashToken } from './secrets.ts';
import type { KeyKind } from './create-key.ts';

export type Role = 'owner' | 'admin' | 'agent' | 'analyst';

/** Who is calling, once their key or session checks out. */
export type Principal = {
  readonly workspaceId: string;
  /** `key:<id>` or the agent's id: what the audit log records. */
  readonly actor: string;
  readonly via: 'api_key' | 'write_key' | 'session';
  readonly role: Role;
  readonly agentId: string | null;
};

export type Authenticator = {
  /** Resolves a write key (tracking API). */
  readonly writeKey: (key: string) => Promise<Principal | null>;
  /** Resolves an API key or an agent's session token (REST API). */
  readonly bearer: (token: string) => Promise<Principal | null>;
  readonly forget: () => void;
};

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/**
 * Checks keys and session tokens by their hash. Answers are cached for 30 s because every
 * tracking request carries a key and the ingest path must not pay a query for it; a revoked
 * key therefore stops working within 30 s on every process.
 */
export function createAuthenticator(deps: Deps): Authenticator {
  const cache = new Map<string, { principal: Principal | null; until: number }>();

  async function lookup(token: string, load: (hash: string) => Promise<Principal | null>): Promise<Principal | null> {
    const hash = hashToken(token);
    const now = deps.clock.now();
    const hit = cache.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const principal = await load(hash);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(hash, { principal, until: now + TTL_MS });
    return principal;
  }

  async function loadKey(hash: string, kind: KeyKind): Promise<Principal | null> {
    const row = await deps.db
      .selectFrom('api_key')
      .select(['workspace_id', 'id', 'kind'])
      .where('hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || row.kind !== kind) return null;
    return {
      workspaceId: row.workspace_id,
      actor: `key:${row.id}`,
      via: kind === 'api' ? 'api_key' : 'write_key',
      role: 'admin',
      agentId: null,
    };
  }

  async function loadSession(hash: string): Promise<Principal | null> {
    const row = await deps.db
      .selectFrom('session')
      .innerJoin('agent', (j) => j.onRef('agent.workspace_id', '=', 'session.workspace_id').onRef('agent.id', '=', 'session.agent_id'))
      .select(['session.workspace_id', 'agent.id', 'agent.role', 'session.expires_at'])
      .where('session.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.expires_at <= deps.clock.now()) return null;
    return { workspaceId: row.workspace_id, actor: row.id, via: 'session', role: row.role, agentId: row.id };
  }

  return {
    writeKey: (key) => (key.startsWith('tp_write_') ? lookup(key, (h) => loadKey(h, 'write')) : Promise.resolve(null)),
    bearer: (token) => {
      if (token.startsWith('tp_api_')) return lookup(token, (h) => loadKey(h, 'api'));
      if (token.startsWith('tp_sess_')) return lookup(token, loadSession);
      return Promise.resolve(null);
    },
    forget: () => cache.clear(),
  };
}
