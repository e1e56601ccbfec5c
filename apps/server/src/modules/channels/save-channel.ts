import type { Deps } from '../../platform/deps.ts';
import type { Engine, Tx } from '../../platform/db/database.ts';
import { lockInstanceWide, lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';
import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import { checkBusinessUnit } from '../workspaces/index.ts';
import { CHANNEL_REQUIREMENTS, isChannelKind } from './channel-kinds.ts';
import { viewFromRow, type ChannelView } from './channel-record.ts';
import { openSecrets, sealSecrets } from './channel-secrets.ts';

export type ChannelInput = {
  readonly name?: string;
  readonly businessUnitId?: string | null;
  readonly address?: string | null;
  readonly settings?: JsonObject;
  /** Merged into the stored secrets; a null value removes one. */
  readonly secrets?: Readonly<Record<string, string | null>>;
  readonly costPerContact?: number;
  readonly currency?: string;
  readonly enabled?: boolean;
};

/** Creates a channel (admins), checking what its kind needs. */
export async function createChannel(deps: Deps, input: ChannelInput & { readonly workspaceId: string; readonly kind: string; readonly name: string; readonly actor: string }): Promise<ChannelView> {
  if (!isChannelKind(input.kind)) throw new AppError('invalid_field', `unknown channel kind ${input.kind}`, 'kind');
  const id = deps.ids.next();
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    if (input.businessUnitId) await checkBusinessUnit(tx, input.workspaceId, input.businessUnitId);
    const secrets = withoutNulls(input.secrets ?? {});
    const row = {
      workspace_id: input.workspaceId, id, kind: input.kind, name: input.name, business_unit_id: input.businessUnitId ?? null,
      address: normalizeAddress(input.address), settings: JSON.stringify(input.settings ?? {}), secrets: sealSecrets(deps.secretBox, { workspace_id: input.workspaceId, id }, secrets),
      cost_per_contact: input.costPerContact ?? 0, currency: input.currency ?? 'USD', enabled: input.enabled === false ? 0 : 1,
      health: 'unknown', health_error: null, health_at: null, created_at: now, updated_at: now,
    };
    checkRequirements(row, secrets);
    await checkAddressFree(tx, deps.engine, row);
    await tx.insertInto('channel').values(row).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'channel.created', target: id, details: { kind: input.kind, secrets: Object.keys(input.secrets ?? {}) } });
    return viewFromRow(row, deps.secretBox);
  });
}

/** Changes a channel; secrets given are replaced one by one, the others kept. */
export async function updateChannel(deps: Deps, input: ChannelInput & { readonly workspaceId: string; readonly channelId: string; readonly actor: string }): Promise<ChannelView> {
  return deps.db.transaction().execute(async (tx) => {
    // Read, merge, write the whole row: two admins changing different fields at once keep both.
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    const current = await tx.selectFrom('channel').selectAll().where('workspace_id', '=', input.workspaceId).where('id', '=', input.channelId).executeTakeFirst();
    if (!current) throw new AppError('resource_not_found', `no channel ${input.channelId}`, 'id');
    if (input.businessUnitId) await checkBusinessUnit(tx, input.workspaceId, input.businessUnitId);
    const secrets = withoutNulls({ ...openSecrets(deps.secretBox, current), ...(input.secrets ?? {}) });
    const next = {
      ...current,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.businessUnitId !== undefined ? { business_unit_id: input.businessUnitId } : {}),
      ...(input.address !== undefined ? { address: normalizeAddress(input.address) } : {}),
      ...(input.settings !== undefined ? { settings: JSON.stringify(input.settings) } : {}),
      ...(input.costPerContact !== undefined ? { cost_per_contact: input.costPerContact } : {}),
      ...(input.currency !== undefined ? { currency: input.currency } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
      secrets: sealSecrets(deps.secretBox, current, secrets),
      updated_at: deps.clock.now(),
    };
    checkRequirements(next, secrets);
    await checkAddressFree(tx, deps.engine, next);
    const { workspace_id: _w, id: _i, ...changes } = next;
    await tx.updateTable('channel').set(changes).where('workspace_id', '=', input.workspaceId).where('id', '=', input.channelId).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'channel.updated', target: input.channelId, details: { secrets: Object.keys(input.secrets ?? {}) } });
    return viewFromRow(next, deps.secretBox);
  });
}

function checkRequirements(row: { kind: string; address: string | null; settings: string }, secrets: Readonly<Record<string, string>>): void {
  const needs = CHANNEL_REQUIREMENTS[row.kind as keyof typeof CHANNEL_REQUIREMENTS];
  if (needs.address && !row.address) throw new AppError('missing_field', `a ${row.kind} channel needs its address`, 'address');
  const settings = parseJsonObject(row.settings);
  for (const key of needs.settings) if (settings[key] === undefined || settings[key] === '') throw new AppError('missing_field', `a ${row.kind} channel needs settings.${key}`, `settings.${key}`);
  for (const key of needs.secrets) if (typeof secrets[key] !== 'string' || secrets[key] === '') throw new AppError('missing_field', `a ${row.kind} channel needs secrets.${key}`, `secrets.${key}`);
}

/**
 * Inbound traffic is routed by address (an inbox's email address, a number): two enabled
 * channels of one kind on one address would each receive the other's customers' messages, and
 * across workspaces that would hand one tenant another's mail. The first to connect it keeps it.
 */
async function checkAddressFree(tx: Tx, engine: Engine, row: { workspace_id: string; id: string; kind: string; address: string | null; enabled: number }): Promise<void> {
  if (!row.address || row.enabled !== 1) return;
  // Check, then write: on PostgreSQL two claims at once (any workspaces) would both pass the check.
  await lockInstanceWide(tx, engine, 'channel addresses');
  const taken = await tx
    .selectFrom('channel')
    .select('id')
    .where('kind', '=', row.kind)
    .where('address', '=', row.address)
    .where('enabled', '=', 1)
    .where((eb) => eb.or([eb('workspace_id', '!=', row.workspace_id), eb('id', '!=', row.id)]))
    .executeTakeFirst();
  if (taken) throw new AppError('conflict', `another ${row.kind} channel already receives at ${row.address}`, 'address');
}

// Email addresses and handles compare case-insensitively; phone numbers are written without spaces.
const normalizeAddress = (address: string | null | undefined) => (address ? address.trim().toLowerCase().replace(/\s+/g, '') : null);

function withoutNulls(secrets: Readonly<Record<string, string | null>>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
