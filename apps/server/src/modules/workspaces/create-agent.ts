import type { Deps } from '../../platform/deps.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';
import { hashPassword } from './secrets.ts';
import type { Role } from './authenticate.ts';

/** Adds a person who can sign in. The password is stored as an scrypt hash only. */
export async function createAgent(
  deps: Deps,
  input: {
    readonly workspaceId: string;
    readonly email: string;
    readonly name: string;
    readonly role: Role;
    readonly password: string;
    /** Skills routing may require (compared exactly). */
    readonly skills?: readonly string[];
    /** Open moments they may own per channel, `*` for any other (else the workspace default). */
    readonly capacity?: Readonly<Record<string, number>>;
    readonly actor: string;
  },
): Promise<{ readonly id: string }> {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction().execute(async (tx) => {
    // Check, then insert: on PostgreSQL two requests at once would both pass the check.
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    const clash = await tx.selectFrom('agent').select('id').where('workspace_id', '=', input.workspaceId).where('email', '=', email).executeTakeFirst();
    if (clash) throw new AppError('conflict', `an agent with email ${email} exists`, 'email');
    const id = deps.ids.next();
    await tx
      .insertInto('agent')
      .values({
        workspace_id: input.workspaceId,
        id,
        email,
        name: input.name,
        role: input.role,
        password_hash: passwordHash,
        skills: JSON.stringify([...new Set(input.skills ?? [])]),
        capacity: JSON.stringify(input.capacity ?? {}),
        created_at: deps.clock.now(),
      })
      .execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'agent.created', target: id, details: { role: input.role } });
    return { id };
  });
}
