import { isSupportedCountry } from 'libphonenumber-js';
import type { Deps } from '../../platform/deps.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { isPlainObject, parseJsonObject, type JsonObject } from '../../platform/json.ts';
import { checkTeam } from './check-references.ts';
import { parseSettings, retoldEvents, type WorkspaceSettings } from './workspace-settings.ts';
import { WORKSPACE_EVENTS } from './workspaces.events.ts';

/** Changes part of a workspace's settings (lifecycle rules, identity limits, default country and currency). */
export async function updateSettings(
  deps: Deps,
  input: { readonly workspaceId: string; readonly patch: JsonObject; readonly actor: string },
): Promise<WorkspaceSettings> {
  return deps.db.transaction().execute(async (tx) => {
    // Read, merge, write: two admins changing different sections at once must both keep theirs.
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    const row = await tx.selectFrom('workspace').select('settings').where('id', '=', input.workspaceId).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'workspace not found');
    const moments = input.patch.moments;
    const defaultTeamId = isPlainObject(moments) ? moments.defaultTeamId : undefined;
    if (typeof defaultTeamId === 'string') {
      // Routing falls back to this team; an unknown one would strand every unmatched moment.
      await checkTeam(tx, input.workspaceId, defaultTeamId, 'moments.defaultTeamId');
    }
    const current = parseJsonObject(row.settings);
    const next = mergeSettings(current, input.patch);
    checkCoherent(input.patch, parseSettings(JSON.stringify(next)));
    await tx.updateTable('workspace').set({ settings: JSON.stringify(next) }).where('id', '=', input.workspaceId).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'settings.updated', target: input.workspaceId, details: input.patch });
    const settings = parseSettings(JSON.stringify(next));
    // Stored stages serve the stage filter: new rules must reach them, not only profiles as read;
    // events the rules now read otherwise (a new order event) are counted again.
    if (isPlainObject(input.patch.lifecycle)) {
      const recount = retoldEvents(parseSettings(row.settings).lifecycle, settings.lifecycle);
      await writeOutbox(tx, deps, [{ workspaceId: input.workspaceId, topic: WORKSPACE_EVENTS.lifecycleChanged, payload: { recount } }]);
    }
    return settings;
  });
}

/**
 * `patch` over `current`, objects within merged the same way at every depth: a change to one
 * section keeps the others, and setting the email limit keeps a phone limit set before. Lists
 * and values replace what was there.
 */
function mergeSettings(current: JsonObject, patch: JsonObject): JsonObject {
  const next: JsonObject = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const before = current[key];
    next[key] = isPlainObject(value) && isPlainObject(before) ? mergeSettings(before, value) : value;
  }
  return next;
}

/** Values each fine alone that would not work: a country phone parsing does not know, a currency nobody uses, stages out of order. */
function checkCoherent(patch: JsonObject, settings: WorkspaceSettings): void {
  const country = patch.defaultCountry;
  // `UK` (for GB) would otherwise switch off national phone numbers without a word.
  if (typeof country === 'string' && !isSupportedCountry(country)) {
    throw new AppError('invalid_field', `defaultCountry ${country} is not an ISO 3166-1 alpha-2 country that phone numbers are known for (the United Kingdom is GB)`, 'defaultCountry');
  }
  const currency = patch.defaultCurrency;
  // A made-up code would label every order sent without a currency with it.
  if (typeof currency === 'string' && !Intl.supportedValuesOf('currency').includes(currency)) {
    throw new AppError('invalid_field', `defaultCurrency ${currency} is not an ISO 4217 currency code (the pound sterling is GBP)`, 'defaultCurrency');
  }
  const { atRiskAfterDays, churnedAfterDays } = settings.lifecycle;
  if (isPlainObject(patch.lifecycle) && churnedAfterDays <= atRiskAfterDays) {
    throw new AppError('invalid_field', `lifecycle.churnedAfterDays (${churnedAfterDays}) must be more than lifecycle.atRiskAfterDays (${atRiskAfterDays}): a customer is at risk before they churn`, 'lifecycle.churnedAfterDays');
  }
}
