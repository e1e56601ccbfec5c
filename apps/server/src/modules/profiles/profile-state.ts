import type { CustomerTable } from '../../platform/db/tables.ts';
import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import type { LifecycleRules, WorkspaceSettings } from '../workspaces/index.ts';
import { computeStage, isStage, touchpointFacts, type Stage, type StageInputs } from './lifecycle.ts';
import { addRevenue, NO_REVENUE, parseRevenue, sumRevenue, type Revenue } from './revenue.ts';
import type { Touchpoint } from './touchpoint.ts';

/** A profile row held in memory while a group of touchpoints is resolved and applied. */
export type ProfileState = {
  readonly id: string;
  readonly isNew: boolean;
  readonly createdAt: number;
  rootId: string;
  mergedInto: string | null;
  traits: JsonObject;
  stage: string;
  readonly storedStage: string;
  stageOverride: Stage | null;
  stageOverrideReason: string | null;
  firstSeen: number;
  lastSeen: number;
  orderCount: number;
  revenue: Revenue;
  identified: boolean;
  advocate: boolean;
  updatedAt: number;
  /** Identities per kind; null until loaded (only needed when attaching or merging). */
  kindCounts: Map<string, number> | null;
  dirty: boolean;
};

export function stateFromRow(row: CustomerTable): ProfileState {
  return {
    id: row.id,
    isNew: false,
    createdAt: row.created_at,
    rootId: row.root_id,
    mergedInto: row.merged_into,
    traits: parseJsonObject(row.traits),
    stage: row.stage,
    storedStage: row.stage,
    stageOverride: isStage(row.stage_override) ? row.stage_override : null,
    stageOverrideReason: row.stage_override_reason,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    orderCount: row.order_count,
    revenue: parseRevenue(row.revenue),
    identified: row.identified === 1,
    advocate: row.advocate === 1,
    updatedAt: row.updated_at,
    kindCounts: null,
    dirty: false,
  };
}

export function newState(id: string, now: number, at: number): ProfileState {
  return {
    id,
    isNew: true,
    createdAt: now,
    rootId: id,
    mergedInto: null,
    traits: {},
    stage: 'visitor',
    storedStage: '',
    stageOverride: null,
    stageOverrideReason: null,
    firstSeen: at,
    lastSeen: at,
    orderCount: 0,
    revenue: NO_REVENUE,
    identified: false,
    advocate: false,
    updatedAt: now,
    kindCounts: new Map(),
    dirty: true,
  };
}

export function rowFromState(workspaceId: string, s: ProfileState): CustomerTable {
  return {
    workspace_id: workspaceId,
    id: s.id,
    root_id: s.rootId,
    merged_into: s.mergedInto,
    traits: JSON.stringify(s.traits),
    stage: s.stage,
    stage_override: s.stageOverride,
    stage_override_reason: s.stageOverrideReason,
    first_seen: s.firstSeen,
    last_seen: s.lastSeen,
    order_count: s.orderCount,
    revenue: JSON.stringify(s.revenue),
    identified: s.identified ? 1 : 0,
    advocate: s.advocate ? 1 : 0,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/**
 * The stored last_seen moves in steps of an hour: it serves inactivity rules and sorting,
 * which need no finer grain, while the profile shows the exact time from its events. Without
 * the step every event would rewrite its customer row and index entries — most of the bytes
 * an ingest commit writes.
 */
export const LAST_SEEN_STEP_MS = 60 * 60 * 1000;

/** Folds one touchpoint into a profile; marks it dirty only when a stored fact changed. */
export function applyTouchpoint(s: ProfileState, tp: Touchpoint, identified: boolean, settings: WorkspaceSettings): void {
  const facts = touchpointFacts(tp, settings.lifecycle);
  let changed = false;
  if (tp.timestamp < s.firstSeen) {
    s.firstSeen = tp.timestamp;
    changed = true;
  }
  if (tp.timestamp >= s.lastSeen + LAST_SEEN_STEP_MS) {
    s.lastSeen = tp.timestamp;
    changed = true;
  }
  if (facts.order) s.orderCount += 1;
  if (facts.revenue !== 0) s.revenue = addRevenue(s.revenue, facts.currency ?? settings.defaultCurrency, facts.revenue);
  const nowIdentified = s.identified || identified || facts.lead;
  const nowAdvocate = s.advocate || facts.advocate;
  changed ||= facts.order || facts.revenue !== 0 || nowIdentified !== s.identified || nowAdvocate !== s.advocate;
  s.identified = nowIdentified;
  s.advocate = nowAdvocate;
  if (tp.type !== 'group') {
    const traits = mergeTraits(s.traits, tp.traits);
    changed ||= traits !== s.traits;
    s.traits = traits;
  }
  if (changed) s.dirty = true;
}

/**
 * Later values win; a trait set to null is removed (Segment's way to unset a trait).
 * Returns `base` itself when nothing changes, so callers can tell a no-op by identity.
 */
export function mergeTraits(base: JsonObject, patch: JsonObject): JsonObject {
  let next: JsonObject | null = null;
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null ? !Object.hasOwn(base, key) : sameJson(base[key], value)) continue;
    next ??= { ...base };
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next ?? base;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Moves the absorbed profile's facts onto the survivor; traits of the more recently updated one
 * win. A stage set by hand is not a fact of the events but a person's judgement of one
 * profile: the survivor keeps its own (or none), and the absorbed profile's stays on it, to come
 * back with an unmerge.
 */
export function foldInto(survivor: ProfileState, absorbed: ProfileState): void {
  survivor.firstSeen = Math.min(survivor.firstSeen, absorbed.firstSeen);
  survivor.lastSeen = Math.max(survivor.lastSeen, absorbed.lastSeen);
  survivor.orderCount += absorbed.orderCount;
  survivor.revenue = sumRevenue(survivor.revenue, absorbed.revenue);
  survivor.identified = survivor.identified || absorbed.identified;
  survivor.advocate = survivor.advocate || absorbed.advocate;
  survivor.traits =
    absorbed.updatedAt > survivor.updatedAt ? mergeTraits(survivor.traits, absorbed.traits) : mergeTraits(absorbed.traits, survivor.traits);
  if (survivor.kindCounts && absorbed.kindCounts) {
    for (const [kind, n] of absorbed.kindCounts) survivor.kindCounts.set(kind, (survivor.kindCounts.get(kind) ?? 0) + n);
  }
  survivor.dirty = true;
  absorbed.mergedInto = survivor.id;
  absorbed.dirty = true;
}

/** The facts a profile's stage is decided from. */
export function stageInputs(s: ProfileState): StageInputs {
  return { identified: s.identified, orderCount: s.orderCount, advocate: s.advocate, lastSeen: s.lastSeen, override: s.stageOverride };
}

/** Sets the profile's stage from its facts, and returns it. */
export function refreshStage(s: ProfileState, rules: LifecycleRules, now: number): Stage {
  const stage = computeStage(stageInputs(s), rules, now);
  s.stage = stage;
  return stage;
}

/** Whether `a` is the older profile: the one that survives a merge. */
export function older(a: ProfileState, b: ProfileState): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  if (a.firstSeen !== b.firstSeen) return a.firstSeen < b.firstSeen;
  return a.id < b.id;
}
