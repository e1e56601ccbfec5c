import type { CountryCode } from 'libphonenumber-js';
import type { Tx } from '../../platform/db/database.ts';
import type { Deps } from '../../platform/deps.ts';
import { writeAudit } from '../../platform/audit.ts';
import { createKeyInTx } from './create-key.ts';
import { hashPassword, newPassword } from './secrets.ts';
import { DEFAULT_SETTINGS } from './workspace-settings.ts';

export type CreateWorkspaceInput = {
  readonly name: string;
  readonly ownerEmail: string;
  readonly ownerName?: string;
  /** Generated and returned once when absent. */
  readonly ownerPassword?: string;
  readonly businessUnits?: readonly { readonly key: string; readonly name: string }[];
  readonly defaultCountry?: CountryCode | null;
};

export type CreatedWorkspace = {
  readonly workspaceId: string;
  readonly name: string;
  readonly ownerId: string;
  readonly ownerEmail: string;
  /** Shown once: only its scrypt hash is stored. */
  readonly ownerPassword: string;
  /** Shown once: only their SHA-256 hashes are stored. */
  readonly apiKey: string;
  readonly writeKey: string;
  readonly businessUnits: readonly { readonly id: string; readonly key: string; readonly name: string }[];
};

/**
 * Creates a tenant with its owner, business units, one API key and one write key, all in one
 * transaction: a half-made workspace (an owner with no key) can never be left behind.
 */
export async function createWorkspace(deps: Deps, input: CreateWorkspaceInput): Promise<CreatedWorkspace> {
  return (await createWorkspaceUnless(deps, input, null)) as CreatedWorkspace;
}

/**
 * createWorkspace, unless `refuse`, asked inside its transaction before anything is written,
 * says not to: then null, and nothing written (createFirstWorkspace's guard).
 */
export async function createWorkspaceUnless(deps: Deps, input: CreateWorkspaceInput, refuse: ((tx: Tx) => Promise<boolean>) | null): Promise<CreatedWorkspace | null> {
  const now = deps.clock.now();
  const workspaceId = deps.ids.next();
  const ownerId = deps.ids.next();
  const ownerPassword = input.ownerPassword ?? newPassword();
  const passwordHash = await hashPassword(ownerPassword);
  const units = (input.businessUnits ?? [{ key: 'main', name: input.name }]).map((u) => ({ ...u, id: deps.ids.next() }));
  const settings = { defaultCountry: input.defaultCountry ?? DEFAULT_SETTINGS.defaultCountry };

  return deps.db.transaction().execute(async (tx) => {
    if (refuse && (await refuse(tx))) return null;
    await tx
      .insertInto('workspace')
      .values({ id: workspaceId, name: input.name, settings: JSON.stringify(settings), created_at: now })
      .execute();
    await tx
      .insertInto('business_unit')
      .values(units.map((u) => ({ workspace_id: workspaceId, id: u.id, key: u.key, name: u.name, created_at: now })))
      .execute();
    await tx
      .insertInto('agent')
      .values({
        workspace_id: workspaceId,
        id: ownerId,
        email: input.ownerEmail.trim().toLowerCase(),
        name: input.ownerName ?? 'Owner',
        role: 'owner',
        password_hash: passwordHash,
        created_at: now,
      })
      .execute();
    const api = await createKeyInTx(tx, deps, { workspaceId, kind: 'api', name: 'Default API key' });
    const write = await createKeyInTx(tx, deps, { workspaceId, kind: 'write', name: 'Default write key' });
    await writeAudit(tx, deps, { workspaceId, actor: 'system', action: 'workspace.created', target: workspaceId });
    return {
      workspaceId,
      name: input.name,
      ownerId,
      ownerEmail: input.ownerEmail.trim().toLowerCase(),
      ownerPassword,
      apiKey: api.key,
      writeKey: write.key,
      businessUnits: units,
    };
  });
}
