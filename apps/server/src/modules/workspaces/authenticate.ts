import type { Deps } from '../../platform/deps.ts';
import { EVERYTHING, type ForgetEverywhere } from '../../platform/forget-everywhere.ts';
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
  /** Drops every cached answer, in every process (a key revoked, a session ended, a role changed). */
  readonly forget: () => Promise<void>;
  /** Calls `listener` each time answers are dropped, here or in another process: whoever holds a principal checks it again. */
  readonly onForget: (listener: () => void) => void;
};

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

const AUTH_TOPIC = 'auth';

/**
 * Checks keys and session tokens by their hash. Answers are cached for 30 s because every
 * tracking request carries a key and the ingest path must not pay a query for it; revoking a
 * key, ending a session or changing a role makes every process forget them at once.
 */
export function createAuthenticator(deps: Deps, bus: ForgetEverywhere): Authenticator {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  const forgotten: (() => void)[] = [];
  bus.subscribe((topic) => {
    if (topic !== AUTH_TOPIC && topic !== EVERYTHING) return;
    cache.clear();
    for (const listener of forgotten) listener();
  });

  async function lookup(token: string, load: (hash: string) => Promise<{ principal: Principal; expiresAt?: number } | null>): Promise<Principal | null> {
    const hash = hashToken(token);
    const now = deps.clock.now();
    const hit = cache.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const found = await load(hash);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    // A session is never answered from the cache past its own expiry.
    cache.set(hash, { principal: found?.principal ?? null, until: Math.min(now + TTL_MS, found?.expiresAt ?? Infinity) });
    return found?.principal ?? null;
  }

  async function loadKey(hash: string, kind: KeyKind): Promise<{ principal: Principal } | null> {
    const row = await deps.db
      .selectFrom('api_key')
      .select(['workspace_id', 'id', 'kind'])
      .where('hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || row.kind !== kind) return null;
    return {
      principal: {
        workspaceId: row.workspace_id,
        actor: `key:${row.id}`,
        via: kind === 'api' ? 'api_key' : 'write_key',
        role: 'admin',
        agentId: null,
      },
    };
  }

  async function loadSession(hash: string): Promise<{ principal: Principal; expiresAt: number } | null> {
    const row = await deps.db
      .selectFrom('session')
      .innerJoin('agent', (j) => j.onRef('agent.workspace_id', '=', 'session.workspace_id').onRef('agent.id', '=', 'session.agent_id'))
      .select(['session.workspace_id', 'agent.id', 'agent.role', 'session.expires_at'])
      .where('session.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.expires_at <= deps.clock.now()) return null;
    return { principal: { workspaceId: row.workspace_id, actor: row.id, via: 'session', role: row.role, agentId: row.id }, expiresAt: row.expires_at };
  }

  return {
    writeKey: (key) => (key.startsWith('tp_write_') ? lookup(key, (h) => loadKey(h, 'write')) : Promise.resolve(null)),
    bearer: (token) => {
      if (token.startsWith('tp_api_')) return lookup(token, (h) => loadKey(h, 'api'));
      if (token.startsWith('tp_sess_')) return lookup(token, loadSession);
      return Promise.resolve(null);
    },
    forget: () => bus.forget(AUTH_TOPIC),
    onForget: (listener) => void forgotten.push(listener),
  };
}
