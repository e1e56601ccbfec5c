import { sql } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import type { Engine, Tx } from '../../platform/db/database.ts';
import { lockInstanceWide, lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { AppError } from '../../platform/errors.ts';
import { checkCalledHosts, checkSettingValues } from './check-setting-values.ts';
import { NO_PRIVATE_HOSTS } from '../../platform/private-hosts.ts';
import { writeAudit } from '../../platform/audit.ts';
import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import { normalizeIdentity } from '../profiles/index.ts';
import { checkBusinessUnit } from '../workspaces/index.ts';
import { CHANNEL_REQUIREMENTS, isChannelKind, MADE_SECRETS, type ChannelKind } from './channel-kinds.ts';
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
  const made = Object.entries(MADE_SECRETS[input.kind] ?? {}).map(([name, make]) => [name, make()] as const);
  const id = deps.ids.next();
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    if (input.businessUnitId) await checkBusinessUnit(tx, input.workspaceId, input.businessUnitId);
    const secrets = withoutNulls({ ...Object.fromEntries(made), ...(input.secrets ?? {}) });
    const row = {
      workspace_id: input.workspaceId, id, kind: input.kind, name: input.name, business_unit_id: input.businessUnitId ?? null,
      address: normalizeAddress(input.kind, input.address), settings: JSON.stringify(input.settings ?? {}), secrets: sealSecrets(deps.secretBox, { workspace_id: input.workspaceId, id }, secrets),
      cost_per_contact: input.costPerContact ?? 0, currency: input.currency ?? 'USD', enabled: input.enabled === false ? 0 : 1,
      health: 'unknown', health_error: null, health_at: null, created_at: now, updated_at: now,
    };
    await checkChannel(tx, row, secrets, Object.keys(input.secrets ?? {}));
    checkCalledHosts(input.kind as ChannelKind, input.settings ?? {}, deps.privateHosts ?? NO_PRIVATE_HOSTS);
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
      ...(input.address !== undefined ? { address: normalizeAddress(current.kind, input.address) } : {}),
      ...(input.settings !== undefined ? { settings: JSON.stringify(input.settings) } : {}),
      ...(input.costPerContact !== undefined ? { cost_per_contact: input.costPerContact } : {}),
      ...(input.currency !== undefined ? { currency: input.currency } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
      secrets: sealSecrets(deps.secretBox, current, secrets),
      updated_at: deps.clock.now(),
    };
    await checkChannel(tx, next, secrets, Object.entries(input.secrets ?? {}).flatMap(([name, value]) => (value === null ? [] : [name])));
    // Only what this change sets: a channel made before the rule, or allowed then, keeps working.
    checkCalledHosts(next.kind as ChannelKind, input.settings ?? {}, deps.privateHosts ?? NO_PRIVATE_HOSTS);
    await checkAddressFree(tx, deps.engine, next);
    const { workspace_id: _w, id: _i, ...changes } = next;
    await tx.updateTable('channel').set(changes).where('workspace_id', '=', input.workspaceId).where('id', '=', input.channelId).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'channel.updated', target: input.channelId, details: { secrets: Object.keys(input.secrets ?? {}) } });
    return viewFromRow(next, deps.secretBox);
  });
}

/**
 * What a channel of its kind needs, and that it could work with what it was given: an address
 * of the right form, an outbound URL that is one, the business hours and follow-up channel it
 * names, and no secret it would never read (a misspelt name would leave the real one unset).
 * A channel that passed could still fail at the provider, but not for want of its settings.
 */
async function checkChannel(tx: Tx, row: { workspace_id: string; kind: string; address: string | null; settings: string }, secrets: Readonly<Record<string, string>>, given: readonly string[]): Promise<void> {
  const kind = row.kind as ChannelKind;
  const needs = CHANNEL_REQUIREMENTS[kind];
  if (needs.address && !row.address) throw new AppError('missing_field', `a ${kind} channel needs its address`, 'address');
  // Only the bare address the mail server routes by: `<help@…>` or `"help"@…` would be another spelling of someone's inbox.
  if (row.address && kind === 'email' && !(normalizeIdentity('email', row.address).ok && MAILBOX.test(row.address))) throw new AppError('invalid_field', `${row.address} is not a bare email address like help@example.com`, 'address');
  if (row.address && PHONE_KINDS.has(kind) && !PHONE_NUMBER.test(row.address)) throw new AppError('invalid_field', `a ${kind} channel's address is its number, like +14155550100 (or a short code), not ${row.address}`, 'address');
  const settings = parseJsonObject(row.settings);
  for (const key of needs.settings) if (settings[key] === undefined || settings[key] === null || settings[key] === '') throw new AppError('missing_field', `a ${kind} channel needs settings.${key}`, `settings.${key}`);
  for (const key of needs.secrets) if (typeof secrets[key] !== 'string' || secrets[key] === '') throw new AppError('missing_field', `a ${kind} channel needs secrets.${key}`, `secrets.${key}`);
  const known = [...needs.secrets, ...(OPTIONAL_SECRETS[kind] ?? [])];
  const unknown = given.find((name) => !known.includes(name));
  if (unknown !== undefined) throw new AppError('invalid_field', `a ${kind} channel has no secret ${unknown}; it reads ${known.join(', ')}`, `secrets.${unknown}`);
  checkSettingValues(kind, settings, secrets);
  if (kind === 'chat') await checkChatSettings(tx, row.workspace_id, settings);
}

