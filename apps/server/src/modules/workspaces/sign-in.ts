import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { hashToken, newToken, verifyPassword } from './secrets.ts';

const SESSION_MS = 12 * 60 * 60 * 1000;
// Spend the same scrypt time whether or not the email exists, so timing tells nothing.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Signs an agent in with email and password and returns a session token (shown once). */
export async function signIn(
  deps: Deps,
  input: { readonly email: string; readonly password: string; readonly workspaceId?: string },
): Promise<{ readonly token: string; readonly workspaceId: string; readonly agentId: string; readonly expiresAt: number }> {
  let query = deps.db
    .selectFrom('agent')
    .select(['workspace_id', 'id', 'password_hash'])
    .where('email', '=', input.email.trim().toLowerCase());
  if (input.workspaceId) query = query.where('workspace_id', '=', input.workspaceId);
  const agent = await query.orderBy('created_at').executeTakeFirst();
  const ok = await verifyPassword(input.password, agent?.password_hash ?? DUMMY_HASH);
  if (!agent || !ok) throw new AppError('unauthorized', 'email or password is wrong');
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
  return { token, workspaceId: agent.workspace_id, agentId: agent.id, expiresAt: now + SESSION_MS };
}
