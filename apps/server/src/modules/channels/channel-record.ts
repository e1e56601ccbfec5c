import type { Selectable } from 'kysely';
import type { ChannelTable } from '../../platform/db/tables.ts';
import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import type { ChannelKind } from './channel-kinds.ts';
import type { HealthState } from './record-health.ts';
import { openSecrets } from './channel-secrets.ts';
import type { SecretBox } from '../../platform/secret-box.ts';

/** A configured channel with its secrets: what adapters work with. Never sent to a client. */
export type ChannelRecord = {
  readonly workspaceId: string;
  readonly id: string;
  readonly kind: ChannelKind;
  readonly name: string;
  readonly businessUnitId: string | null;
  readonly address: string | null;
  readonly settings: JsonObject;
  readonly secrets: Readonly<Record<string, string>>;
  readonly costPerContact: number;
  readonly currency: string;
  readonly enabled: boolean;
};

/** A channel as the API shows it: secrets only by name. */
export type ChannelView = Omit<ChannelRecord, 'secrets'> & {
  readonly secretsSet: readonly string[];
  readonly health: { readonly state: HealthState; readonly error: string | null; readonly at: string | null };
  readonly createdAt: string;
  readonly updatedAt: string;
};

export function recordFromRow(row: Selectable<ChannelTable>, box: SecretBox): ChannelRecord {
  return {
    workspaceId: row.workspace_id,
    id: row.id,
    kind: row.kind as ChannelKind,
    name: row.name,
    businessUnitId: row.business_unit_id,
    address: row.address,
    settings: parseJsonObject(row.settings),
    secrets: openSecrets(box, row),
    costPerContact: row.cost_per_contact,
    currency: row.currency,
    enabled: row.enabled === 1,
  };
}

export function viewFromRow(row: Selectable<ChannelTable>, box: SecretBox): ChannelView {
  const { secrets, ...rest } = recordFromRow(row, box);
  return {
    ...rest,
    secretsSet: Object.keys(secrets).sort(),
    health: { state: row.health as HealthState, error: row.health_error, at: row.health_at === null ? null : new Date(row.health_at).toISOString() },
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
