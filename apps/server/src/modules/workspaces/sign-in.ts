import type { Db } from '../../platform/db/database.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { hashToken, newToken, verifyPassword } from './secrets.ts';

const SESSION_MS = 12 * 60 * 60 * 1000;
// Spend the same scrypt time whether or not the email exists, so timing tells nothing.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
/** One email may be an agent in several workspaces; a sign-in checks the password against at most this many (oldest first). */
export const MAX_WORKSPACES_PER_EMAIL = 20;

export type SignedIn = {
  readonly token: string;
  readonly workspaceId: string;
  readonly agentId: string;
  readonly expiresAt: number;
  /** The workspaces where this email's agent row accepts this password: where the person may switch to with it. */
  readonly workspaces: readonly { readonly id: string; readonly name: string }[];
};

/**
 * Signs an agent in with email and password and returns a session token (shown once).
 *
 * The same email can be an agent in several workspaces, each row with its own password hash,
 * and any workspace's admin can create a row with any email in their workspace. So the email
 * alone never opens a workspace: the password is checked against every row of the email (at
 * most 20, oldest first) and only the rows it verifies count. The session opens in the asked
 * `workspaceId` if its row verified (else 401), or in the first verified one; `workspaces`
 * names the verified ones, so nobody learns of a workspace they cannot enter.
 */
export async function signIn(deps: Deps, input: { readonly email: string; readonly password: string; readonly workspaceId?: string }): Promise<SignedIn> {
  const email = input.email.trim().toLowerCase();
  const rowsOf = (workspaceId?: string) => {
    let query = deps.db
      .selectFrom('agent')
      .innerJoin('workspace', 'workspace.id', 'agent.workspace_id')
      .select(['agent.workspace_id', 'agent.id', 'agent.password_hash', 'workspace.name as workspace_name'])
      .where('agent.email', '=', email);
    if (workspaceId !== undefined) query = query.where('agent.workspace_id', '=', workspaceId);
    return query.orderBy('agent.created_at').orderBy('agent.workspace_id').limit(MAX_WORKSPACES_PER_EMAIL).execute();
  };
  const rows = await rowsOf();
  // The asked workspace is always checked, even for an email with more rows than the limit.
  if (input.workspaceId && rows.length === MAX_WORKSPACES_PER_EMAIL && !rows.some((r) => r.workspace_id === input.workspaceId)) {
    rows.push(...(await rowsOf(input.workspaceId)));
  }
  // An unknown email (or a row with no password) costs one scrypt all the same.
  const checks = rows.length === 0 ? [{ hash: DUMMY_HASH, real: false }] : rows.map((r) => ({ hash: r.password_hash ?? DUMMY_HASH, real: r.password_hash !== null }));
  const results = await Promise.all(checks.map(async (c) => (await verifyPassword(input.password, c.hash)) && c.real));
  const verified = rows.filter((_, i) => results[i]);
  const agent = input.workspaceId ? verified.find((r) => r.workspace_id === input.workspaceId) : verified[0];
  if (!agent) throw new AppError('unauthorized', 'email or password is wrong');

  const token = newToken('tp_sess');
  const now = deps.clock.now();
  await deps.db
    .insertInto('session')
    .values({
      workspace_id: agent.workspace_id,
      id: deps.ids.next(),
      agent_id: agent.id,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: now + SESSION_MS,
    })
    .execute();
  return {
    token,
    workspaceId: agent.workspace_id,
    agentId: agent.id,
    expiresAt: now + SESSION_MS,
    workspaces: verified.map((r) => ({ id: r.workspace_id, name: r.workspace_name })),
  };
}

/** Ends the session of a token (sign-out; a browser's session replaced by a new sign-in), only within `workspaceId` when given. */
export async function endSession(db: Db, token: string, workspaceId?: string): Promise<void> {
  let query = db.deleteFrom('session').where('token_hash', '=', hashToken(token));
  if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
  await query.execute();
}
