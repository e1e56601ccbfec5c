import { AppError } from '../../platform/errors.ts';
import { checkCanHoldMoments, type Role } from '../workspaces/index.ts';
import type { MomentWrite } from './moment-tx.ts';
import { loadRow } from './open-moment.ts';
import type { MomentRow } from './moment-view.ts';
import { maySee, viewerOf, type Viewer } from './visibility.ts';
import type { Db } from '../../platform/db/database.ts';

/** Who acts on a moment: what they may see, plus their role and how the audit names them. */
export type Caller = Viewer & { readonly actor: string; readonly role: Role };

export const isManager = (c: Caller) => c.role === 'owner' || c.role === 'admin';

/** The caller of a request: what their principal may see, their role, and their audit name. */
export async function callerOf(db: Db, principal: { readonly workspaceId: string; readonly agentId: string | null; readonly role: Role; readonly actor: string }): Promise<Caller> {
  return { ...(await viewerOf(db, principal)), actor: principal.actor, role: principal.role };
}

/**
 * Of these moments, the ones the viewer may not see: a customer's timeline names the moments
 * its lines came from, and an agent outside a moment's teams must not read its words there.
 */
export async function momentsHiddenFrom(db: Db, viewer: Viewer, momentIds: readonly string[]): Promise<Set<string>> {
  if (viewer.seesAll || momentIds.length === 0) return new Set();
  const rows = await db.selectFrom('moment').select(['id', 'owner_id', 'team_id', 'handoff']).where('workspace_id', '=', viewer.workspaceId).where('id', 'in', [...new Set(momentIds)]).execute();
  return new Set(rows.filter((row) => !maySee(viewer, row as MomentRow)).map((row) => row.id));
}

/** The moment, if the caller may see it; a moment they may not see does not exist for them. */
export async function loadForCaller(w: MomentWrite, c: Caller, momentId: string, field = 'id'): Promise<MomentRow> {
  const row = await loadRow(w, momentId, field);
  if (!maySee(c, row)) throw new AppError('moment_not_found', `no moment ${momentId}`, field);
  return row;
}

/** Owners act on their moments; admins may act on any. */
export function requireOwnerOrManager(c: Caller, row: MomentRow, what: string): void {
  if (row.owner_id !== c.agentId && !isManager(c)) throw new AppError('not_owner', `only the owner may ${what}; take the moment over first`);
}

/**
 * The person an act is done by: the signed-in agent, or for an admin (or an API key) an agent
 * named in the request, who must be one of this workspace's people able to own a moment: a
 * moment owned by an unknown id, another workspace's agent or a read-only analyst would have
 * nobody accountable for it.
 */
export async function actingAgent(w: MomentWrite, c: Caller, onBehalfOf: string | undefined): Promise<string> {
  if (onBehalfOf !== undefined && onBehalfOf !== c.agentId) {
    if (!isManager(c)) throw new AppError('forbidden', 'only admins may act for another agent', 'agentId');
    await checkCanHoldMoments(w.tx, w.workspaceId, onBehalfOf, 'agentId');
    return onBehalfOf;
  }
  if (c.agentId === null) throw new AppError('missing_field', 'an API key must name the agent who acts', 'agentId');
  return c.agentId;
}