/** The business hours and follow-up email channel a chat channel names, which must be this workspace's. */
async function checkChatSettings(tx: Tx, workspaceId: string, settings: JsonObject): Promise<void> {
  if (isSet(settings.businessHoursId)) {
    const hours = await tx.selectFrom('business_hours').select('id').where('workspace_id', '=', workspaceId).where('id', '=', String(settings.businessHoursId)).where('retired_at', 'is', null).executeTakeFirst();
    if (!hours) throw new AppError('invalid_field', `no business hours ${String(settings.businessHoursId)} in this workspace`, 'settings.businessHoursId');
  }
  if (isSet(settings.followUpChannelId)) {
    const email = await tx.selectFrom('channel').select('id').where('workspace_id', '=', workspaceId).where('id', '=', String(settings.followUpChannelId)).where('kind', '=', 'email').executeTakeFirst();
    if (!email) throw new AppError('invalid_field', `no email channel ${String(settings.followUpChannelId)} in this workspace to follow up by`, 'settings.followUpChannelId');
  }
}

/** Secrets a kind reads besides those it needs: the email relay's password, the reply-token key (made on first use). */
const OPTIONAL_SECRETS: Partial<Record<ChannelKind, readonly string[]>> = { email: ['smtpPassword', 'replyTokenSecret'] };
const PHONE_KINDS: ReadonlySet<ChannelKind> = new Set(['sms', 'voice', 'whatsapp']);
/** E.164 (spaces already gone), or a short code. */
const PHONE_NUMBER = /^(\+[1-9]\d{5,14}|\d{3,8})$/;
const isSet = (value: unknown) => value !== undefined && value !== null && value !== '';

/**
 * Two enabled channels of one kind on one address in a workspace would split one number's or
 * inbox's customers between them. Mail is routed by address alone (the SMTP server has one
 * set of recipients), so an email address is one channel's across all workspaces: the first to
 * connect it keeps it, and another workspace learns only that it is taken, not by whom. Other
 * kinds are routed by their webhook URL, so another workspace's number is none of theirs to
 * see: a 409 there told any admin which numbers this server's other tenants use.
 */
async function checkAddressFree(tx: Tx, engine: Engine, row: { workspace_id: string; id: string; kind: string; address: string | null; enabled: number }): Promise<void> {
  if (!row.address || row.enabled !== 1) return;
  const instanceWide = row.kind === 'email';
  // Check, then write: on PostgreSQL two claims at once would both pass the check.
  await (instanceWide ? lockInstanceWide(tx, engine, 'email addresses') : lockWorkspace(tx, engine, row.workspace_id));
  let others = tx
    .selectFrom('channel')
    .select(['workspace_id', 'name'])
    .where('kind', '=', row.kind)
    .where('address', '=', row.address)
    .where('enabled', '=', 1)
    .where((eb) => eb.or([eb('workspace_id', '!=', row.workspace_id), eb('id', '!=', row.id)]));
  if (!instanceWide) others = others.where('workspace_id', '=', row.workspace_id);
  const taken = await others.orderBy(sql`workspace_id = ${row.workspace_id}`, 'desc').executeTakeFirst();
  if (!taken) return;
  if (taken.workspace_id === row.workspace_id) throw new AppError('conflict', `your ${row.kind} channel "${taken.name}" already receives at ${row.address}`, 'address');
  throw new AppError('conflict', `${row.address} already receives mail for another inbox on this server`, 'address');
}

/** A mailbox without display name, brackets or quotes: dot-atom local part, then a domain. */
const MAILBOX = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[^\s@<>()[\]\\,;:"]+$/u;

// Email addresses and handles compare case-insensitively (a handle with or without its @);
// phone numbers are written without spaces.
const normalizeAddress = (kind: string, address: string | null | undefined) => {
  const text = address ? address.trim().toLowerCase().replace(/\s+/g, '') : null;
  return text && (kind === 'instagram' || kind === 'messenger') ? text.replace(/^@+/, '') || null : text;
};

function withoutNulls(secrets: Readonly<Record<string, string | null>>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
